//===- Units.cpp - Physical dimensions and unit names ---------------------===//

#include "neuro/Frontend/Units.h"

#include <map>
#include <vector>

using namespace neuro;

Dim Dim::operator*(const Dim &o) const {
  Dim d;
  for (unsigned i = 0; i < 7; ++i)
    d.e[i] = e[i] + o.e[i];
  return d;
}

Dim Dim::operator/(const Dim &o) const {
  Dim d;
  for (unsigned i = 0; i < 7; ++i)
    d.e[i] = e[i] - o.e[i];
  return d;
}

bool Dim::sqrt(Dim &out) const {
  for (unsigned i = 0; i < 7; ++i) {
    if (e[i] % 2)
      return false;
    out.e[i] = e[i] / 2;
  }
  return true;
}

Dim Dim::pow(int n) const {
  Dim d;
  for (unsigned i = 0; i < 7; ++i)
    d.e[i] = e[i] * n;
  return d;
}

namespace {
// Dimensions of the derived units, as exponents of m, kg, s, A, K, mol, cd.
const Dim kSecond = Dim::base(2);
const Dim kAmpere = Dim::base(3);
const Dim kMetre = Dim::base(0);
const Dim kVolt = [] {
  Dim d;
  d.e = {4, 2, -6, -2, 0, 0, 0}; // in halves: m^2 kg s^-3 A^-1
  return d;
}();
const Dim kOhm = kVolt / kAmpere;
const Dim kSiemens = kAmpere / kVolt;
const Dim kFarad = kAmpere * kSecond / kVolt;
const Dim kHertz = Dim::none() / kSecond;
const Dim kMolar = Dim::base(5) / kMetre.pow(3);
const Dim kCoulomb = kAmpere * kSecond;
const Dim kWatt = kVolt * kAmpere;
const Dim kJoule = kWatt * kSecond;

struct Named {
  const char *symbol;
  const char *quantity;
  Dim dim;
};

const std::vector<Named> &namedDims() {
  static const std::vector<Named> dims = {
      {"s", "time", kSecond},
      {"V", "voltage", kVolt},
      {"A", "current", kAmpere},
      {"S", "conductance", kSiemens},
      {"ohm", "resistance", kOhm},
      {"F", "capacitance", kFarad},
      {"Hz", "frequency", kHertz},
      {"m", "length", kMetre},
      {"V/s", "voltage rate", kVolt / kSecond},
      {"A/s", "current rate", kAmpere / kSecond},
      {"S/s", "conductance rate", kSiemens / kSecond},
      {"mol/m^3", "concentration", kMolar},
      {"C", "charge", kCoulomb},
      {"J", "energy", kJoule},
      {"W", "power", kWatt},
  };
  return dims;
}

const std::map<std::string, Unit> &unitTable() {
  static const std::map<std::string, Unit> table = [] {
    std::map<std::string, Unit> t;
    struct Prefix {
      const char *p;
      double s;
    };
    const Prefix prefixes[] = {{"", 1.0},   {"k", 1e3},   {"M", 1e6},
                               {"G", 1e9},  {"m", 1e-3},  {"u", 1e-6},
                               {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15}};
    auto addAll = [&](const std::string &base, Dim dim,
                      std::initializer_list<const char *> which) {
      for (const Prefix &pre : prefixes)
        for (const char *w : which)
          if (std::string(w) == pre.p)
            t[std::string(pre.p) + base] = {pre.s, dim};
    };
    // Every SI unit takes the prefixes p to G (and f where it is common).
    const std::initializer_list<const char *> all = {"p", "n", "u", "m",
                                                     "",  "k", "M", "G"};
    addAll("s", kSecond, all);
    addAll("V", kVolt, all);
    addAll("A", kAmpere, {"f", "p", "n", "u", "m", "", "k", "M", "G"});
    addAll("S", kSiemens, all);
    addAll("F", kFarad, {"f", "p", "n", "u", "m", "", "k", "M", "G"});
    addAll("ohm", kOhm, all);
    addAll("Hz", kHertz, all);
    addAll("m", kMetre, all);
    addAll("C", kCoulomb, {"f", "p", "n", "u", "m", "", "k", "M", "G"});
    addAll("J", kJoule, all);
    addAll("W", kWatt, all);
    addAll("mol", Dim::base(5), {"p", "n", "u", "m", ""});
    t["cm"] = {1e-2, kMetre};
    t["M"] = {1e3, kMolar}; // molar = mol/l
    t["mM"] = {1.0, kMolar};
    t["uM"] = {1e-3, kMolar};
    t["nM"] = {1e-6, kMolar};
    t["kg"] = {1.0, Dim::base(1)};
    t["K"] = {1.0, Dim::base(4)};
    t["1"] = {1.0, Dim::none()};
    return t;
  }();
  return table;
}
} // namespace

std::optional<Unit> neuro::lookupUnit(const std::string &name) {
  auto it = unitTable().find(name);
  if (it == unitTable().end())
    return std::nullopt;
  return it->second;
}

const char *neuro::knownUnitsHint() {
  return "s, ms, V, mV, A, nA, pA, S, nS, F, pF, ohm, Mohm, Hz, m, um, C, "
         "J, W, mol, M, mM or 1, with the prefixes p, n, u, m, k, M, G";
}

std::string Dim::symbol() const {
  if (isDimensionless())
    return "1";
  for (const Named &n : namedDims())
    if (n.dim == *this)
      return n.symbol;
  static const char *names[] = {"m", "kg", "s", "A", "K", "mol", "cd"};
  std::string out;
  for (unsigned i = 0; i < 7; ++i) {
    if (!e[i])
      continue;
    if (!out.empty())
      out += "*";
    out += names[i];
    if (e[i] % 2)
      out += "^" + std::string(e[i] < 0 ? "-" : "") +
             std::to_string(std::abs(e[i])) + "/2";
    else if (e[i] != 2)
      out += "^" + std::to_string(e[i] / 2);
  }
  return out;
}

std::string Dim::str() const {
  if (isDimensionless())
    return "1 (dimensionless)";
  for (const Named &n : namedDims())
    if (n.dim == *this)
      return std::string(n.symbol) + " (" + n.quantity + ")";
  return symbol();
}
