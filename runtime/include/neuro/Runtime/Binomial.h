//===- Binomial.h - Counts of Bernoulli inputs per step ---------*- C++ -*-===//
//
// A Poisson drive (`N = K of PoissonDrive(rate = R)`) gives each of its
// targets K independent inputs, each spiking in a step with probability
// p = R dt, as K sources of a PoissonInput population would. The number of
// them that spike in a step is Binomial(K, p), drawn here by inversion from
// counter-based uniforms against a table of its distribution function:
// exact in distribution (to rounding), about K p + 1 comparisons. K is split
// into chunks of mean at most kChunkMean, so that (1 - p)^chunk never
// underflows and the tables stay short.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_BINOMIAL_H
#define NEURO_RUNTIME_BINOMIAL_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace neuro::rt {

class BinomialSampler {
public:
  static constexpr double kChunkMean = 30.0;

  BinomialSampler() = default;
  BinomialSampler(int64_t trials, double p) {
    if (!(p > 0) || trials <= 0)
      return;
    if (p >= 1) {
      certain = trials;
      return;
    }
    int64_t chunk = std::min<int64_t>(
        trials, std::max<int64_t>(1, int64_t(kChunkMean / p)));
    chunks = (trials + chunk - 1) / chunk;
    cdf = table(chunk, p);
    lastCdf = table(trials - (chunks - 1) * chunk, p);
  }

  /// Uniforms a draw takes.
  int64_t uniforms() const { return chunks; }

  /// A Binomial(K, p) count from `uniform(c)`, c = 0 .. uniforms() - 1,
  /// each in [0, 1).
  template <typename Uniform> int64_t draw(Uniform uniform) const {
    int64_t total = certain;
    for (int64_t c = 0; c < chunks; ++c) {
      const Table &t = c + 1 == chunks ? lastCdf : cdf;
      double u = uniform(c);
      // The guide table gives the first k whose P(X <= k) may exceed u:
      // the answer itself, unless the bucket of u holds a step of the
      // distribution function (kSearch), which a short search resolves.
      uint32_t g = t.guide[size_t(u * double(kGuide))];
      size_t k = g & ~kSearch;
      if (g & kSearch)
        while (u >= t.f[k])
          ++k;
      total += int64_t(k);
    }
    return total;
  }

private:
  static constexpr size_t kGuide = 4096;
  static constexpr uint32_t kSearch = 0x80000000u;
  struct Table {
    std::vector<double> f; ///< P(X <= k); the last entry 2
    /// First k with f[k] > b / kGuide, | kSearch unless f[k] >= (b + 1) /
    /// kGuide as well.
    std::vector<uint32_t> guide;
  };

  /// The cumulative distribution of Binomial(n, p), P(X <= k) for k = 0,
  /// 1, ... while below 1 in rounding, by the recurrence of the pmf.
  static Table table(int64_t n, double p) {
    Table t;
    double pk = std::exp(double(n) * std::log1p(-p)), sum = pk;
    double ratio = p / (1 - p);
    t.f.push_back(sum);
    for (int64_t k = 1; k <= n && sum < 1.0 && pk > 0; ++k) {
      pk *= ratio * double(n - k + 1) / double(k);
      sum += pk;
      t.f.push_back(sum);
    }
    // The last entry catches what rounding leaves above it.
    t.f.back() = 2.0;
    for (size_t b = 0, k = 0; b < kGuide; ++b) {
      while (t.f[k] <= double(b) / double(kGuide))
        ++k;
      bool exact = t.f[k] >= double(b + 1) / double(kGuide);
      t.guide.push_back(uint32_t(k) | (exact ? 0u : kSearch));
    }
    return t;
  }

  Table cdf, lastCdf;
  int64_t chunks = 0, certain = 0;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_BINOMIAL_H
