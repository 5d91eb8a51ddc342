//===- Plot.cpp - Plots of a run's recordings, without Python -------------===//
//
// Figures are drawn twice from one description: as SVG and as PNG, both
// with the title, axis labels and tick values (the PNG's in a built-in 5x7
// pixel font, PixelFont.h). The PNG encoder writes stored (uncompressed)
// deflate blocks, which every PNG reader accepts.
//
//===----------------------------------------------------------------------===//

#include "Plot.h"
#include "PixelFont.h"

#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace neuro;

namespace {

//===----------------------------------------------------------------------===//
// Reading .npy files Neuro writes
//===----------------------------------------------------------------------===//

struct Npy {
  rt::NpyHeader header;
  std::string data;
};

/// Reads `path`, a regular file with a .npy header; its data may be shorter
/// than the header says (a recording cut short).
bool readNpy(const std::string &path, Npy &out, std::string &err) {
  std::string bytes, why;
  if (!rt::readWholeFile(path, bytes, err))
    return false;
  if (!rt::parseNpyHeader(bytes, out.header, why)) {
    err = "'" + path + "' is not a .npy file Neuro wrote: " + why;
    return false;
  }
  out.data = bytes.substr(out.header.dataOffset);
  return true;
}

/// Whether `n` has fields `types` (name, type), in order.
bool hasFields(const Npy &n,
               std::vector<std::pair<const char *, const char *>> types) {
  const std::vector<rt::NpyHeader::Field> &fields = n.header.fields;
  if (fields.size() != types.size() || n.header.fortranOrder)
    return false;
  for (size_t k = 0; k < fields.size(); ++k)
    if (fields[k].name != types[k].first || fields[k].type != types[k].second)
      return false;
  return true;
}

/// A file name recordings.json may give: one plain name in the folder.
bool plainFileName(llvm::StringRef name) {
  if (name.empty() || name.starts_with(".") || name.contains(".."))
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' &&
        c != '-')
      return false;
  return true;
}

/// A population or projection name: an identifier.
bool identifier(llvm::StringRef name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

std::vector<double> asDoubles(const Npy &n) {
  std::vector<double> v(n.data.size() / 8);
  std::memcpy(v.data(), n.data.data(), v.size() * 8);
  return v;
}

//===----------------------------------------------------------------------===//
// Figures
//===----------------------------------------------------------------------===//

struct Figure {
  std::string title, xlabel, ylabel;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  std::vector<std::pair<double, double>> points;             ///< dots
  std::vector<std::array<double, 3>> bars;                   ///< x0, x1, h
  std::vector<std::vector<std::pair<double, double>>> lines; ///< traces
};

constexpr int kWidth = 800, kHeight = 500;
constexpr int kLeft = 80, kRight = 20, kTop = 40, kBottom = 55;

const char *kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                         "#9467bd", "#8c564b", "#e377c2", "#17becf"};

