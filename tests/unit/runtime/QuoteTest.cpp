//===- QuoteTest.cpp - Text quoted in messages ----------------------------===//
//
// Names and values quoted in errors never send the terminal a control
// character, C0 or C1, and stay one short line.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Quote.h"

#include "gtest/gtest.h"

using namespace neuro::rt;

TEST(Quote, ControlCharactersAreWrittenAsHex) {
  EXPECT_EQ(visible("a\x1b[31mb\x07"), "a\\x1b[31mb\\x07");
  EXPECT_EQ(visible("tab\tkept"), "tab\tkept");
  EXPECT_EQ(visible("del\x7f"), "del\\x7f");
}

TEST(Quote, C1ControlsInUtf8AreWrittenAsHex) {
  // U+009B (CSI) is C2 9B in UTF-8; U+00B5 (micro sign, C2 B5) is text.
  EXPECT_EQ(visible("x\xc2\x9b"
                    "31m"),
            "x\\xc2\\x9b31m");
  EXPECT_EQ(visible("5 \xc2\xb5s"), "5 \xc2\xb5s");
  EXPECT_EQ(neuro::rt::quoted("\xc2\x80"), "'\\xc2\\x80'");
}

TEST(Quote, LongTextIsCut) {
  std::string text(200, 'a');
  EXPECT_EQ(neuro::rt::quoted(text),
            "'" + std::string(60, 'a') + "...' (200 bytes)");
  EXPECT_EQ(neuro::rt::quoted("short"), "'short'");
}
