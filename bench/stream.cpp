//===- stream.cpp - Memory bandwidth of one core (STREAM triad) -----------===//
//
// a[i] = b[i] + s * c[i] over arrays far larger than the caches, best of
// ten passes; prints GB/s counting 24 bytes per element (STREAM's
// convention: two reads, one write) and, in brackets, 32 bytes per element
// (the write also reads its cache line first).
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
  size_t n = size_t(1) << 25; // 256 MiB per array
  if (argc > 1)
    n = size_t(std::strtoull(argv[1], nullptr, 10));
  std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
  double best = 1e30;
  for (int pass = 0; pass < 10; ++pass) {
    auto start = std::chrono::steady_clock::now();
    const double s = 3.0 + pass;
    for (size_t i = 0; i < n; ++i)
      a[i] = b[i] + s * c[i];
    double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    best = std::min(best, t);
  }
  // Keep the result alive.
  volatile double sink = a[n / 2];
  (void)sink;
  std::printf("triad %.1f GB/s (%.1f GB/s with write allocation), %zu "
              "doubles per array\n",
              24.0 * double(n) / best / 1e9, 32.0 * double(n) / best / 1e9, n);
  return 0;
}