/// About five round tick values in [lo, hi].
std::vector<double> ticks(double lo, double hi) {
  std::vector<double> out;
  double span = hi - lo;
  if (!(span > 0))
    return {lo};
  double step = std::pow(10.0, std::floor(std::log10(span / 5)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (span / (step * m) <= 6) {
      step *= m;
      break;
    }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

double px(const Figure &f, double x) {
  return kLeft + (x - f.x0) / (f.x1 - f.x0) * (kWidth - kLeft - kRight);
}
double py(const Figure &f, double y) {
  return kHeight - kBottom -
         (y - f.y0) / (f.y1 - f.y0) * (kHeight - kTop - kBottom);
}

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s)
    out += c == '<'   ? "&lt;"
           : c == '>' ? "&gt;"
           : c == '&' ? "&amp;"
                      : std::string(1, c);
  return out;
}

std::string svg(const Figure &f) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth
     << "\" height=\"" << kHeight << "\" font-family=\"sans-serif\" "
     << "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
        "fill=\"white\"/>\n";
  os << "<text x=\"" << kWidth / 2 << "\" y=\"24\" text-anchor=\"middle\" "
     << "font-size=\"15\">" << escape(f.title) << "</text>\n";
  for (const auto &b : f.bars)
    os << llvm::format("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                       "height=\"%.2f\" fill=\"%s\"/>\n",
                       px(f, b[0]), py(f, b[2]),
                       std::max(0.5, px(f, b[1]) - px(f, b[0])),
                       py(f, f.y0) - py(f, b[2]), kColors[0]);
  // Large rasters: every k-th spike, so the file stays small.
  size_t every = std::max<size_t>(1, f.points.size() / 100000);
  for (size_t n = 0; n < f.points.size(); n += every)
    os << llvm::format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1\"/>\n",
                       px(f, f.points[n].first), py(f, f.points[n].second));
  // A non-finite sample (a run that blew up) breaks the line, as in the
  // PNG.
  for (size_t l = 0; l < f.lines.size(); ++l) {
    bool open = false;
    for (const auto &[x, y] : f.lines[l]) {
      if (!std::isfinite(px(f, x)) || !std::isfinite(py(f, y))) {
        if (open)
          os << "\"/>\n";
        open = false;
        continue;
      }
      if (!open)
        os << "<polyline fill=\"none\" stroke-width=\"1\" stroke=\""
           << kColors[l % 8] << "\" points=\"";
      open = true;
      os << llvm::format("%.1f,%.1f ", px(f, x), py(f, y));
    }
    if (open)
      os << "\"/>\n";
  }
  // Axes, ticks and labels.
  os << llvm::format("<path d=\"M%d %d V%d H%d\" stroke=\"black\" "
                     "fill=\"none\"/>\n",
                     kLeft, kTop, kHeight - kBottom, kWidth - kRight);
  for (double t : ticks(f.x0, f.x1))
    os << llvm::format("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                       "stroke=\"black\"/><text x=\"%.1f\" y=\"%d\" "
                       "text-anchor=\"middle\">%g</text>\n",
                       px(f, t), kHeight - kBottom, px(f, t),
                       kHeight - kBottom + 5, px(f, t), kHeight - kBottom + 18,
                       t);
  for (double t : ticks(f.y0, f.y1))
    os << llvm::format("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                       "stroke=\"black\"/><text x=\"%d\" y=\"%.1f\" "
                       "text-anchor=\"end\">%g</text>\n",
                       kLeft - 5, py(f, t), kLeft, py(f, t), kLeft - 8,
                       py(f, t) + 4, t);
  os << "<text x=\"" << (kLeft + kWidth - kRight) / 2 << "\" y=\""
     << kHeight - 12 << "\" text-anchor=\"middle\">" << escape(f.xlabel)
     << "</text>\n<text transform=\"translate(18 "
     << (kTop + kHeight - kBottom) / 2
     << ") rotate(-90)\" text-anchor=\"middle\">" << escape(f.ylabel)
     << "</text>\n</svg>\n";
  return s;
}

//===----------------------------------------------------------------------===//
// PNG
//===----------------------------------------------------------------------===//

class Raster {
public:
  Raster() : rgb(size_t(kWidth) * kHeight * 3, 255) {}
  void set(int x, int y, uint32_t c) {
    if (x < 0 || y < 0 || x >= kWidth || y >= kHeight)
      return;
    uint8_t *p = &rgb[(size_t(y) * kWidth + size_t(x)) * 3];
    p[0] = uint8_t(c >> 16);
    p[1] = uint8_t(c >> 8);
    p[2] = uint8_t(c);
  }
  /// A line of the part of segment (x0, y0)-(x1, y1) on the canvas
  /// (Liang-Barsky); nothing for a non-finite end (an infinite sample).
  void line(double x0, double y0, double x1, double y1, uint32_t c) {
    double dx = x1 - x0, dy = y1 - y0, lo = 0, hi = 1;
    if (!std::isfinite(dx) || !std::isfinite(dy))
      return;
    for (auto [p, q] : {std::pair(-dx, x0 + 1), std::pair(dx, kWidth - x0),
                        std::pair(-dy, y0 + 1), std::pair(dy, kHeight - y0)}) {
      if (p == 0 && q < 0)
        return;
      if (p < 0)
        lo = std::max(lo, q / p);
      else if (p > 0)
        hi = std::min(hi, q / p);
    }
    if (lo > hi)
      return;
    double ax = x0 + lo * dx, ay = y0 + lo * dy;
    double bx = x0 + hi * dx, by = y0 + hi * dy;
    int n = int(std::max(std::abs(bx - ax), std::abs(by - ay))) + 1;
    for (int k = 0; k <= n; ++k)
      set(int(std::lround(ax + (bx - ax) * k / n)),
          int(std::lround(ay + (by - ay) * k / n)), c);
  }
  /// The part of a rectangle on the canvas.
  void fill(double x0, double y0, double x1, double y1, uint32_t c) {
    if (!std::isfinite(x0) || !std::isfinite(x1) || !std::isfinite(y0) ||
        !std::isfinite(y1))
      return;
    auto clip = [](double v, int size) {
      return int(std::lround(std::clamp(v, -1.0, double(size))));
    };
    for (int y = clip(std::min(y0, y1), kHeight);
         y <= clip(std::max(y0, y1), kHeight); ++y)
      for (int x = clip(x0, kWidth); x <= clip(x1, kWidth); ++x)
        set(x, y, c);
  }
  std::vector<uint8_t> rgb;
};

