//===- PixelFont.cpp - A 5x7 bitmap font for the PNG plots ----------------===//
//
// Each glyph is seven rows, top first, in hex: two digits per row, the
// bit 0x10 the leftmost of its five columns (the classic 5x7 character
// set of dot-matrix displays).
//
//===----------------------------------------------------------------------===//

#include "PixelFont.h"

#include <array>
#include <cstdint>
#include <cstdlib>

using namespace neuro;

namespace {

struct Glyph {
  char c;
  const char *rows; ///< 14 hex digits
};

constexpr Glyph kGlyphs[] = {
    {' ', "00000000000000"},  {'!', "04040404040004"}, {'"', "0A0A0A00000000"},
    {'#', "0A0A1F0A1F0A0A"},  {'%', "18190204081303"}, {'\'', "0C040800000000"},
    {'(', "02040808080402"},  {')', "08040202020408"}, {'*', "0004150E150400"},
    {'+', "0004041F040400"},  {',', "000000000C0408"}, {'-', "0000001F000000"},
    {'.', "00000000000C0C"},  {'/', "00010204081000"}, {'0', "0E11131519110E"},
    {'1', "040C040404040E"},  {'2', "0E11010204081F"}, {'3', "1F02040201110E"},
    {'4', "02060A121F0202"},  {'5', "1F101E0101110E"}, {'6', "0608101E11110E"},
    {'7', "1F010204080808"},  {'8', "0E11110E11110E"}, {'9', "0E11110F01020C"},
    {':', "000C0C000C0C00"},  {';', "000C0C000C0408"}, {'<', "02040810080402"},
    {'=', "00001F001F0000"},  {'>', "08040201020408"}, {'?', "0E110102040004"},
    {'A', "0E1111111F1111"},  {'B', "1E11111E11111E"}, {'C', "0E11101010110E"},
    {'D', "1C12111111121C"},  {'E', "1F10101E10101F"}, {'F', "1F10101E101010"},
    {'G', "0E11101711110F"},  {'H', "1111111F111111"}, {'I', "0E04040404040E"},
    {'J', "0702020202120C"},  {'K', "11121418141211"}, {'L', "1010101010101F"},
    {'M', "111B1515111111"},  {'N', "11111915131111"}, {'O', "0E11111111110E"},
    {'P', "1E11111E101010"},  {'Q', "0E11111115120D"}, {'R', "1E11111E141211"},
    {'S', "0F10100E01011E"},  {'T', "1F040404040404"}, {'U', "1111111111110E"},
    {'V', "11111111110A04"},  {'W', "1111111515150A"}, {'X', "11110A040A1111"},
    {'Y', "1111110A040404"},  {'Z', "1F01020408101F"}, {'[', "0E08080808080E"},
    {'\\', "00100804020100"}, {']', "0E02020202020E"}, {'^', "040A1100000000"},
    {'_', "0000000000001F"},  {'a', "00000E010F110F"}, {'b', "1010161911111E"},
    {'c', "00000E1010110E"},  {'d', "01010D1311110F"}, {'e', "00000E111F100E"},
    {'f', "0609081C080808"},  {'g', "00000F110F010E"}, {'h', "10101619111111"},
    {'i', "04000C0404040E"},  {'j', "0200060202120C"}, {'k', "10101214181412"},
    {'l', "0C04040404040E"},  {'m', "00001A15151111"}, {'n', "00001619111111"},
    {'o', "00000E1111110E"},  {'p', "00001E111E1010"}, {'q', "00000D130F0101"},
    {'r', "00001619101010"},  {'s', "00000E100E011E"}, {'t', "08081C08080906"},
    {'u', "0000111111130D"},  {'v', "00001111110A04"}, {'w', "0000111115150A"},
    {'x', "0000110A040A11"},  {'y', "000011110F010E"}, {'z', "00001F0204081F"},
    {'|', "04040404040404"},
};

using Rows = std::array<uint8_t, font::kGlyphHeight>;

/// The rows of every character, '?' where there is no glyph.
const std::array<Rows, 128> &table() {
  static const std::array<Rows, 128> rows = [] {
    std::array<Rows, 128> out{};
    auto parse = [](const char *hex) {
      Rows r{};
      for (int y = 0; y < font::kGlyphHeight; ++y) {
        char byte[3] = {hex[2 * y], hex[2 * y + 1], 0};
        r[size_t(y)] = uint8_t(std::strtoul(byte, nullptr, 16));
      }
      return r;
    };
    Rows unknown{};
    for (const Glyph &g : kGlyphs)
      if (g.c == '?')
        unknown = parse(g.rows);
    out.fill(unknown);
    for (const Glyph &g : kGlyphs)
      out[size_t(g.c)] = parse(g.rows);
    return out;
  }();
  return rows;
}

} // namespace

bool font::pixel(char c, int x, int y) {
  if (x < 0 || y < 0 || x >= kGlyphWidth || y >= kGlyphHeight)
    return false;
  unsigned char u = static_cast<unsigned char>(c);
  const Rows &rows = table()[u < 128 ? u : '?'];
  return (rows[size_t(y)] >> (kGlyphWidth - 1 - x)) & 1;
}

int font::width(const std::string &text, int scale) {
  return text.empty() ? 0 : (int(text.size()) * kAdvance - 1) * scale;
}

void font::draw(const std::string &text, int x, int y, int scale, bool upward,
                const std::function<void(int, int)> &plot) {
  for (size_t k = 0; k < text.size(); ++k)
    for (int gy = 0; gy < kGlyphHeight; ++gy)
      for (int gx = 0; gx < kGlyphWidth; ++gx) {
        if (!pixel(text[k], gx, gy))
          continue;
        // Along the text and across it, in glyph pixels.
        int along = int(k) * kAdvance + gx;
        for (int sy = 0; sy < scale; ++sy)
          for (int sx = 0; sx < scale; ++sx) {
            if (upward)
              plot(x + gy * scale + sy, y - along * scale - sx - 1);
            else
              plot(x + along * scale + sx, y + gy * scale + sy);
          }
      }
}
