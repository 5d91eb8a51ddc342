//===- PixelFont.h - A 5x7 bitmap font for the PNG plots --------*- C++ -*-===//
//
// `neuroc plot` writes PNG files without a font library: titles, axis
// labels and tick values are drawn from this table of 5x7 glyphs (digits,
// letters, and the punctuation of numbers, units and names), one pixel of
// the glyph as a square of `scale` pixels, with one column between
// characters.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_TOOLS_PIXELFONT_H
#define NEURO_TOOLS_PIXELFONT_H

#include <functional>
#include <string>

namespace neuro::font {

constexpr int kGlyphWidth = 5, kGlyphHeight = 7;
/// From one character to the next: the glyph and a blank column.
constexpr int kAdvance = kGlyphWidth + 1;

/// Whether pixel (x, y) of the glyph of `c` is set (x from the left, y
/// from the top); characters without a glyph are drawn as '?'.
bool pixel(char c, int x, int y);

/// The width of `text` drawn at `scale`, without the trailing gap.
int width(const std::string &text, int scale);

/// Calls `plot(x, y)` for each pixel of `text` at `scale`. Horizontal text
/// has its top-left corner at (x, y); `upward` text is turned a quarter
/// counterclockwise (read from bottom to top, as a y-axis label) with the
/// bottom-left corner of its first character at (x, y).
void draw(const std::string &text, int x, int y, int scale, bool upward,
          const std::function<void(int, int)> &plot);

} // namespace neuro::font

#endif // NEURO_TOOLS_PIXELFONT_H
