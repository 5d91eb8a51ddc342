//===- NIRInternal.h - Shared by the NIR reader, lowering and export ------===//

#ifndef NEURO_INTEROP_NIRINTERNAL_H
#define NEURO_INTEROP_NIRINTERNAL_H

#include "neuro/Interop/NIR.h"

#include <optional>

namespace neuro::nir {

/// "FILE: node 'NAME' (TYPE)", the start of every message about a node.
std::string nodeWhere(const FlatGraph &g, const FlatNode &n);
/// A parameter of the node; throws naming it when missing.
const h5::Array &param(const FlatGraph &g, const FlatNode &n,
                       const std::string &name);
const h5::Array *optParam(const FlatNode &n, const std::string &name);
/// I, IF, LI, LIF, CubaLI, CubaLIF and Threshold: nodes with a state or a
/// threshold, which become populations.
bool isNeuronType(const std::string &type);
uint64_t count(const std::vector<uint64_t> &shape);
/// The shape of a neuron node's parameters (all of one shape, or single
/// values).
std::vector<uint64_t> neuronShape(const FlatGraph &g, const FlatNode &n);
/// The output shape given by the node's parameters; none for
/// convolutions, pooling and Flatten, whose shape follows their input.
std::optional<std::vector<uint64_t>> ownShape(const FlatGraph &g,
                                              const FlatNode &n);
/// The output shape of a convolution, pooling or Flatten node from its
/// input shape (n.inShape, which it may complete from `input_shape`).
std::vector<uint64_t> derivedOutShape(const FlatGraph &g, FlatNode &n);
/// Checks that the node's input has the size its parameters expect.
void checkShapes(const FlatGraph &g, const FlatNode &n);

/// A sparse linear map y = M x + b between flattened arrays, each entry
/// with a delay in steps (Delay nodes).
struct LinearMap {
  struct Entry {
    int64_t col;
    double w;
    int64_t delay;
  };
  int64_t inSize = 0, outSize = 0;
  std::vector<std::vector<Entry>> rows; ///< outSize rows
  std::vector<double> bias;             ///< outSize values

  static LinearMap identity(int64_t n);
};

/// The map of a linear node (Affine, Linear, Scale, Delay, Flatten,
/// Identity, Conv1d, Conv2d, SumPool2d, AvgPool2d).
LinearMap nodeMap(const FlatGraph &g, const FlatNode &n, double dt);
/// outer(inner(x)). Entries meeting on one (row, column) with different
/// delays are an error (`where` names the nodes).
LinearMap compose(const LinearMap &outer, const LinearMap &inner,
                  const std::string &where);
/// sum += term (same sizes).
void accumulate(LinearMap &sum, const LinearMap &term,
                const std::string &where);

/// A float32 value `v` as the double nearest its shortest decimal (the
/// float32 nearest 0.1 becomes the double nearest 0.1): NIR stores float32
/// numbers, which mean their decimal. Other values are returned as given.
double decimalValue(double v);

/// What one spike of weight 1 does to neuron i of `p`: the jump of the
/// state its Dirac delta enters (r / tau for LIF and LI, r for IF and I,
/// w_in / tau_syn for CubaLIF and CubaLI).
double spikeGain(const Population &p, size_t i);

} // namespace neuro::nir

#endif // NEURO_INTEROP_NIRINTERNAL_H