uint32_t color(const char *hex) {
  return uint32_t(std::strtoul(hex + 1, nullptr, 16));
}

uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc = 0) {
  static std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i)
    crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

void be32(std::string &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out += char((v >> s) & 0xff);
}

void chunk(std::string &out, const char *type, const std::string &data) {
  be32(out, uint32_t(data.size()));
  std::string typed = std::string(type, 4) + data;
  out += typed;
  be32(out,
       crc32(reinterpret_cast<const uint8_t *>(typed.data()), typed.size()));
}

std::string png(const Raster &r) {
  // Rows with filter byte 0, in a zlib stream of stored deflate blocks.
  std::string raw;
  for (int y = 0; y < kHeight; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char *>(&r.rgb[size_t(y) * kWidth * 3]),
               size_t(kWidth) * 3);
  }
  std::string z = "\x78\x01";
  for (size_t at = 0; at < raw.size(); at += 65535) {
    size_t n = std::min<size_t>(65535, raw.size() - at);
    z += char(at + n == raw.size() ? 1 : 0);
    z += char(n & 0xff);
    z += char(n >> 8);
    z += char(~n & 0xff);
    z += char((~n >> 8) & 0xff);
    z.append(raw, at, n);
  }
  uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  be32(z, (b << 16) | a);
  std::string out("\x89PNG\r\n\x1a\n", 8), ihdr;
  be32(ihdr, kWidth);
  be32(ihdr, kHeight);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5); // 8-bit RGB
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", z);
  chunk(out, "IEND", "");
  return out;
}

/// Where text is anchored: its left end, middle or right end at x.
enum class Anchor { Start, Middle, End };

/// `text` in the pixel font, black: horizontal with its top at y, or
/// `upward` (a y label) centred on y with its left side at x.
void text(Raster &r, const std::string &s, double x, double y, int scale,
          Anchor anchor, bool upward = false) {
  int w = font::width(s, scale);
  int shift = anchor == Anchor::Start    ? 0
              : anchor == Anchor::Middle ? w / 2
                                         : w;
  int at = int(std::lround(x)), top = int(std::lround(y));
  auto plot = [&](int px, int py) { r.set(px, py, 0); };
  if (upward)
    font::draw(s, at, top + shift, scale, true, plot);
  else
    font::draw(s, at - shift, top, scale, false, plot);
}

std::string tickText(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", t);
  return buf;
}

