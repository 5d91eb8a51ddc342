//===- Units.cpp - Physical dimensions and unit names ---------------------===//

#include "neuro/Runtime/Units.h"
#include "neuro/Runtime/Quote.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

using namespace neuro::rt;

template <typename F> Dim Dim::combine(const Dim &o, F f) const {
  Dim d;
  if (outOfRange() || o.outOfRange()) {
    d.e.fill(kOutOfRange);
    return d;
  }
  for (unsigned i = 0; i < 7; ++i) {
    int v = f(i);
    if (v > kMaxExponent || v < -kMaxExponent) {
      d.e.fill(kOutOfRange);
      return d;
    }
    d.e[i] = int8_t(v);
  }
  return d;
}

Dim Dim::operator*(const Dim &o) const {
  return combine(o, [&](unsigned i) { return int(e[i]) + int(o.e[i]); });
}

Dim Dim::operator/(const Dim &o) const {
  return combine(o, [&](unsigned i) { return int(e[i]) - int(o.e[i]); });
}

bool Dim::sqrt(Dim &out) const {
  if (outOfRange()) {
    out = *this;
    return true;
  }
  for (unsigned i = 0; i < 7; ++i) {
    if (e[i] % 2)
      return false;
    out.e[i] = e[i] / 2;
  }
  return true;
}

Dim Dim::pow(int n) const {
  // n beyond the range cannot keep a nonzero exponent in it.
  long long m = std::max(-1000, std::min(1000, n));
  return combine(*this, [&](unsigned i) { return int(e[i] * m); });
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
    // Every SI unit takes the prefixes p to G (and f where it is common),
    // under its symbol and Brian2's names for it (`mV`, `mvolt`).
    const std::initializer_list<const char *> all = {"p", "n", "u", "m",
                                                     "",  "k", "M", "G"};
    const std::initializer_list<const char *> femto = {"f", "p", "n", "u", "m",
                                                       "",  "k", "M", "G"};
    struct Base {
      std::vector<const char *> names;
      Dim dim;
      std::initializer_list<const char *> prefixes;
    };
    const Base bases[] = {{{"s", "second"}, kSecond, all},
                          {{"V", "volt"}, kVolt, all},
                          {{"A", "amp", "ampere"}, kAmpere, femto},
                          {{"S", "siemens"}, kSiemens, all},
                          {{"F", "farad"}, kFarad, femto},
                          {{"ohm"}, kOhm, all},
                          {{"Hz", "hertz"}, kHertz, all},
                          {{"m"}, kMetre, all},
                          {{"C", "coulomb"}, kCoulomb, femto},
                          {{"J", "joule"}, kJoule, all},
                          {{"W", "watt"}, kWatt, all}};
    for (const Base &base : bases)
      for (const char *name : base.names)
        addAll(name, base.dim, base.prefixes);
    for (const char *mol : {"mol", "mole"})
      addAll(mol, Dim::base(5), {"p", "n", "u", "m", ""});
    t["M"] = {1e3, kMolar}; // molar = mol/l
    t["mM"] = {1.0, kMolar};
    t["uM"] = {1e-3, kMolar};
    t["nM"] = {1e-6, kMolar};
    t["kg"] = {1.0, Dim::base(1)};
    t["K"] = {1.0, Dim::base(4)};
    t["1"] = {1.0, Dim::none()};
    t["molar"] = t["M"];
    t["mmolar"] = t["mM"];
    t["umolar"] = t["uM"];
    t["nmolar"] = t["nM"];
    t["kilogram"] = t["kg"];
    // Angles are numbers, as in Brian2.
    for (const char *angle : {"radian", "rad", "steradian", "sr"})
      t[angle] = {1.0, Dim::none()};
    t["kelvin"] = t["K"];
    // Powers of ten read from text: correctly rounded (1e-4, not 1e-2^2).
    auto tenTo = [](int n) {
      return std::strtod(("1e" + std::to_string(n)).c_str(), nullptr);
    };
    const std::pair<const char *, int> lengths[] = {
        {"", 0}, {"c", -2}, {"m", -3}, {"u", -6}, {"n", -9}};
    for (const auto &[prefix, exponent] : lengths)
      for (const char *base : {"m", "metre", "meter"}) {
        std::string name = std::string(prefix) + base;
        t[name] = {tenTo(exponent), kMetre};
        t[name + "2"] = {tenTo(2 * exponent), kMetre.pow(2)};
        t[name + "3"] = {tenTo(3 * exponent), kMetre.pow(3)};
      }
    return t;
  }();
  return table;
}
} // namespace

/// scale^n (n/2 when `half`): 10^(k n) from text when the scale is 10^k,
/// correctly rounded as the table's own powers are (um^3 is 1e-18, as
/// Brian2's umetre**3), else by std::pow.
static double poweredScale(double scale, int n, bool half) {
  int k = int(std::lround(std::log10(scale)));
  long p = long(k) * n;
  if (std::pow(10.0, k) == scale && (!half || p % 2 == 0))
    return std::strtod(("1e" + std::to_string(half ? p / 2 : p)).c_str(),
                       nullptr);
  return half ? std::pow(scale, n / 2.0) : std::pow(scale, n);
}

