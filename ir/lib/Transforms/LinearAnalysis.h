//===- LinearAnalysis.h - Affine forms of equation regions -----*- C++ -*-===//
//
// The analyses neuro-integrate makes of an equation's region: its affine
// form in the population's states by abstract interpretation (for exact
// propagators), and its degree as a polynomial in chosen leaves (which
// numerical method applies).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_IR_TRANSFORMS_LINEARANALYSIS_H
#define NEURO_IR_TRANSFORMS_LINEARANALYSIS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Region.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <vector>

namespace neuro {
class OdeOp;
} // namespace neuro

namespace neuro::linear {

/// c + sum_i coef[i] * x_i.
struct Affine {
  std::vector<double> coef;
  double c = 0.0;

  bool isConstant() const {
    for (double v : coef)
      if (v != 0.0)
        return false;
    return true;
  }
};

/// Affine forms of equation regions in the states `index` numbers: the
/// time step, constants and functions of constants fold; a condition that
/// is constant (with `notRefractory` set) chooses its branch.
class LinearAnalysis {
public:
  LinearAnalysis(const llvm::StringMap<unsigned> &index, double dt)
      : index(index), dt(dt) {}

  /// The affine form of the value `region` yields, or failure with the
  /// first op that is not affine in the states.
  mlir::FailureOr<Affine> analyze(mlir::Region &region,
                                  mlir::Operation *&culprit);

private:
  static bool isYield(mlir::Operation &op);
  Affine constant(double c) {
    Affine a;
    a.coef.assign(index.size(), 0.0);
    a.c = c;
    return a;
  }

  std::optional<Affine> visit(mlir::Operation &op);

public:
  /// Set when analysis failed on a division by a constant zero that the
  /// value depends on (not one in the branch a constant condition leaves
  /// out: exprel(0) of a parameter).
  bool divisionByZero = false;
  /// The value the noise xi takes (unset: xi is not affine).
  std::optional<double> noise;
  /// Whether the neuron is not refractory (unset: not_refractory is not
  /// affine).
  std::optional<bool> notRefractory;

private:
  const llvm::StringMap<unsigned> &index;
  double dt;
  llvm::DenseMap<mlir::Value, Affine> values;
  /// Values that are not affine: the op each failed at first, and those
  /// that failed on a division by a constant zero.
  llvm::DenseMap<mlir::Value, mlir::Operation *> failedAt;
  llvm::DenseSet<mlir::Value> dividedByZero;
};

/// Degree of the value an ODE region yields as a polynomial (0: constant,
/// 1: affine, 2: anything else) in the leaves (operations without
/// operands) to which `leaf` gives degree 1; a leaf of degree 2 is never
/// affine, one of degree 0 is a coefficient. `culprit` is set to the
/// first operation of degree 2.
unsigned regionDegree(mlir::Region &region,
                      llvm::function_ref<unsigned(mlir::Operation &)> leaf,
                      mlir::Operation *&culprit);

/// Degree of the value an ODE region yields as a polynomial in state `var`,
/// the other states and every function of them being coefficients; the
/// empty name stands for the noise. Degree <= 1 is what exponential Euler
/// needs ("conditionally linear", as HH gates are).
unsigned degreeIn(mlir::Region &region, llvm::StringRef var,
                  mlir::Operation *&culprit);

/// Puts the right-hand side of an equation integrated by exponential Euler
/// in Brian2's conditionally linear form A x + B (x = `var`): reads of x in
/// a coefficient (a function's argument, a divisor, a condition, the base
/// of a power that is not a natural number) become `neuro.ref frozen`
/// reads of a copy, held at the step's start; the other reads must make a
/// polynomial of degree <= 1 in x. Otherwise fails, changing nothing, with
/// `culprit` the first term of higher degree.
mlir::LogicalResult freezeCoefficients(mlir::Region &region,
                                       llvm::StringRef var,
                                       mlir::Operation *&culprit);

/// freezeCoefficients on an equation integrated by exponential Euler, or
/// an error at it (and a note at the term of higher degree).
mlir::LogicalResult exponentialEulerForm(OdeOp ode);

/// neuro-integrate on the per-synapse equations of projection `proj`
/// (IntegrateSynapses.cpp): neuro.decay and neuro.decay_system for the
/// states solved between events, a method for the others.
mlir::LogicalResult integrateProjection(mlir::Operation *proj, double dt);

} // namespace neuro::linear

#endif // NEURO_IR_TRANSFORMS_LINEARANALYSIS_H