std::string pngOf(const Figure &f) {
  Raster r;
  for (const auto &b : f.bars)
    r.fill(px(f, b[0]), py(f, b[2]), px(f, b[1]), py(f, f.y0),
           color(kColors[0]));
  for (const auto &[x, y] : f.points)
    r.fill(px(f, x) - 0.5, py(f, y) - 0.5, px(f, x) + 0.5, py(f, y) + 0.5, 0);
  for (size_t l = 0; l < f.lines.size(); ++l)
    for (size_t k = 1; k < f.lines[l].size(); ++k)
      r.line(px(f, f.lines[l][k - 1].first), py(f, f.lines[l][k - 1].second),
             px(f, f.lines[l][k].first), py(f, f.lines[l][k].second),
             color(kColors[l % 8]));
  r.line(kLeft, kTop, kLeft, kHeight - kBottom, 0);
  r.line(kLeft, kHeight - kBottom, kWidth - kRight, kHeight - kBottom, 0);
  // Text where the SVG has it: tick values under and left of the ticks,
  // the title above, the labels below and left of the axes.
  for (double t : ticks(f.x0, f.x1)) {
    r.line(px(f, t), kHeight - kBottom, px(f, t), kHeight - kBottom + 5, 0);
    text(r, tickText(t), px(f, t), kHeight - kBottom + 10, 1, Anchor::Middle);
  }
  for (double t : ticks(f.y0, f.y1)) {
    r.line(kLeft - 5, py(f, t), kLeft, py(f, t), 0);
    text(r, tickText(t), kLeft - 8, py(f, t) - 3, 1, Anchor::End);
  }
  text(r, f.title, kWidth / 2.0, 10, 2, Anchor::Middle);
  text(r, f.xlabel, (kLeft + kWidth - kRight) / 2.0, kHeight - 26, 2,
       Anchor::Middle);
  text(r, f.ylabel, 12, (kTop + kHeight - kBottom) / 2.0, 2, Anchor::Middle,
       /*upward=*/true);
  return png(r);
}

bool save(const std::string &dir, const std::string &name, const Figure &f,
          std::vector<std::string> &written, std::string &err) {
  for (auto [ext, text] : {std::pair<const char *, std::string>{".svg", svg(f)},
                           {".png", pngOf(f)}}) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name + ext);
    if (!rt::writeWholeFile(std::string(path), text, err))
      return false;
    written.push_back(std::string(path));
  }
  return true;
}

/// [lo, hi] widened when empty, with a little room.
void range(double &lo, double &hi) {
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
}

} // namespace

namespace {

/// Draws the files recordings.json lists, one entry at a time.
class Plotter {
public:
  Plotter(const std::string &dir, const std::string &metaPath,
          const llvm::json::Object &pops, double duration,
          std::vector<std::string> &written, std::vector<std::string> &warnings,
          std::string &err)
      : dir(dir), metaPath(metaPath), pops(pops), duration(duration),
        written(written), warnings(warnings), err(err) {}

  /// The entry `name` of "files"; false and `err` when it is malformed.
  bool entry(const std::string &name, const llvm::json::Value *value) {
    // Names become paths: plain names in the folder only.
    const llvm::json::Object *info = value ? value->getAsObject() : nullptr;
    if (!info)
      return bad("the entry of '" + name + "' in \"files\" is not an object");
    if (!plainFileName(name))
      return bad("'" + name + "' is not a plain file name in the folder");
    llvm::StringRef kind = info->getString("kind").value_or("");
    if (kind == "spikes")
      return spikes(name, *info);
    if (kind == "state" || kind == "synapse variable")
      return trace(name, *info);
    return true;
  }

private:
  bool bad(const std::string &why) {
    err = "'" + metaPath + "': " + why;
    return false;
  }

