//===- UnitsTest.cpp - The unit table and quantities given as text --------===//

#include "neuro/Runtime/Units.h"

#include <gtest/gtest.h>

using namespace neuro::rt;

namespace {

double quantity(const std::string &text, Dim *dim = nullptr) {
  double value = 0;
  Dim d;
  bool unit = false;
  std::string err;
  EXPECT_TRUE(parseQuantity(text, value, d, unit, err)) << text << ": " << err;
  if (dim)
    *dim = d;
  return value;
}

TEST(Units, QuantitiesAreRoundedAsLiterals) {
  // The double nearest the decimal, not 1.62 * 1e-3 (one ulp off).
  EXPECT_EQ(quantity("1.62 mV"), 0.00162);
  EXPECT_EQ(quantity("-65.1mV"), -0.0651);
  EXPECT_EQ(quantity("2.5e-3 s"), 0.0025);
  EXPECT_EQ(quantity("0.5 nS"), 0.5e-9);
  EXPECT_EQ(quantity("3"), 3.0);
  EXPECT_EQ(quantity("20 kohm"), 20000.0);
}

TEST(Units, CompoundUnitsHaveTheirDimensions) {
  Dim d;
  EXPECT_EQ(quantity("2 mV/ms", &d), 2.0);
  EXPECT_EQ(d, lookupUnit("V")->dim / lookupUnit("s")->dim);
  quantity("1 nS*mV", &d);
  EXPECT_EQ(d, lookupUnit("A")->dim);
  EXPECT_NEAR(quantity("4 1/ms", &d), 4000.0, 1e-9);
  EXPECT_EQ(d, lookupUnit("Hz")->dim);
  quantity("3 um^2", &d);
  EXPECT_EQ(d, lookupUnit("m")->dim.pow(2));
}

TEST(Units, PowersOfAUnitAreTheUnitsPowers) {
  // 20000 um^2 is 20000 (1 um)^2, and a power of ten stays one: um^3 is the
  // double nearest 1e-18 (Brian2's umetre**3), not pow(1e-6, 3).
  Dim d;
  EXPECT_EQ(quantity("20000 um^2", &d), 2e-8);
  EXPECT_EQ(d, lookupUnit("m")->dim.pow(2));
  EXPECT_EQ(quantity("2 um^3"), 2e-18);
  EXPECT_EQ(quantity("0.2 ms^-1"), 200.0);
  EXPECT_EQ(lookupUnit("um^3")->scale, 1e-18);
  EXPECT_EQ(lookupUnit("cm^-2")->scale, 1e4);
  EXPECT_EQ(lookupUnit("ms^-1")->dim, lookupUnit("Hz")->dim);
  EXPECT_FALSE(lookupUnit("foo^2"));
  EXPECT_FALSE(lookupUnit("^2"));
}

TEST(Units, Brian2NamesMeanTheSymbols) {
  // Each of Brian2's names, with a prefix, is its symbol's unit.
  for (auto [name, symbol] : {std::pair("mvolt", "mV"),
                              {"msecond", "ms"},
                              {"namp", "nA"},
                              {"fampere", "fA"},
                              {"nsiemens", "nS"},
                              {"pfarad", "pF"},
                              {"khertz", "kHz"},
                              {"ucoulomb", "uC"},
                              {"mjoule", "mJ"},
                              {"nwatt", "nW"},
                              {"mmole", "mmol"},
                              {"mmolar", "mM"},
                              {"umetre", "um"},
                              {"cmeter", "cm"},
                              {"kilogram", "kg"},
                              {"kelvin", "K"}}) {
    std::optional<Unit> u = lookupUnit(name), s = lookupUnit(symbol);
    ASSERT_TRUE(u && s) << name;
    EXPECT_EQ(u->scale, s->scale) << name;
    EXPECT_EQ(u->dim, s->dim) << name;
  }
  // Squares and cubes of lengths: the doubles nearest the powers of ten.
  EXPECT_EQ(lookupUnit("cm2")->scale, 1e-4);
  EXPECT_EQ(lookupUnit("um2")->scale, 1e-12);
  EXPECT_EQ(lookupUnit("umetre3")->scale, 1e-18);
  EXPECT_EQ(lookupUnit("cm2")->dim, lookupUnit("m")->dim.pow(2));
  EXPECT_EQ(lookupUnit("metre3")->dim, lookupUnit("m")->dim.pow(3));
  // Case after the first letter (the first is a prefix's: m, M).
  EXPECT_EQ(unitSpelledLike("mVolt"), "mvolt");
  EXPECT_EQ(unitSpelledLike("MSecond"), "Msecond");
  EXPECT_EQ(unitSpelledLike("mSECOND"), "msecond");
  EXPECT_EQ(unitSpelledLike("furlong"), "");
  EXPECT_EQ(unitSpelledLike(""), "");
}

TEST(Units, EverySymbolReadsBack) {
  // The compiler writes a row's unit with Dim::symbol; --set reads it.
  Dim halfNoise;
  halfNoise.e[2] = -1; // s^-1/2
  for (Dim d : {Dim::none(), lookupUnit("V")->dim, lookupUnit("nS")->dim,
                lookupUnit("mM")->dim, lookupUnit("V")->dim.pow(3),
                lookupUnit("F")->dim / lookupUnit("m")->dim.pow(2), halfNoise,
                lookupUnit("V")->dim * halfNoise}) {
    std::optional<Unit> u = parseUnit(d.symbol());
    ASSERT_TRUE(u) << d.symbol();
    EXPECT_EQ(u->dim, d) << d.symbol();
    EXPECT_DOUBLE_EQ(u->scale, 1.0) << d.symbol();
  }
}

TEST(Units, MessagesNameDimensionsInTheUnitsOfModels) {
  auto dim = [](const char *unit) { return parseUnit(unit)->dim; };
  EXPECT_EQ(dim("V").str(), "V (voltage)");
  EXPECT_EQ(dim("V/F").str(), "V/F");
  EXPECT_EQ(dim("V^2/s").str(), "V^2/s");
  EXPECT_EQ(dim("A*S/s").str(), "A*S/s");
  EXPECT_EQ(dim("1/V/s").str(), "1/V/s");
  EXPECT_EQ(dim("m^2").str(), "m^2");
  EXPECT_EQ(dim("kg").str(), "kg");
  // Beyond four powers: the SI base units.
  EXPECT_EQ(dim("V^5").str(), "m^10*kg^5*s^-15*A^-5");
  Dim halfNoise;
  halfNoise.e[2] = -1; // s^-1/2
  EXPECT_EQ(halfNoise.str(), "s^-1/2");
  // Whatever form a message takes, it reads back as the dimension.
  for (const char *u : {"V/F", "V^2/s", "A*S/s", "1/V/s", "C/V^2"})
    EXPECT_EQ(parseUnit(dim(u).str())->dim, dim(u)) << u;
}

TEST(Units, MalformedTextIsRefused) {
  double value;
  Dim d;
  bool unit;
  std::string err;
  for (const char *bad : {"", "mV", "fast", "nan", "inf mV", "0x10",
                          "3 furlong", "3 mV/", "3 mV^", "1e400 V", "3 mV**2"})
    EXPECT_FALSE(parseQuantity(bad, value, d, unit, err)) << bad;
}

TEST(Units, QuantitiesOfAVariableMatchItsDimension) {
  double value = 0;
  std::string err;
  EXPECT_TRUE(parseQuantityOf("-65 mV", "V", "'E.v'", value, err));
  EXPECT_EQ(value, -0.065);
  EXPECT_FALSE(parseQuantityOf("25 ms", "V", "'E.v'", value, err));
  EXPECT_EQ(err, "'E.v' is in V (voltage), but '25 ms' is s (time)");
  EXPECT_FALSE(parseQuantityOf("-65", "V", "'E.v'", value, err));
  EXPECT_EQ(err, "'E.v' is in V (voltage): give the value with its unit, as "
                 "in -65 V");
  EXPECT_TRUE(parseQuantityOf("0.5", "1", "'E.u'", value, err));
  EXPECT_EQ(value, 0.5);
}

} // namespace
