//===- Expm.h - Matrix exponential of propagator generators -----*- C++ -*-===//
//
// The exact one-step propagator of a linear system dx/dt = A x + b is the
// exponential of the augmented generator dt [[A, b], [0, 0]]. The compiler
// computes it for constant coefficients; generated code calls the runtime
// for coefficients that differ per neuron. One implementation serves both.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_EXPM_H
#define NEURO_RUNTIME_EXPM_H

#include <cstdint>

namespace neuro::rt {

/// out = exp(a) for the n x n row-major matrix `a`, by scaling and squaring
/// with a 24-term Taylor series (accurate to double rounding once the
/// scaled norm is below 1/2). The states that influence each other are
/// exponentiated as separate blocks (the last row and column, the constant
/// term of an augmented generator, joins every block), so an uncoupled
/// state keeps a well-scaled exponential next to large coefficients. Where
/// a block's states feed each other without a cycle, its diagonal is
/// std::exp of the generator's diagonal (correctly rounded decays, as
/// exp(-dt/tau) in Brian2's exact updates), and a single state's block is
/// in closed form: [[exp(a), b expm1(a) / a], [0, 1]].
/// `out` may not alias `a`.
void expmBlocks(int64_t n, const double *a, double *out);

/// out = exp(a) for any n x n row-major matrix, in one block.
void expm(int64_t n, const double *a, double *out);

/// The infinity norm (largest absolute row sum) of the n x n row-major
/// matrix `a`; +inf when an entry is not finite.
double infinityNorm(int64_t n, const double *a);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_EXPM_H
