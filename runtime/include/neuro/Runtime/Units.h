//===- Units.h - Physical dimensions and unit names -------------*- C++ -*-===//
//
// The one table of units: the language's literals and declarations, and the
// values given at run time (`--set E.v=-65mV`, the REPL's `set`, durations)
// read unit names through it. Every quantity has a dimension: exponents of
// the seven SI base units. Values are stored in SI.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_UNITS_H
#define NEURO_RUNTIME_UNITS_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace neuro::rt {

/// Exponents of m, kg, s, A, K, mol, cd, in halves: white noise has
/// dimension s^-1/2 (e = -1 for s). A product, quotient or power whose
/// exponent would pass kMaxExponent (in halves) is out of range, and stays
/// so through further arithmetic: the checker reports it rather than let
/// an exponent wrap around.
struct Dim {
  static constexpr int kMaxExponent = 126; ///< s^63
  std::array<int8_t, 7> e{};

  static Dim none() { return {}; }
  static Dim time() { return base(2); }
  static Dim base(unsigned i) {
    Dim d;
    d.e[i] = 2;
    return d;
  }
  /// The square root; false when an exponent would be a quarter.
  bool sqrt(Dim &out) const;
  bool isDimensionless() const { return *this == none(); }
  bool outOfRange() const { return e[0] == kOutOfRange; }
  Dim operator*(const Dim &o) const;
  Dim operator/(const Dim &o) const;
  Dim pow(int n) const;
  bool operator==(const Dim &o) const { return e == o.e; }
  bool operator!=(const Dim &o) const { return e != o.e; }

  /// Readable form: a derived unit name where one matches ("V (voltage)"),
  /// else the base-unit product ("m^2 kg s^-3 A^-1"), "1" when dimensionless.
  std::string str() const;
  /// The SI unit symbol alone: "V", "s", "kg*m^2/s^3", "1"; parseUnit reads
  /// it back.
  std::string symbol() const;

private:
  static constexpr int8_t kOutOfRange = -128;
  /// `f(i)` for each exponent, out of range if one is or any operand was.
  template <typename F> Dim combine(const Dim &o, F f) const;
};

/// A unit: its scale to SI and its dimension.
struct Unit {
  double scale;
  Dim dim;
};

/// Looks up a unit name (`mV`, `nS`, `Hz`, `1`, ...).
std::optional<Unit> lookupUnit(const std::string &name);

/// A short list of unit names, for "expected a unit" messages.
const char *knownUnitsHint();

/// The one known unit spelled as `name` but for the case of the letters
/// after the first (`mvolt` for `mVolt`), or empty when there is none or
/// more than one.
std::string unitSpelledLike(const std::string &name);

/// A unit expression: names with integer (or half, `s^-1/2`) exponents
/// joined by `*` and `/`, as in `mV`, `mV/ms`, `nS*mV`, `1/s`, `m^2`,
/// `kg*m^2/s^3`; nullopt when malformed or a name is unknown.
std::optional<Unit> parseUnit(const std::string &text);

/// A quantity given as text at run time: a number, then optionally a unit
/// expression (`-65 mV`, `25ms`, `0.5 nS`, `2 mV/ms`, `3`). `value` is in SI,
/// rounded as the language rounds literals (`1.62 mV` is the double nearest
/// 0.00162); `unit` is false for a bare number. false and `err` when
/// malformed.
bool parseQuantity(const std::string &text, double &value, Dim &dim, bool &unit,
                   std::string &err);

/// Checks a quantity given for a variable of dimension `want` (its unit
/// symbol as the compiler wrote it): the value in SI, or false and `err`
/// for a malformed value, a wrong dimension, or a bare number where a
/// dimension is needed. `what` names the variable in messages.
bool parseQuantityOf(const std::string &text, const std::string &want,
                     const std::string &what, double &value, std::string &err);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_UNITS_H
