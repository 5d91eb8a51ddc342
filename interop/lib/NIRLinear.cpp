//===- NIRLinear.cpp - NIR's linear nodes as sparse maps ------------------===//
//
// Every node between two neuron nodes is linear: Affine (W x + b), Linear,
// Scale, Delay, Flatten, convolutions and pooling. Each becomes a sparse
// map over the flattened (C order) arrays, and chains of them are composed
// into one map per pair of populations: the synapse list of a projection.
// Convolutions follow PyTorch's definition (NIR's): output [co, y, x] =
// bias[co] + sum over ci, dy, dx of weight[co, ci, dy, dx] *
// input[g * Cin/groups + ci, y * stride - pad + dy * dilation, ...], with
// zero padding; sum pooling adds a window, average pooling divides the
// sum by the window's size.
//
//===----------------------------------------------------------------------===//

#include "NIRInternal.h"
#include "neuro/Runtime/Network.h"

#include <cmath>
#include <cstdio>
#include <map>

using namespace neuro;
using namespace neuro::nir;

LinearMap LinearMap::identity(int64_t n) {
  LinearMap m;
  m.inSize = m.outSize = n;
  m.rows.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i)
    m.rows[size_t(i)].push_back({i, 1.0, 0});
  m.bias.assign(size_t(n), 0.0);
  return m;
}