  std::string path(llvm::StringRef name) const {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

  /// A raster and a rate histogram.
  bool spikes(const std::string &name, const llvm::json::Object &info) {
    std::string pop = info.getString("population").value_or("").str();
    if (!identifier(pop))
      return bad("the population '" + pop + "' of '" + name +
                 "' is not a name");
    Npy n;
    if (!readNpy(path(name), n, err))
      return false;
    if (!hasFields(n, {{"i", "<i4"}, {"t", "<f8"}}))
      return bad("'" + name + "' does not hold spikes (fields i, t)");
    int64_t size = 1;
    if (const llvm::json::Object *p = pops.getObject(pop))
      size = std::clamp<int64_t>(p->getInteger("neurons").value_or(1), 1,
                                 int64_t(1) << 40);
    // A slice's spikes ("neurons": [b, e]): its rate is per neuron of it.
    double first = 0, end = double(size);
    if (const llvm::json::Array *range = info.getArray("neurons")) {
      auto b = range->size() == 2 ? (*range)[0].getAsInteger() : std::nullopt;
      auto e = range->size() == 2 ? (*range)[1].getAsInteger() : std::nullopt;
      if (b && e && *b >= 0 && *b < *e && *e <= size)
        first = double(*b), end = double(*e);
      else
        warnings.push_back("'" + metaPath + "': the neurons of '" + name +
                           "' are not a range [b, e] of the population's " +
                           std::to_string(size) + ": drawn as all of them");
    }
    size_t count = n.data.size() / 12;
    uint64_t promised = n.header.shape.empty() ? 0 : n.header.shape[0];
    if (count < promised || n.data.size() % 12)
      warnings.push_back("'" + path(name) + "' holds " + std::to_string(count) +
                         " of the " + std::to_string(promised) +
                         " spikes its header gives (cut short?): drawn are "
                         "those");
    count = std::min<uint64_t>(count, promised);
    Figure raster;
    raster.title = "spikes of " + pop;
    raster.xlabel = "time (s)";
    raster.ylabel = "neuron";
    raster.x1 = duration > 0 ? duration : 1;
    raster.y0 = first - 0.5;
    raster.y1 = end - 0.5;
    std::vector<double> times;
    size_t strays = 0;
    for (size_t k = 0; k < count; ++k) {
      int32_t i;
      double t;
      std::memcpy(&i, n.data.data() + 12 * k, 4);
      std::memcpy(&t, n.data.data() + 12 * k + 4, 8);
      if (!std::isfinite(t) || t < 0 || i < first || i >= end) {
        ++strays;
        continue;
      }
      raster.points.push_back({t, double(i)});
      times.push_back(t);
    }
    if (strays)
      warnings.push_back("'" + path(name) + "' holds " +
                         std::to_string(strays) +
                         " spikes of neurons outside the recorded ones or "
                         "at times that are not finite and >= 0: left out");
    if (!save(dir, "raster_" + pop, raster, written, err))
      return false;
    Figure rate;
    rate.title = "rate of " + pop;
    rate.xlabel = "time (s)";
    rate.ylabel = "rate (Hz)";
    rate.x1 = raster.x1;
    int bins = 100;
    double width = rate.x1 / bins;
    std::vector<double> counts(size_t(bins), 0);
    for (double t : times)
      if (std::isfinite(t))
        counts[size_t(std::clamp(t / width, 0.0, double(bins - 1)))] += 1;
    double top = 0;
    for (int b = 0; b < bins; ++b) {
      double hz = counts[size_t(b)] / ((end - first) * width);
      rate.bars.push_back({b * width, (b + 1) * width, hz});
      top = std::max(top, hz);
    }
    rate.y1 = top > 0 ? top * 1.05 : 1;
    return save(dir, "rate_" + pop, rate, written, err);
  }

  /// Traces of up to eight columns of a state or synapse recording.
  bool trace(const std::string &name, const llvm::json::Object &info) {
    Npy n, t;
    std::string times = info.getString("times").value_or("").str();
    if (!plainFileName(times))
      return bad("'" + times + "' (the times of '" + name +
                 "') is not a plain file name in the folder");
    if (!readNpy(path(name), n, err) || !readNpy(path(times), t, err))
      return false;
    if (!hasFields(n, {{"", "<f8"}}) || !hasFields(t, {{"", "<f8"}}))
      return bad("'" + name + "' or '" + times + "' does not hold numbers");
    if (n.header.shape.size() != 2 || n.header.shape[1] == 0)
      return true;
    std::vector<double> values = asDoubles(n), ts = asDoubles(t);
    size_t cols = size_t(n.header.shape[1]);
    // A file cut short holds fewer rows than its header says.
    uint64_t promised = n.header.shape[0];
    uint64_t timesPromised = t.header.shape.empty() ? 0 : t.header.shape[0];
    size_t held = values.size() / cols;
    if (held < promised)
      warnings.push_back("'" + path(name) + "' holds " + std::to_string(held) +
                         " of the " + std::to_string(promised) +
                         " samples its header gives (cut short?)");
    if (ts.size() < timesPromised)
      warnings.push_back("'" + path(times) + "' holds " +
                         std::to_string(ts.size()) + " of the " +
                         std::to_string(timesPromised) +
                         " times its header gives (cut short?)");
    if (timesPromised != promised)
      warnings.push_back("'" + path(times) + "' gives " +
                         std::to_string(timesPromised) + " times for the " +
                         std::to_string(promised) + " samples of '" + name +
                         "'");
    size_t samples = size_t(std::min<uint64_t>(promised, ts.size()));
    samples = std::min(samples, held);
    if (samples < std::max<uint64_t>(promised, timesPromised))
      warnings.push_back("the trace of '" + name + "' draws " +
                         std::to_string(samples) + " samples");
    Figure trace;
    std::string var = info.getString("variable").value_or("").str();
    std::string unit = info.getString("unit").value_or("").str();
    std::string owner = info.getString("population")
                            .value_or(info.getString("projection").value_or(""))
                            .str();
    trace.title = var + " of " + owner +
                  (cols > 8 ? " (first 8 of " + std::to_string(cols) + ")"
                            : std::string());
    trace.xlabel = "time (s)";
    trace.ylabel = var + (unit.empty() || unit == "1" ? "" : " (" + unit + ")");
    trace.x1 = duration > 0 ? duration : 1;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t c = 0; c < std::min<size_t>(cols, 8); ++c) {
      trace.lines.emplace_back();
      for (size_t s = 0; s < samples; ++s) {
        double v = values[s * cols + c];
        trace.lines.back().push_back({ts[s], v});
        if (std::isfinite(v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
    }
    if (!std::isfinite(lo))
      lo = hi = 0;
    range(lo, hi);
    double pad = (hi - lo) * 0.05;
    trace.y0 = lo - pad;
    trace.y1 = hi + pad;
    llvm::StringRef stem = llvm::StringRef(name);
    stem.consume_back(".npy");
    return save(dir, "trace_" + stem.str(), trace, written, err);
  }

  const std::string &dir, &metaPath;
  const llvm::json::Object &pops;
  double duration;
  std::vector<std::string> &written;
  std::vector<std::string> &warnings;
  std::string &err;
};

} // namespace

bool neuro::plotRecordings(const std::string &dir,
                           std::vector<std::string> &written,
                           std::vector<std::string> &warnings,
                           std::string &err) {
  llvm::SmallString<256> metaPath(dir);
  llvm::sys::path::append(metaPath, "recordings.json");
  std::string text;
  if (!llvm::sys::fs::exists(metaPath)) {
    err = "no recordings in '" + dir + "' (no recordings.json)";
    return false;
  }
  if (!rt::readWholeFile(std::string(metaPath), text, err))
    return false;
  if (rt::jsonTooDeep(text)) {
    err = "'" + std::string(metaPath) +
          "' nests arrays and objects more "
          "than " +
          std::to_string(rt::kMaxJsonDepth) + " deep";
    return false;
  }
  auto parsed = llvm::json::parse(text);
  if (!parsed) {
    err = "'" + std::string(metaPath) +
          "': " + llvm::toString(parsed.takeError());
    return false;
  }
  const llvm::json::Object *meta = parsed->getAsObject();
  const llvm::json::Object *files = meta ? meta->getObject("files") : nullptr;
  const llvm::json::Object *pops =
      meta ? meta->getObject("populations") : nullptr;
  if (!files || !pops) {
    err = "'" + std::string(metaPath) + "' lists no files";
    return false;
  }
  double dt = meta->getNumber("dt_s").value_or(1e-4);
  double duration = double(meta->getInteger("steps").value_or(0)) * dt;
  if (!std::isfinite(duration) || duration > 1e15 || !(dt > 0)) {
    duration = 0;
    warnings.push_back("'" + std::string(metaPath) +
                       "' gives no positive dt_s and steps: the time axes "
                       "are drawn to 1 s");
  }
  // Files in name order, so the plots come out in a stable order.
  std::vector<std::string> names;
  for (const auto &kv : *files)
    names.push_back(kv.first.str());
  std::sort(names.begin(), names.end());
  std::string metaName = std::string(metaPath);
  Plotter plotter(dir, metaName, *pops, duration, written, warnings, err);
  for (const std::string &name : names)
    if (!plotter.entry(name, files->get(name)))
      return false;
  if (written.empty()) {
    err = "no spikes or states recorded in '" + dir + "'";
    for (const std::string &name : names)
      if (const llvm::json::Object *info = files->getObject(name);
          info && info->getString("kind") == "spike report")
        err = "nothing to plot in '" + dir + "': its spikes are in the " +
              "SONATA report " + name + " (plot reads .npy files: run with " +
              "--spikes-format npy,sonata for both)";
    return false;
  }
  return true;
}