std::optional<Unit> neuro::rt::lookupUnit(const std::string &name) {
  auto it = unitTable().find(name);
  if (it != unitTable().end())
    return it->second;
  // `um^2`, a literal's unit raised to a power (`20000 um^2`).
  size_t caret = name.find('^');
  if (caret == std::string::npos || caret == 0 ||
      !unitTable().count(name.substr(0, caret)))
    return std::nullopt;
  return parseUnit(name);
}

std::string neuro::rt::unitSpelledLike(const std::string &name) {
  auto lower = [](std::string s) {
    for (char &c : s)
      c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // A prefix's case is meaningful (m, M): the first letter as written.
  std::string want = lower(name), found;
  if (name.empty())
    return found;
  for (const auto &[unit, value] : unitTable()) {
    if (lower(unit) != want || unit[0] != name[0])
      continue;
    if (!found.empty())
      return "";
    found = unit;
  }
  return found;
}

const char *neuro::rt::knownUnitsHint() {
  return "s, ms, V, mV, A, nA, pA, S, nS, F, pF, ohm, Mohm, Hz, m, um, C, "
         "J, W, mol, M, mM or 1, with the prefixes p, n, u, m, k, M, G, and "
         "Brian2's names such as volt, msecond, nsiemens, pfarad, cm2";
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

namespace {

/// `d` as up to three of the units a model is written in, each to a small
/// power (`V/F`, `A^2*ohm`, `S*A/s`), with the fewest powers, then the
/// fewest units; "" when it takes more than four powers.
std::string compactSymbol(const Dim &d) {
  struct Base {
    const char *symbol;
    Dim dim;
  };
  static const Base bases[] = {
      {"V", kVolt},    {"A", kAmpere}, {"S", kSiemens},
      {"ohm", kOhm},   {"F", kFarad},  {"s", kSecond},
      {"C", kCoulomb}, {"m", kMetre},  {"kg", Dim::base(1)}};
  constexpr size_t kBases = std::size(bases);
  // The cost of a choice: 4 per power, 1 per unit.
  std::string best;
  int bestCost = 4 * 5;
  // Factors chosen so far: (base, power), bases in increasing order.
  std::vector<std::pair<size_t, int>> chosen;
  auto render = [&] {
    std::string num, den;
    for (auto [i, n] : chosen) {
      std::string f =
          std::string(bases[i].symbol) +
          (std::abs(n) == 1 ? "" : "^" + std::to_string(std::abs(n)));
      if (n > 0)
        num += (num.empty() ? "" : "*") + f;
      else
        den += "/" + f;
    }
    return (num.empty() ? "1" : num) + den;
  };
  auto search = [&](auto &self, size_t from, const Dim &sofar, int cost) {
    if (sofar == d && !chosen.empty() && cost < bestCost) {
      best = render();
      bestCost = cost;
      return;
    }
    if (chosen.size() == 3)
      return;
    for (size_t i = from; i < kBases; ++i)
      for (int n = -4; n <= 4; ++n) {
        int more = cost + 4 * std::abs(n) + 1;
        if (!n || more >= bestCost)
          continue;
        chosen.push_back({i, n});
        self(self, i + 1, sofar * bases[i].dim.pow(n), more);
        chosen.pop_back();
      }
  };
  search(search, 0, Dim::none(), 0);
  return best;
}

} // namespace

std::string Dim::str() const {
  if (outOfRange())
    return "a unit with an exponent past " + std::to_string(kMaxExponent / 2);
  if (isDimensionless())
    return "1 (dimensionless)";
  for (const Named &n : namedDims())
    if (n.dim == *this)
      return std::string(n.symbol) + " (" + n.quantity + ")";
  std::string compact = compactSymbol(*this);
  return compact.empty() ? symbol() : compact;
}

namespace {

/// Reads a unit expression from `text` at `at`: terms NAME[^[-]N[/2]] or
/// `1`, joined by `*` and `/`, spaces allowed around the operators.
class UnitParser {
public:
  explicit UnitParser(const std::string &text) : text(text) {}

  std::optional<Unit> parse() {
    Unit u{1.0, Dim::none()};
    char op = '*';
    for (;;) {
      skipSpaces();
      std::optional<Unit> term = parseTerm();
      if (!term)
        return std::nullopt;
      if (op == '*') {
        u.scale *= term->scale;
        u.dim = u.dim * term->dim;
      } else {
        u.scale /= term->scale;
        u.dim = u.dim / term->dim;
      }
      skipSpaces();
      if (at == text.size())
        return u;
      op = text[at++];
      if (op != '*' && op != '/')
        return std::nullopt;
    }
  }

private:
  void skipSpaces() {
    while (at < text.size() && text[at] == ' ')
      ++at;
  }

  std::optional<Unit> parseTerm() {
    size_t start = at;
    while (at < text.size() &&
           (std::isalpha(static_cast<unsigned char>(text[at])) ||
            (at > start && std::isdigit(static_cast<unsigned char>(text[at])))))
      ++at;
    std::string name = text.substr(start, at - start);
    if (name.empty() && at < text.size() && text[at] == '1') {
      ++at;
      name = "1";
    }
    std::optional<Unit> u = lookupUnit(name);
    if (!u)
      return std::nullopt;
    if (at >= text.size() || text[at] != '^')
      return u;
    ++at;
    bool negative = at < text.size() && text[at] == '-';
    if (negative)
      ++at;
    size_t digits = at;
    while (at < text.size() &&
           std::isdigit(static_cast<unsigned char>(text[at])))
      ++at;
    if (at == digits || at - digits > 2)
      return std::nullopt;
    int n = std::atoi(text.substr(digits, at - digits).c_str());
    // `s^-1/2`: a half exponent (a name never follows the '/').
    bool half = at + 1 < text.size() && text[at] == '/' &&
                text[at + 1] == '2' &&
                (at + 2 == text.size() || text[at + 2] == '*' ||
                 text[at + 2] == '/' || text[at + 2] == ' ');
    if (half)
      at += 2;
    int exponent = negative ? -n : n;
    Dim d;
    for (unsigned i = 0; i < 7; ++i) {
      int e = half ? u->dim.e[i] * exponent / 2 : u->dim.e[i] * exponent;
      if ((half && u->dim.e[i] * exponent % 2) || e > 127 || e < -127)
        return std::nullopt;
      d.e[i] = int8_t(e);
    }
    return Unit{poweredScale(u->scale, exponent, half), d};
  }

  const std::string &text;
  size_t at = 0;
};

std::string trimmed(const std::string &s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

} // namespace

std::optional<Unit> neuro::rt::parseUnit(const std::string &text) {
  std::string t = trimmed(text);
  if (t.empty())
    return std::nullopt;
  return UnitParser(t).parse();
}

bool neuro::rt::parseQuantity(const std::string &text, double &value, Dim &dim,
                              bool &unit, std::string &err) {
  std::string t = trimmed(text);
  const char *begin = t.c_str();
  char *end = nullptr;
  double number = std::strtod(begin, &end);
  // Only decimal numbers: strtod also reads "inf", "nan" and hex.
  bool decimal = end != begin;
  for (const char *c = begin; c < end && decimal; ++c)
    decimal = std::isdigit(static_cast<unsigned char>(*c)) || *c == '.' ||
              *c == '-' || *c == '+' || *c == 'e' || *c == 'E';
  if (!decimal) {
    err = quoted(text) + " is not a number with a unit, such as -65 mV";
    return false;
  }
  if (!std::isfinite(number)) {
    err = quoted(text) + " is out of range";
    return false;
  }
  std::string rest = trimmed(std::string(end));
  unit = !rest.empty();
  Unit u{1.0, Dim::none()};
  if (unit) {
    std::optional<Unit> parsed = parseUnit(rest);
    if (!parsed) {
      err = "unknown unit " + quoted(rest) + " in " + quoted(text) +
            " (known units: " + knownUnitsHint() + ")";
      return false;
    }
    u = *parsed;
  }
  // A power of ten scales the decimal exponent, as the language's literals
  // do: "1.62 mV" is the double nearest 0.00162, not 1.62 * 1e-3.
  double k = std::round(std::log10(u.scale));
  if (u.scale != 1.0 && std::pow(10.0, k) == u.scale && std::fabs(k) < 300) {
    std::string digits(begin, static_cast<const char *>(end));
    long exponent = 0;
    size_t e = digits.find_first_of("eE");
    if (e != std::string::npos) {
      exponent = std::strtol(digits.c_str() + e + 1, nullptr, 10);
      digits.resize(e);
    }
    number = std::strtod(
        (digits + "e" + std::to_string(exponent + long(k))).c_str(), nullptr);
  } else {
    number *= u.scale;
  }
  if (!std::isfinite(number)) {
    err = quoted(text) + " is out of range";
    return false;
  }
  value = number;
  dim = u.dim;
  return true;
}

bool neuro::rt::parseQuantityOf(const std::string &text,
                                const std::string &want,
                                const std::string &what, double &value,
                                std::string &err) {
  Dim dim;
  bool unit = false;
  if (!parseQuantity(text, value, dim, unit, err))
    return false;
  std::optional<Unit> expected =
      want.empty() ? Unit{1.0, Dim::none()} : parseUnit(want);
  if (!expected)
    return true; // a variable of unknown dimension takes any number
  if (!unit && !expected->dim.isDimensionless()) {
    err = what + " is in " + expected->dim.str() +
          ": give the value with its unit, as in " + shortened(trimmed(text)) +
          " " + expected->dim.symbol();
    return false;
  }
  if (unit && dim != expected->dim) {
    err = what + " is in " + expected->dim.str() + ", but " +
          quoted(trimmed(text)) + " is " + dim.str();
    return false;
  }
  return true;
}