namespace {

/// A parameter of `dims` whole numbers (a single value is repeated).
std::vector<int64_t> ints(const FlatGraph &g, const FlatNode &n,
                          const std::string &name, size_t dims) {
  const h5::Array &a = param(g, n, name);
  if (a.size() != 1 && a.size() != dims)
    throw Error(nodeWhere(g, n) + ": '" + name + "' must hold 1 or " +
                std::to_string(dims) + " values, found shape " +
                a.shapeString());
  std::vector<int64_t> out;
  for (size_t i = 0; i < dims; ++i) {
    double v = a.numbers[a.size() == 1 ? 0 : i];
    if (v != std::floor(v))
      throw Error(nodeWhere(g, n) + ": '" + name + "' must be whole numbers");
    out.push_back(int64_t(v));
  }
  return out;
}

/// The geometry of a convolution or pooling over `dims` spatial axes.
struct Window {
  int64_t channels = 1;                 ///< input channels
  std::vector<int64_t> in, out, kernel; ///< per spatial axis
  std::vector<int64_t> stride, padLeft, dilation;
};

Window window(const FlatGraph &g, FlatNode &n, size_t dims, bool pooling) {
  Window w;
  if (pooling) {
    w.kernel = ints(g, n, "kernel_size", dims);
    w.dilation.assign(dims, 1);
  } else {
    const h5::Array &weight = param(g, n, "weight");
    if (weight.shape.size() != dims + 2)
      throw Error(nodeWhere(g, n) + ": weight must have " +
                  std::to_string(dims + 2) +
                  " dimensions (out channels, in channels, kernel), found " +
                  weight.shapeString());
    for (size_t d = 0; d < dims; ++d)
      w.kernel.push_back(int64_t(weight.shape[2 + d]));
    w.dilation = ints(g, n, "dilation", dims);
    w.channels = int64_t(weight.shape[1]) * ints(g, n, "groups", 1)[0];
  }
  w.stride = ints(g, n, "stride", dims);
  // The input's spatial shape: `input_shape` (convolutions), else the
  // input node's shape.
  std::vector<uint64_t> spatial;
  if (const h5::Array *s = optParam(n, "input_shape"); s && !pooling) {
    for (double v : s->numbers)
      spatial.push_back(uint64_t(v));
  } else if (n.inShape.size() == dims + 1) {
    spatial.assign(n.inShape.begin() + 1, n.inShape.end());
    w.channels = int64_t(n.inShape[0]);
  } else {
    throw Error(nodeWhere(g, n) + ": needs an input of shape (channels, " +
                (dims == 1 ? "length" : "height, width") + "), found " +
                h5::shapeString(n.inShape));
  }
  if (spatial.size() != dims)
    throw Error(nodeWhere(g, n) + ": input_shape must have " +
                std::to_string(dims) + " values");
  w.in.assign(spatial.begin(), spatial.end());
  std::vector<uint64_t> full = {uint64_t(w.channels)};
  full.insert(full.end(), spatial.begin(), spatial.end());
  if (!n.inShape.empty() && count(n.inShape) != count(full))
    throw Error(nodeWhere(g, n) + ": expects an input of shape " +
                h5::shapeString(full) + " but '" + n.preds[0] + "' gives " +
                h5::shapeString(n.inShape));
  n.inShape = full;
  // Padding: whole numbers, or "valid" / "same" as PyTorch takes them.
  const h5::Array &pad = param(g, n, "padding");
  std::vector<int64_t> padRight;
  if (pad.kind == h5::Kind::String) {
    std::string mode = pad.strings.empty() ? "" : pad.strings[0];
    for (size_t d = 0; d < dims; ++d) {
      int64_t total = mode == "same" ? w.dilation[d] * (w.kernel[d] - 1) : 0;
      if (mode != "same" && mode != "valid")
        throw Error(nodeWhere(g, n) + ": padding '" + mode +
                    "' is none of valid, same or whole numbers");
      w.padLeft.push_back(total / 2);
      padRight.push_back(total - total / 2);
    }
  } else {
    w.padLeft = ints(g, n, "padding", dims);
    padRight = w.padLeft;
  }
  for (size_t d = 0; d < dims; ++d) {
    int64_t span = w.dilation[d] * (w.kernel[d] - 1) + 1;
    int64_t room = w.in[d] + w.padLeft[d] + padRight[d] - span;
    if (w.stride[d] < 1 || w.kernel[d] < 1 || room < 0)
      throw Error(nodeWhere(g, n) +
                  ": kernel, stride and padding do not fit "
                  "an input of shape " +
                  h5::shapeString(n.inShape));
    w.out.push_back(room / w.stride[d] + 1);
  }
  return w;
}

bool isWindowType(const std::string &t, size_t &dims, bool &pooling) {
  pooling = t == "SumPool2d" || t == "AvgPool2d";
  dims = t == "Conv1d" ? 1 : 2;
  return t == "Conv1d" || t == "Conv2d" || pooling;
}

/// Calls f(out index, in index, kernel offset) for every pair the window
/// connects, over `channels` input channels per output channel given by
/// `inChannel(outChannel, k)`.
template <typename F>
void forEachTap(const Window &w, int64_t outChannels, int64_t inPerOut, F f) {
  size_t dims = w.in.size();
  int64_t inArea = 1, outArea = 1, kArea = 1;
  for (size_t d = 0; d < dims; ++d) {
    inArea *= w.in[d];
    outArea *= w.out[d];
    kArea *= w.kernel[d];
  }
  std::vector<int64_t> o(dims), k(dims);
  for (int64_t co = 0; co < outChannels; ++co)
    for (int64_t oi = 0; oi < outArea; ++oi) {
      for (int64_t r = oi, d = int64_t(dims) - 1; d >= 0; --d) {
        o[size_t(d)] = r % w.out[size_t(d)];
        r /= w.out[size_t(d)];
      }
      for (int64_t c = 0; c < inPerOut; ++c)
        for (int64_t ki = 0; ki < kArea; ++ki) {
          int64_t in = 0;
          bool inside = true;
          for (int64_t r = ki, d = int64_t(dims) - 1; d >= 0; --d) {
            k[size_t(d)] = r % w.kernel[size_t(d)];
            r /= w.kernel[size_t(d)];
          }
          for (size_t d = 0; d < dims; ++d) {
            int64_t x =
                o[d] * w.stride[d] - w.padLeft[d] + k[d] * w.dilation[d];
            inside &= x >= 0 && x < w.in[d];
            in = in * w.in[d] + x;
          }
          if (inside)
            f(co * outArea + oi, c, in, co, ki, inArea);
        }
    }
}

LinearMap windowMap(const FlatGraph &g, const FlatNode &node, size_t dims,
                    bool pooling) {
  FlatNode n = node;
  Window w = window(g, n, dims, pooling);
  int64_t outArea = 1, kArea = 1;
  for (size_t d = 0; d < dims; ++d) {
    outArea *= w.out[d];
    kArea *= w.kernel[d];
  }
  LinearMap m;
  m.inSize = int64_t(count(n.inShape));
  if (pooling) {
    m.outSize = w.channels * outArea;
    m.rows.resize(size_t(m.outSize));
    double v = node.type == "AvgPool2d" ? 1.0 / double(kArea) : 1.0;
    forEachTap(w, w.channels, 1,
               [&](int64_t row, int64_t, int64_t in, int64_t co, int64_t,
                   int64_t inArea) {
                 m.rows[size_t(row)].push_back({co * inArea + in, v, 0});
               });
    m.bias.assign(size_t(m.outSize), 0.0);
    return m;
  }
  const h5::Array &weight = param(g, n, "weight");
  int64_t outChannels = int64_t(weight.shape[0]);
  int64_t groups = ints(g, n, "groups", 1)[0];
  int64_t inPer = int64_t(weight.shape[1]);
  if (groups < 1 || outChannels % groups || w.channels != inPer * groups)
    throw Error(nodeWhere(g, n) + ": groups " + std::to_string(groups) +
                " do not divide the channels of weight " +
                weight.shapeString());
  int64_t outPerGroup = outChannels / groups;
  m.outSize = outChannels * outArea;
  m.rows.resize(size_t(m.outSize));
  forEachTap(w, outChannels, inPer,
             [&](int64_t row, int64_t c, int64_t in, int64_t co, int64_t ki,
                 int64_t inArea) {
               double v = weight.numbers[size_t((co * inPer + c) * kArea + ki)];
               int64_t ci = (co / outPerGroup) * inPer + c;
               if (v != 0.0)
                 m.rows[size_t(row)].push_back({ci * inArea + in, v, 0});
             });
  m.bias.assign(size_t(m.outSize), 0.0);
  if (const h5::Array *b = optParam(n, "bias")) {
    if (b->size() != uint64_t(outChannels) && b->size() != 1)
      throw Error(nodeWhere(g, n) + ": bias has shape " + b->shapeString() +
                  " for " + std::to_string(outChannels) + " output channels");
    for (int64_t i = 0; i < m.outSize; ++i)
      m.bias[size_t(i)] = b->numbers[b->size() == 1 ? 0 : size_t(i / outArea)];
  }
  return m;
}

} // namespace

