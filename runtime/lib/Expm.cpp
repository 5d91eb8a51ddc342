//===- Expm.cpp - Matrix exponential of propagator generators -------------===//

#include "neuro/Runtime/Expm.h"
#include "neuro/Runtime/ABI.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

using namespace neuro::rt;

namespace {

using Matrix = std::vector<double>; // row-major, m x m
/// The series and its squarings: in extended precision where the machine
/// has it (x86's 64-bit mantissa), since each squaring doubles the
/// relative error: dt 1000 times a coupled block's fastest time constant
/// takes 11 squarings, 4e-13 in double, a few ulp once rounded from long
/// double.
using Wide = long double;
using WideMatrix = std::vector<Wide>;

template <typename T>
std::vector<T> multiply(const std::vector<T> &a, const std::vector<T> &b,
                        size_t m) {
  std::vector<T> r(m * m, T(0));
  for (size_t i = 0; i < m; ++i)
    for (size_t k = 0; k < m; ++k) {
      T aik = a[i * m + k];
      if (aik == T(0))
        continue;
      for (size_t j = 0; j < m; ++j)
        r[i * m + j] += aik * b[k * m + j];
    }
  return r;
}

Matrix expmScaled(Matrix a, size_t m);

/// Similarity scaling by powers of two, B = D^-1 A D, so that no variable
/// couples to the others with a much larger weight than they couple back
/// (Parlett-Reinsch balancing, extended to one-way couplings such as a
/// membrane driven by a current in amperes: the one-way row or column is
/// scaled down to O(1)). exp(A) = D exp(B) D^-1 exactly, and exp(B) no
/// longer needs squarings sized by the largest coupling. Returns D.
std::vector<double> balance(Matrix &a, size_t m) {
  std::vector<double> d(m, 1.0);
  for (int sweep = 0; sweep < 32; ++sweep) {
    bool changed = false;
    for (size_t i = 0; i < m; ++i) {
      double r = 0.0, c = 0.0;
      for (size_t j = 0; j < m; ++j)
        if (j != i) {
          r += std::abs(a[i * m + j]);
          c += std::abs(a[j * m + i]);
        }
      double f = 1.0;
      if (r > 0.0 && c > 0.0) {
        f = std::exp2(std::round(std::log2(std::sqrt(r / c))));
      } else if (r > 1.0) {
        f = std::exp2(std::ceil(std::log2(r)));
      } else if (c > 1.0) {
        f = std::exp2(-std::ceil(std::log2(c)));
      }
      if (f == 1.0 || !std::isfinite(f) || f == 0.0)
        continue;
      // d_i *= f: row i / f, column i * f.
      for (size_t j = 0; j < m; ++j)
        if (j != i) {
          a[i * m + j] /= f;
          a[j * m + i] *= f;
        }
      d[i] *= f;
      changed = true;
    }
    if (!changed)
      break;
  }
  return d;
}

Matrix expmDense(Matrix a, size_t m) {
  std::vector<double> d = balance(a, m);
  Matrix e = expmScaled(std::move(a), m);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < m; ++j)
      e[i * m + j] *= d[i] / d[j];
  return e;
}

Matrix expmScaled(Matrix a, size_t m) {
  double norm = infinityNorm(int64_t(m), a.data());
  if (!std::isfinite(norm)) // a coefficient is not finite: so is exp
    return Matrix(m * m, std::numeric_limits<double>::quiet_NaN());
  int squarings = 0;
  if (norm > 0.5)
    squarings = static_cast<int>(std::ceil(std::log2(norm / 0.5)));
  // Scaling by a power of two is exact in either precision.
  WideMatrix x(a.begin(), a.end());
  for (Wide &v : x)
    v = std::ldexp(v, -squarings);
  WideMatrix result(m * m, Wide(0)), term(m * m, Wide(0));
  for (size_t i = 0; i < m; ++i)
    result[i * m + i] = term[i * m + i] = Wide(1);
  for (int k = 1; k <= 24; ++k) {
    term = multiply(term, x, m);
    for (Wide &v : term)
      v /= Wide(k);
    for (size_t i = 0; i < m * m; ++i)
      result[i] += term[i];
  }
  for (int s = 0; s < squarings; ++s)
    result = multiply(result, result, m);
  return Matrix(result.begin(), result.end());
}

