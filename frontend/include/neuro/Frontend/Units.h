//===- Units.h - Physical dimensions and unit names -------------*- C++ -*-===//
//
// Every quantity in Neuro has a dimension: integer exponents of the seven SI
// base units. Values are stored in SI; unit names (ms, mV, nS, ...) only scale
// literals and declarations at compile time and live in their own namespace.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_UNITS_H
#define NEURO_FRONTEND_UNITS_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace neuro {

/// Exponents of m, kg, s, A, K, mol, cd, in halves: white noise has
/// dimension s^-1/2 (e = -1 for s).
struct Dim {
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
  Dim operator*(const Dim &o) const;
  Dim operator/(const Dim &o) const;
  Dim pow(int n) const;
  bool operator==(const Dim &o) const { return e == o.e; }
  bool operator!=(const Dim &o) const { return e != o.e; }

  /// Readable form: a derived unit name where one matches ("V (voltage)"),
  /// else the base-unit product ("m^2 kg s^-3 A^-1"), "1" when dimensionless.
  std::string str() const;
  /// The SI unit symbol alone: "V", "s", "kg*m^2/s^3", "1".
  std::string symbol() const;
};

/// A unit name: its scale to SI and its dimension.
struct Unit {
  double scale;
  Dim dim;
};

/// Looks up a unit name (`mV`, `nS`, `Hz`, `1`, ...).
std::optional<Unit> lookupUnit(const std::string &name);

/// A short list of unit names, for "expected a unit" messages.
const char *knownUnitsHint();

} // namespace neuro

#endif // NEURO_FRONTEND_UNITS_H