std::vector<uint64_t> nir::derivedOutShape(const FlatGraph &g, FlatNode &n) {
  size_t dims;
  bool pooling;
  if (isWindowType(n.type, dims, pooling)) {
    Window w = window(g, n, dims, pooling);
    std::vector<uint64_t> out = {
        pooling ? uint64_t(w.channels)
                : uint64_t(param(g, n, "weight").shape[0])};
    for (int64_t o : w.out)
      out.push_back(uint64_t(o));
    return out;
  }
  if (n.type == "Flatten") {
    std::vector<uint64_t> in = n.inShape;
    if (const h5::Array *t = optParam(n, "input_type"); t && t->size() > 0) {
      std::vector<uint64_t> given;
      for (double v : t->numbers)
        given.push_back(uint64_t(v));
      if (!in.empty() && count(in) != count(given))
        throw Error(nodeWhere(g, n) + ": input_type " + h5::shapeString(given) +
                    " but '" + n.preds[0] + "' gives shape " +
                    h5::shapeString(in));
      in = given;
    }
    if (in.empty())
      throw Error(nodeWhere(g, n) + ": has no input to take its shape from");
    n.inShape = in;
    int64_t rank = int64_t(in.size());
    int64_t s = ints(g, n, "start_dim", 1)[0], e = ints(g, n, "end_dim", 1)[0];
    if (s < 0)
      s += rank;
    if (e < 0)
      e += rank;
    if (s < 0 || e >= rank || s > e)
      throw Error(nodeWhere(g, n) +
                  ": start_dim and end_dim do not fit an "
                  "input of shape " +
                  h5::shapeString(in));
    std::vector<uint64_t> out(in.begin(), in.begin() + s);
    uint64_t merged = 1;
    for (int64_t d = s; d <= e; ++d)
      merged *= in[size_t(d)];
    out.push_back(merged);
    out.insert(out.end(), in.begin() + e + 1, in.end());
    return out;
  }
  throw Error(nodeWhere(g, n) + ": cannot infer its shape");
}

