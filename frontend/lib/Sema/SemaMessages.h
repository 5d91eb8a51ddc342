//===- SemaMessages.h - Helpers of the checker's messages -------*- C++ -*-===//
//
// Free functions the Sema sources share: the words of messages (kinds,
// numbers, undeclared names, slices, spikes in one step) and the names the
// language builds in. Internal to NeuroFrontend; included by
// SemaInternal.h.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_LIB_SEMA_SEMAMESSAGES_H
#define NEURO_FRONTEND_LIB_SEMA_SEMAMESSAGES_H

#include "neuro/Frontend/Sema.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace neuro::sema {

/// Spikes given by time: (time in seconds, neuron).
using Spikes = std::vector<std::pair<double, int64_t>>;

/// Two spikes of `spikes` (time, neuron) of one neuron in one step of
/// `dt` (round(t / dt), as the runtime schedules them), as indices into
/// `spikes`, earlier one first.
std::optional<std::pair<size_t, size_t>> sameStep(const Spikes &spikes,
                                                  double dt);

/// "neuron 0 spikes twice in step 10 (t = ...)" for two spikes of
/// `sameStep`.
std::string twiceInStep(const std::pair<double, int64_t> &a,
                        const std::pair<double, int64_t> &b, double dt);

/// What a variable of kind `kind` is called in messages ("parameter",
/// "post state", ...).
std::string kindName(VarDecl::Kind kind);
/// The same with its article: "a state", "an input".
std::string aKindName(VarDecl::Kind kind);
/// Why the initial value of `of` may not read `read`, declared at or after
/// it: "the initial value of 'u' reads 'u' itself", "state 'v' is declared
/// after 'u': ...".
std::string readsLater(const VarDecl &read, const std::string &of);

/// Whether `f` is a built-in function usable in expressions (not a draw).
bool isKnownFunction(const std::string &f);

/// Whether `n` names the index or a size inside arguments and connection
/// rules (`i`, `j`, `N`, `N_pre`, `N_post`).
bool isIndexOrSize(const std::string &n);
/// N_incoming or N_outgoing: a projection's synapses at a synapse's target
/// or source, in its arguments and delay.
bool isSynapseCount(const std::string &n);

/// `v` as printf's %g writes it.
std::string fmt(double v);
/// `v` in full where %g would round it to another number (1.0000001 is not
/// shown as 1).
std::string fmtExact(double v);

/// "use of undeclared name 'NAME' in 'MODEL'", saying how a synapse names
/// its source's variable NAME when it declares one (`NAME_pre`).
std::string undeclaredName(const ModelInfo &info, const std::string &name);

/// The dimension of a quantity of dimension `d` raised to `n`, a whole or
/// half number at most 16 (`(2 / tau)^0.5` is s^-1/2); else nullopt and
/// `err` says why.
std::optional<rt::Dim> powerDim(const rt::Dim &d, double n, std::string &err);
/// The error for a draw (`rand()`, `lognormal(...)`) where a model does
/// not take it.
std::string drawInModel(const std::string &f);
/// The error for an expression whose unit has an exponent out of range
/// (rt::Dim::outOfRange).
std::string unitOutOfRange();

/// What is wrong with the slice [b, e) of `of` (`size` neurons; `of` empty
/// when the size is unknown here), or nothing: bounds that are not whole
/// numbers, or not 0 <= b < e <= size.
std::optional<std::string> sliceProblem(double b, double e, double size,
                                        const std::string &of);

} // namespace neuro::sema

#endif // NEURO_FRONTEND_LIB_SEMA_SEMAMESSAGES_H