/// Whether the states of block `a` (every index but the last, the constant)
/// feed each other without a cycle, and the constant's row is zero. Then an
/// order of the states makes `a` triangular, and the diagonal of exp(a) is
/// exactly the exponential of the diagonal of `a`: each state's own decay
/// comes from std::exp, correctly rounded as Brian2's exp(-dt/tau) is,
/// rather than from the series (one or two ulp off).
bool acyclic(const Matrix &a, size_t m) {
  for (size_t c = 0; c < m; ++c)
    if (a[(m - 1) * m + c] != 0.0)
      return false;
  size_t states = m - 1;
  std::vector<bool> done(states, false);
  for (size_t left = states; left > 0;) {
    size_t before = left;
    for (size_t i = 0; i < states; ++i) {
      bool fed = false;
      for (size_t j = 0; j < states && !fed; ++j)
        fed = j != i && !done[i] && !done[j] && a[i * m + j] != 0.0;
      if (!done[i] && !fed) {
        done[i] = true;
        --left;
      }
    }
    if (left == before)
      return false;
  }
  return true;
}

/// exp of an augmented block [[A, b], [0, 0]], with the diagonal of an
/// acyclic A from std::exp and a single state in closed form:
/// [[e^a, b expm1(a) / a], [0, 1]].
Matrix expmBlock(Matrix sub, size_t m) {
  if (!acyclic(sub, m))
    return expmDense(std::move(sub), m);
  if (m == 2) {
    double a = sub[0], b = sub[1];
    double input = a == 0.0 ? b : b * (std::expm1(a) / a);
    if (std::isfinite(a) && std::isfinite(b) && std::isfinite(input))
      return Matrix{std::exp(a), input, 0.0, 1.0};
  }
  std::vector<double> diagonal(m - 1);
  for (size_t i = 0; i + 1 < m; ++i)
    diagonal[i] = sub[i * m + i];
  Matrix e = expmDense(std::move(sub), m);
  for (size_t i = 0; i + 1 < m; ++i)
    if (std::isfinite(e[i * m + i]))
      e[i * m + i] = std::exp(diagonal[i]);
  return e;
}

} // namespace

void neuro::rt::expmBlocks(int64_t n64, const double *a, double *out) {
  size_t n = size_t(n64);
  if (n == 0)
    return;
  // Blocks of the first n - 1 (state) indices coupled in either direction;
  // the last index (the constant) goes with every block.
  size_t states = n - 1;
  std::vector<size_t> parent(states);
  std::iota(parent.begin(), parent.end(), size_t(0));
  auto find = [&](size_t i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  };
  for (size_t i = 0; i < states; ++i)
    for (size_t j = 0; j < states; ++j)
      if (a[i * n + j] != 0.0)
        parent[find(i)] = find(j);
  for (size_t i = 0; i < n * n; ++i)
    out[i] = 0.0;
  out[n * n - 1] = std::exp(a[n * n - 1]);
  for (size_t root = 0; root < states; ++root) {
    std::vector<size_t> members;
    for (size_t i = 0; i < states; ++i)
      if (find(i) == root)
        members.push_back(i);
    if (members.empty())
      continue;
    members.push_back(states);
    size_t m = members.size();
    Matrix sub(m * m);
    for (size_t r = 0; r < m; ++r)
      for (size_t c = 0; c < m; ++c)
        sub[r * m + c] = a[members[r] * n + members[c]];
    Matrix e = expmBlock(std::move(sub), m);
    for (size_t r = 0; r + 1 < m; ++r)
      for (size_t c = 0; c < m; ++c)
        out[members[r] * n + members[c]] = e[r * m + c];
  }
}

void neuro::rt::expm(int64_t n, const double *a, double *out) {
  size_t m = size_t(n);
  Matrix e = expmDense(Matrix(a, a + m * m), m);
  std::copy(e.begin(), e.end(), out);
}

extern "C" void neuro_rt_expm(int64_t n, int64_t in, int64_t out) {
  expmBlocks(n, reinterpret_cast<const double *>(static_cast<intptr_t>(in)),
             reinterpret_cast<double *>(static_cast<intptr_t>(out)));
}

double neuro::rt::infinityNorm(int64_t n, const double *a) {
  double norm = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    double row = 0.0;
    for (int64_t j = 0; j < n; ++j)
      row += std::abs(a[i * n + j]);
    if (!std::isfinite(row))
      return INFINITY;
    norm = std::max(norm, row);
  }
  return norm;
}