LinearMap nir::nodeMap(const FlatGraph &g, const FlatNode &n, double dt) {
  size_t dims;
  bool pooling;
  if (isWindowType(n.type, dims, pooling))
    return windowMap(g, n, dims, pooling);
  int64_t out = int64_t(count(n.outShape));
  if (n.type == "Affine" || n.type == "Linear") {
    const h5::Array &w = param(g, n, "weight");
    LinearMap m;
    m.outSize = int64_t(w.shape[0]);
    m.inSize = int64_t(w.shape[1]);
    m.rows.resize(size_t(m.outSize));
    for (int64_t i = 0; i < m.outSize; ++i)
      for (int64_t j = 0; j < m.inSize; ++j)
        if (double v = w.numbers[size_t(i * m.inSize + j)]; v != 0.0)
          m.rows[size_t(i)].push_back({j, v, 0});
    m.bias.assign(size_t(m.outSize), 0.0);
    if (n.type == "Affine") {
      const h5::Array &b = param(g, n, "bias");
      for (int64_t i = 0; i < m.outSize; ++i)
        m.bias[size_t(i)] = b.numbers[b.size() == 1 ? 0 : size_t(i)];
    }
    return m;
  }
  LinearMap m = LinearMap::identity(out);
  if (n.type == "Scale") {
    const h5::Array &s = param(g, n, "scale");
    for (int64_t i = 0; i < out; ++i)
      m.rows[size_t(i)][0].w = s.numbers[size_t(i)];
  } else if (n.type == "Delay") {
    const h5::Array &d = param(g, n, "delay");
    for (int64_t i = 0; i < out; ++i) {
      double steps = d.numbers[size_t(i)] / dt;
      char text[64];
      std::snprintf(text, sizeof text, "%g", d.numbers[size_t(i)]);
      if (!(steps >= 0))
        throw Error(nodeWhere(g, n) + ": delay " + text +
                    " s is not a time >= 0");
      if (steps > double(rt::Network::kMaxDelaySteps))
        throw Error(
            nodeWhere(g, n) + ": delay " + text + " s is " +
            std::to_string(std::llround(steps)) + " steps, more than the " +
            std::to_string(rt::Network::kMaxDelaySteps) + " a delay may have");
      m.rows[size_t(i)][0].delay = int64_t(std::llround(steps));
    }
  } else if (n.type != "Flatten" && n.type != "Identity") {
    throw Error(nodeWhere(g, n) + ": is not a linear node");
  }
  return m;
}

LinearMap nir::compose(const LinearMap &outer, const LinearMap &inner,
                       const std::string &where) {
  LinearMap m;
  m.inSize = inner.inSize;
  m.outSize = outer.outSize;
  m.rows.resize(size_t(m.outSize));
  m.bias = outer.bias;
  for (int64_t i = 0; i < outer.outSize; ++i) {
    std::map<int64_t, std::pair<double, int64_t>> acc;
    for (const LinearMap::Entry &a : outer.rows[size_t(i)]) {
      m.bias[size_t(i)] += a.w * inner.bias[size_t(a.col)];
      for (const LinearMap::Entry &b : inner.rows[size_t(a.col)]) {
        auto [it, fresh] = acc.try_emplace(b.col, 0.0, a.delay + b.delay);
        if (!fresh && it->second.second != a.delay + b.delay)
          throw Error(where + ": paths of different delays join between the "
                              "same two neurons");
        it->second.first += a.w * b.w;
      }
    }
    for (const auto &[col, v] : acc)
      if (v.first != 0.0)
        m.rows[size_t(i)].push_back({col, v.first, v.second});
  }
  return m;
}

void nir::accumulate(LinearMap &sum, const LinearMap &term,
                     const std::string &where) {
  if (sum.rows.empty()) {
    sum = term;
    return;
  }
  for (int64_t i = 0; i < sum.outSize; ++i) {
    sum.bias[size_t(i)] += term.bias[size_t(i)];
    std::map<int64_t, std::pair<double, int64_t>> acc;
    for (const LinearMap *m : {static_cast<const LinearMap *>(&sum), &term})
      for (const LinearMap::Entry &e : m->rows[size_t(i)]) {
        auto [it, fresh] = acc.try_emplace(e.col, 0.0, e.delay);
        if (!fresh && it->second.second != e.delay)
          throw Error(where + ": paths of different delays join between the "
                              "same two neurons");
        it->second.first += e.w;
      }
    sum.rows[size_t(i)].clear();
    for (const auto &[col, v] : acc)
      if (v.first != 0.0)
        sum.rows[size_t(i)].push_back({col, v.first, v.second});
  }
}
