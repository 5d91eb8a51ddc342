//===- NeuroOps.td - Operations of the neuro dialect -------*- tablegen -*-===//

#ifndef NEURO_OPS_TD
#define NEURO_OPS_TD

include "neuro/IR/NeuroDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

class Neuro_ModelOp<string mnemonic> : Neuro_Op<mnemonic, [
    Symbol, SymbolTable, NoTerminator, SingleBlock, IsolatedFromAbove,
    HasParent<"::mlir::ModuleOp">]> {
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
}

/// The integration methods neuro-integrate knows.
def Neuro_MethodAttr : ConfinedAttr<StrAttr, [AttrConstraint<CPred<[{
    ::llvm::is_contained(::llvm::ArrayRef<::llvm::StringRef>{
        "exact", "exponential_euler", "euler", "rk2", "rk4", "euler_maruyama",
        "heun", "milstein"},
        ::llvm::cast<::mlir::StringAttr>($_self).getValue())
  }]>, "one of exact, exponential_euler, euler, rk2, rk4, euler_maruyama, "
       "heun, milstein">]>;

def Neuro_NeuronOp : Neuro_ModelOp<"neuron"> {
  let summary = "a neuron model";
  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<Neuro_MethodAttr>:$method);
  let assemblyFormat =
      "$sym_name (`method` $method^)? attr-dict-with-keyword $body";
  let description = [{
    A neuron model as written: `neuro.param`, `neuro.state` and `neuro.input`
    declarations, one `neuro.ode` per integrated state, an optional
    `neuro.threshold` with its `neuro.reset`. `method`, when present, is the
    integration method the model asks for (`@method(...)`); otherwise
    `neuro-integrate` chooses.

    ```mlir
    neuro.neuron @LIF {
      neuro.param @tau_m = 2.000000e-02 : "s"
      neuro.state @v : "V"
      neuro.ode @v unless_refractory { ... neuro.yield %dv : f64 }
    }
    ```
  }];
}

def Neuro_SynapseOp : Neuro_ModelOp<"synapse"> {
  let summary = "a synapse model";
  let description = [{
    A synapse model: parameters, the per-synapse `neuro.weight`, linear
    `neuro.post_state`s that live in the target neuron, their `neuro.ode`s,
    a `neuro.on_pre` event block and `neuro.drives` blocks adding a value to
    an input of the target neuron.
  }];
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

def Neuro_ParamOp : Neuro_Op<"param", [Symbol]> {
  let summary = "a parameter with its value in SI units";
  let description = [{
    Declares a parameter. `value` is its (default) value in SI units and
    `unit` the SI dimension symbol it was checked against.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$value, StrAttr:$unit);
  let assemblyFormat = "$sym_name `=` $value `:` $unit attr-dict";
}

class Neuro_VarDeclOp<string mnemonic, string what> : Neuro_Op<mnemonic, [Symbol]> {
  let summary = "declares " # what;
  let description = [{
    Declares }] # what # [{ named by the symbol, with the SI dimension symbol
    of its unit.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrAttr:$unit);
  let assemblyFormat = "$sym_name `:` $unit attr-dict";
}

def Neuro_StateOp : Neuro_VarDeclOp<"state", "a per-neuron state variable">;
def Neuro_InputOp : Neuro_VarDeclOp<"input",
    "a neuron input: the sum of what synapses drive into it">;
def Neuro_WeightOp : Neuro_VarDeclOp<"weight", "the per-synapse weight">;
def Neuro_PostStateOp : Neuro_VarDeclOp<"post_state",
    "a synapse state that lives in, and is summed per, target neuron">;
def Neuro_PostVarOp : Neuro_VarDeclOp<"post_var",
    "a state of the target neuron that the synapse reads or writes">;
def Neuro_ModulatorOp : Neuro_VarDeclOp<"modulator",
    "a value broadcast to every synapse of a projection, bound at connect to "
    "a state of a population">;

def Neuro_PreVarOp : Neuro_Op<"pre_var", [Symbol]> {
  let summary = "declares a state of the source neuron the synapse reads";
  let description = [{
    `neuro.pre_var @v_pre = "v" : "V"`: the synapse reads state `v` of its
    source neuron under the name `v_pre`. After elaboration the reads are
    `neuro.ref pre @v`, rows of the source population.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrAttr:$var, StrAttr:$unit);
  let assemblyFormat = "$sym_name `=` $var `:` $unit attr-dict";
}

//===----------------------------------------------------------------------===//
// Equations and events
//===----------------------------------------------------------------------===//

def Neuro_OdeOp : Neuro_Op<"ode", [SingleBlock,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a differential equation dx/dt = rhs";
  let description = [{
    The region computes the derivative of state `var` from `neuro.ref`s and
    arithmetic and yields it. With `unless_refractory` the state is held
    constant while the neuron is refractory. `method` is set by
    `neuro-integrate` for equations it leaves to a numerical scheme
    (`exponential_euler`, `euler`, `rk4`); exactly integrated systems of a
    population become a `neuro.propagate` instead. A projection's
    clock-driven equations marked `exact` yield the increment of their
    exact one-step propagator over dt (x' = x + f dt is the exact step).
  }];
  let arguments = (ins FlatSymbolRefAttr:$var, UnitAttr:$unless_refractory,
                       OptionalAttr<Neuro_MethodAttr>:$method);
  let regions = (region SizedRegion<1>:$rhs);
  let assemblyFormat = [{
    $var (`unless_refractory` $unless_refractory^)? (`method` $method^)? $rhs
    attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_LetOp : Neuro_Op<"let", [SingleBlock]> {
  let summary = "a named expression a network records";
  let description = [{
    A neuron's `let` is substituted where it is used; the frontend also
    emits this op for a let some network records (`record I_syn of E`).
    In a neuron the region yields the let's value from the neuron's
    variables. `neuro-elaborate` copies it into each population that
    records it, with a row `var` (of `unit`) to hold it, its references
    rewritten as the equations' are. `convert-neuro-to-kernels` outlines a
    population's lets into `neuro_sample_<net>_<pop>`, which the runtime
    runs before it samples them, so that the row holds the let's value at
    the start of the step, from the same rows the step kernel reads; the
    op stays in the population to name the rows that kernel computes.

    ```mlir
    neuro.let @I_syn : "V" {
      %0 = neuro.ref @g : f64
      ...
      neuro.yield %2 : f64
    }
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$var, StrAttr:$unit);
  let regions = (region SizedRegion<1>:$value);
  let assemblyFormat = "$var `:` $unit $value attr-dict";
  let hasVerifier = 1;
}

def Neuro_ThresholdOp : Neuro_Op<"threshold", [SingleBlock,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the spike condition and refractory period";
  let description = [{
    The region yields an `i1`: the neuron spikes when it is true and the
    neuron is not refractory. After a spike the neuron is refractory for
    `refractory` seconds (rounded to whole steps). `clamped` lists the
    states declared `unless refractory`: while the neuron is refractory
    they are held, and writes to them from synapse events (`on pre`,
    `on post`) are discarded, as Brian2 and NEST do; the reset still
    writes them.

    A refractory period that differs between neurons (it reads parameters
    set per neuron) is the `period` region instead, which yields it in
    seconds (f64) from the neuron's rows; `refractory` is then unused.
    Each step takes it again, rounded to whole steps as a constant one is;
    a negative period counts as none. A `period` region that yields an
    `i1` is a condition instead (Brian2's `refractory='v > -40*mV'`): a
    neuron is refractory from its spike until the condition is false at
    the start of a step.

    `from_spike` (the model gives a period): a neuron is refractory from
    its threshold to the end of the step of its spike also when its period
    is under one step, so that the reset and synapse events of that step
    see it refractory (Brian2's `refractory=0*ms`); without it a period of
    zero steps leaves the neuron never refractory.

    ```mlir
    neuro.threshold refractory(2.000000e-03) from_spike clamped [@v] { ... }
    neuro.threshold refractory(0.000000e+00) { ... } period { ... }
    ```
  }];
  let arguments = (ins F64Attr:$refractory, UnitAttr:$from_spike,
                       OptionalAttr<FlatSymbolRefArrayAttr>:$clamped);
  let regions = (region SizedRegion<1>:$condition,
                        MaxSizedRegion<1>:$period);
  let extraClassDeclaration = [{
    /// Whether the `period` region is a condition (yields an i1).
    bool isRefractoryCondition();
  }];
  let assemblyFormat = [{
    `refractory` `(` $refractory `)` (`from_spike` $from_spike^)?
    (`clamped` $clamped^)? $condition
    (`period` $period^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_NotRefractoryOp : Neuro_Op<"not_refractory", [Pure]> {
  let summary = "whether a neuron is not refractory";
  let description = [{
    True while the neuron is not refractory: in step k, k - (its last spike)
    >= its refractory period in steps (always true for a neuron that cannot
    spike). Without `post`/`pre` it is the neuron's own (in a neuron or
    population); `post` (`pre`) is the target's (source's) from a synapse or
    projection. In the step of a spike, after the threshold (delivery,
    reset), a neuron with a refractory period of a step or more, or whose
    threshold is `from_spike`, is refractory.
  }];
  let arguments = (ins UnitAttr:$post, UnitAttr:$pre);
  let results = (outs I1:$result);
  let assemblyFormat = "(`post` $post^)? (`pre` $pre^)? attr-dict";
  let hasVerifier = 1;
}

def Neuro_LastSpikeOp : Neuro_Op<"last_spike", [Pure]> {
  let summary = "the time of a neuron's last spike";
  let description = [{
    The start of the step in which the neuron last spiked, in seconds
    (Brian2's `lastspike`), or a time long before any run for a neuron
    that has not spiked (or cannot). Without `post`/`pre` it is the
    neuron's own (in a neuron or population); `post` (`pre`) is the
    target's (source's) from a synapse or projection. A spike condition
    sees the spike before the step's; a reset and synapse events see the
    step's own.
  }];
  let arguments = (ins UnitAttr:$post, UnitAttr:$pre);
  let results = (outs F64:$result);
  let assemblyFormat = "(`post` $post^)? (`pre` $pre^)? attr-dict";
  let hasVerifier = 1;
}

def Neuro_ResetOp : Neuro_Op<"reset", [SingleBlock]> {
  let summary = "statements run for each neuron that spiked";
  let description = [{
    `neuro.assign`s executed, in order, for every neuron that spiked in the
    step, after spike delivery.
  }];
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$body attr-dict";
  let hasVerifier = 1;
}

def Neuro_OnPreOp : Neuro_Op<"on_pre", [SingleBlock]> {
  let summary = "statements run for each synapse of a spiking source";
  let description = [{
    `neuro.assign`s executed for every synapse whose source neuron's spike
    arrives (after the projection's delay).
  }];
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$body attr-dict";
  let hasVerifier = 1;
}

def Neuro_OnPostOp : Neuro_Op<"on_post", [SingleBlock]> {
  let summary = "statements run for each synapse of a spiking target";
  let description = [{
    `neuro.assign`s executed for every synapse whose target neuron spiked in
    the step, after every projection's `neuro.on_pre` of that step and
    before the resets (Brian2's `on_post` pathway, without delay).
  }];
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$body attr-dict";
  let hasVerifier = 1;
}

def Neuro_DrivesOp : Neuro_Op<"drives", [SingleBlock]> {
  let summary = "adds a value to an input of the target neuron";
  let description = [{
    The region yields the value this synapse type adds to input `input` of
    its target neuron. When it reads only post states and parameters it is
    one value per target, substituted into the target's equations by
    `neuro-elaborate`. When it reads per-synapse variables (the weight,
    per-synapse states, source variables) it is summed over the synapses
    onto each target every step (Brian2's summed variables): after
    elaboration the projection keeps it with `into`, the target row that
    holds the sum.
  }];
  let arguments = (ins FlatSymbolRefAttr:$input,
                       OptionalAttr<FlatSymbolRefAttr>:$into);
  let regions = (region SizedRegion<1>:$value);
  let assemblyFormat = "$input (`into` $into^)? $value attr-dict";
  let hasVerifier = 1;
}

def Neuro_RefOp : Neuro_Op<"ref", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "reads a named variable";
  let description = [{
    Reads a parameter, state, input, weight, post state, source variable or
    modulator by name. `post` marks a variable of the target neuron and `pre`
    one of the source neuron, used from an elaborated projection (and `post`
    from a synapse).

    `frozen` marks, in the right-hand side of an equation integrated by
    exponential Euler, a read of the equation's own state in a coefficient
    (inside a function, a divisor or a power that is not a natural number):
    the step holds it at its value at the start of the step, as Brian2's
    conditionally linear form `A x + B` does (neuro-integrate sets it).
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, UnitAttr:$post, UnitAttr:$pre,
                       UnitAttr:$frozen);
  let results = (outs F64:$result);
  let assemblyFormat =
      "(`post` $post^)? (`pre` $pre^)? (`frozen` $frozen^)? $name attr-dict";
}

def Neuro_TimeOp : Neuro_Op<"time", [Pure]> {
  let summary = "the simulation time t";
  let description = [{
    The time at the start of the current step, k dt, in seconds (within an
    RK4 stage, the stage's time).
  }];
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
}

def Neuro_TimeStepOp : Neuro_Op<"time_step", [Pure]> {
  let summary = "the time step dt of the network";
  let description = [{ The network's `dt` in seconds. }];
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
}

def Neuro_NoiseOp : Neuro_Op<"xi", [Pure]> {
  let summary = "Gaussian white noise xi(t), in s^-1/2";
  let description = [{
    The white noise of a stochastic equation: each equation has its own,
    independent per neuron and step. Equations with noise are integrated by
    Euler-Maruyama, `dx = f dt + g sqrt(dt) N(0, 1)` for
    `dx/dt = f + g xi`.
  }];
  let results = (outs F64:$result);
  let assemblyFormat = "attr-dict";
}

def Neuro_RandOp : Neuro_Op<"rand"> {
  let summary = "a uniform random number in [0, 1)";
  let description = [{
    A counter-based draw that depends only on the network's seed, the
    population, the call site `site`, the neuron and the step: the same in
    every run with that seed, whatever the thread count or vector width.
  }];
  let arguments = (ins I32Attr:$site);
  let results = (outs F64:$result);
  let assemblyFormat = "`site` `(` $site `)` attr-dict";
}

def Neuro_RandNormalOp : Neuro_Op<"randn"> {
  let summary = "a standard normal random number";
  let description = [{
    As `neuro.rand`, a counter-based draw from N(0, 1) for call site `site`.
  }];
  let arguments = (ins I32Attr:$site);
  let results = (outs F64:$result);
  let assemblyFormat = "`site` `(` $site `)` attr-dict";
}

def Neuro_IndexOp : Neuro_Op<"index", [Pure]> {
  let summary = "the index of the neuron (or synapse end) being evaluated";
  let description = [{
    In a `neuro.init_expr` of a population, the neuron's index i (`self`);
    in a projection's expressions, the source's (`pre`, i) or the target's
    (`post`, j) index. As f64.
  }];
  let arguments = (ins StrAttr:$which);
  let results = (outs F64:$result);
  let assemblyFormat = "$which attr-dict";
  let hasVerifier = 1;
}

def Neuro_DegreeOp : Neuro_Op<"degree", [Pure]> {
  let summary = "the synapses of a projection at a synapse's target or source";
  let description = [{
    In a projection's `neuro.init_expr`, the number of the projection's
    synapses onto the synapse's target (`incoming`, Brian2's N_incoming) or
    from its source (`outgoing`, N_outgoing), every process's counted. As
    f64.
  }];
  let arguments = (ins StrAttr:$which);
  let results = (outs F64:$result);
  let assemblyFormat = "$which attr-dict";
  let hasVerifier = 1;
}

def Neuro_AssignOp : Neuro_Op<"assign", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "writes a named variable";
  let description = [{
    Writes a state, weight or post state (`post`: of the target neuron) in a
    reset or event block.
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, UnitAttr:$post, F64:$value);
  let assemblyFormat = "(`post` $post^)? $name `=` $value attr-dict";
}

def Neuro_YieldOp : Neuro_Op<"yield", [Pure, Terminator, ReturnLike,
    ParentOneOf<["OdeOp", "ThresholdOp", "ResetOp", "OnPreOp", "OnPostOp",
                 "DrivesOp", "InitExprOp", "DefaultOp", "ConnectRuleOp",
                 "LetOp"]>]> {
  let summary = "ends an equation or event region";
  let description = [{
    Yields the region's value: the derivative of a `neuro.ode`, the condition
    of a `neuro.threshold`, the driven value of a `neuro.drives`; nothing for
    statement blocks.
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, {}); }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

def Neuro_NetworkOp : Neuro_Op<"network", [Symbol, SymbolTable, NoTerminator,
    SingleBlock, IsolatedFromAbove, HasParent<"::mlir::ModuleOp">]> {
  let summary = "a network: populations, projections, recordings, a run";
  let description = [{
    Simulated with time step `dt` for `duration` seconds; `seed` keys every
    random number of the network (initial values, connectivity).
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, F64Attr:$dt, F64Attr:$duration,
                       I64Attr:$seed);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `dt` `(` $dt `)` `duration` `(` $duration `)` `seed` `(` $seed `)`
    attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Neuro_PopulationOp : Neuro_Op<"population", [Symbol, SymbolTable,
    NoTerminator, SingleBlock, HasParent<"NetworkOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a population of neurons";
  let description = [{
    `ablated` lists neurons that lose every synapse to and from them.
    A spike source given by times has no model: neuron `spike_indices[n]`
    spikes at `spike_times[n]` seconds, and again every `spike_period`
    seconds where one is given (each time below it). A Poisson source has no model
    either: each neuron spikes in each step with probability
    `poisson_rate` * dt, independently (the runtime draws the number of
    steps to the next spike). With `inputs` it is a Poisson drive: neuron i
    stands for the `inputs` independent inputs of one target of its
    projections (one-to-one onto them) and spikes in a step as many times
    as a Binomial(inputs, poisson_rate * dt) draw says. Otherwise:
    `size` neurons of neuron model `model` with the given parameter values
    (SI) and, for a model that spikes, its refractory period with these
    values. Before elaboration the body holds only the initial values
    (`neuro.init_const`, `neuro.init_uniform`, ...) of the parameters set
    per neuron and of every state, and, until `neuro-select-rows`, the
    model defaults that read parameters (`neuro.default`); after
    `neuro-elaborate` it holds the flattened model (no `model` attribute):
    states, including the post states of incoming projections, equations with
    parameters folded to constants and inputs replaced by what drives them.
    `refractory_params` lists the parameters the refractory period reads:
    the period is a constant of the kernels, so they stay constants.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<FlatSymbolRefAttr>:$model, I64Attr:$size,
                       OptionalAttr<DictionaryAttr>:$params,
                       OptionalAttr<Neuro_MethodAttr>:$method,
                       OptionalAttr<F64Attr>:$refractory,
                       OptionalAttr<FlatSymbolRefArrayAttr>:$refractory_params,
                       OptionalAttr<F64ElementsAttr>:$spike_times,
                       OptionalAttr<DenseI64ArrayAttr>:$spike_indices,
                       OptionalAttr<F64Attr>:$spike_period,
                       OptionalAttr<DenseI64ArrayAttr>:$ablated,
                       OptionalAttr<F64Attr>:$poisson_rate,
                       OptionalAttr<I64Attr>:$inputs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name (`of` $model^)? `size` `(` $size `)` (`params` $params^)?
    (`refractory` `(` $refractory^ `)`)?
    (`refractory_params` $refractory_params^)? (`method` $method^)?
    (`spike_times` $spike_times^)? (`spike_indices` $spike_indices^)?
    (`spike_period` `(` $spike_period^ `)`)?
    (`poisson` `(` $poisson_rate^ `)`)? (`inputs` `(` $inputs^ `)`)?
    attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Neuro_ProjectionOp : Neuro_Op<"projection", [Symbol, SymbolTable,
    NoTerminator, SingleBlock, HasParent<"NetworkOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "synapses from one population to another";
  let description = [{
    `rule` says how synapses are drawn: `probability` (each pair
    independently with `probability`), `in_degree` / `out_degree` (exactly
    `degree` distinct sources per target / targets per source) or
    `one_to_one`, `expression` (the body's `neuro.connect_rule` per pair),
    or `file`: the synapses listed in `file` (CSV or .npy, read
    when the network is built; `file_weights` / `file_delays`: it has those
    columns); `sign` = 1 (-1): Dale's law, every weight must stay >= 0
    (<= 0); `autapses` = false excludes i -> i when the source is the
    target; `multiplicity` synapses join each pair the rule selects
    (Brian2's `connect(n=...)`), one after another. `slices` = [sb, se, tb, te], when present, restricts the
    projection to source neurons [sb, se) and targets [tb, te). Spikes arrive
    after `delay` seconds (rounded to whole steps). `modulators` binds each
    modulator of the synapse to a state of a population, `{d = @DA::@d}`:
    synapses read the mean of that state over the population.
    `weight_row` keeps the weight a per-synapse row that the runtime can
    set even when it is one constant (`--tunable PROJ.w`, set by
    `neuro-select-rows`). `procedural` keeps the projection as its rule:
    the runtime stores no synapse and draws the synapses of each spiking
    source again. Before
    elaboration the body holds the initial values of the synapse's weight
    and post states; afterwards the per-synapse declarations, their
    equations, the event blocks and the summed `neuro.drives`, whose `post`
    (`pre`) references name rows of the target (source) population.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$source,
                       FlatSymbolRefAttr:$target,
                       OptionalAttr<FlatSymbolRefAttr>:$synapse,
                       F64Attr:$probability, F64Attr:$delay,
                       OptionalAttr<DictionaryAttr>:$params,
                       DefaultValuedStrAttr<StrAttr, "probability">:$rule,
                       DefaultValuedAttr<I64Attr, "0">:$degree,
                       DefaultValuedAttr<BoolAttr, "true">:$autapses,
                       DefaultValuedAttr<I64Attr, "1">:$multiplicity,
                       OptionalAttr<DenseI64ArrayAttr>:$slices,
                       OptionalAttr<DictionaryAttr>:$modulators,
                       OptionalAttr<StrAttr>:$file,
                       UnitAttr:$file_weights, UnitAttr:$file_delays,
                       DefaultValuedAttr<I64Attr, "0">:$sign,
                       UnitAttr:$weight_row, UnitAttr:$procedural);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name $source `->` $target (`with` $synapse^)? `p` `(` $probability `)`
    `delay` `(` $delay `)` (`params` $params^)?
    (`modulators` $modulators^)? attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Neuro_InitConstOp : Neuro_Op<"init_const"> {
  let summary = "a variable's initial value";
  let description = [{ Every neuron (or synapse) starts with `value` (SI). }];
  let arguments = (ins FlatSymbolRefAttr:$var, F64Attr:$value);
  let assemblyFormat = "$var `=` $value attr-dict";
}

def Neuro_InitUniformOp : Neuro_Op<"init_uniform"> {
  let summary = "a uniformly distributed initial value";
  let description = [{
    Each neuron (or synapse) draws its initial value from U(low, high) with
    the network's counter-based generator.
  }];
  let arguments = (ins FlatSymbolRefAttr:$var, F64Attr:$low, F64Attr:$high);
  let assemblyFormat =
      "$var `=` `uniform` `(` $low `,` $high `)` attr-dict";
  let hasVerifier = 1;
}

def Neuro_InitNormalOp : Neuro_Op<"init_normal"> {
  let summary = "a normally distributed initial value";
  let description = [{
    Each neuron (or synapse) draws its initial value from N(mean, sd^2) with
    the network's counter-based generator.
  }];
  let arguments = (ins FlatSymbolRefAttr:$var, F64Attr:$mean, F64Attr:$sd);
  let assemblyFormat = "$var `=` `normal` `(` $mean `,` $sd `)` attr-dict";
  let hasVerifier = 1;
}

def Neuro_InitExprOp : Neuro_Op<"init_expr", [SingleBlock]> {
  let summary = "an initial value computed per neuron or synapse";
  let description = [{
    The region yields the initial value of `var` for one neuron of the
    population (`neuro.index "self"`) or one synapse of the projection
    (`neuro.index "pre"` / `"post"`, `neuro.ref pre|post` rows of its
    neurons), with random draws. `neuro-convert-to-kernels` outlines them
    into `neuro_init_<net>_<pop>` and `neuro_syninit_<net>_<proj>`, which
    the runtime runs when it builds the network. `@_delay` is a projection's
    per-synapse delay in seconds. A population's expression may read the
    population's parameters (`neuro.ref @x`); after `neuro-select-rows`
    only those set per neuron, rows computed before it in the body's
    order, the others being folded to constants (as are a projection's
    `neuro.ref pre|post` of a parameter). `derived` marks a parameter
    computed from others (a model's default expression): it is also
    computed again by `neuro_derive_<net>_<pop>` whenever the host changes
    the rows.
  }];
  let arguments = (ins FlatSymbolRefAttr:$var, UnitAttr:$derived);
  let regions = (region SizedRegion<1>:$value);
  let assemblyFormat = "$var (`derived` $derived^)? $value attr-dict";
  let hasVerifier = 1;
}

def Neuro_DefaultOp : Neuro_Op<"default", [SingleBlock,
    HasParent<"PopulationOp">]> {
  let summary = "a model's default expression of a population's variable";
  let description = [{
    The region yields the default value of parameter or state `var` as the
    model writes it (AdEx's `V_peak = V_T + 5 * Delta_T`, `v = E_L`), over
    the population's parameters (`neuro.ref`). The value it has with the
    population's constants stays where it is (in `params`, or the state's
    initial value). `neuro-select-rows` replaces that value by the
    expression when a parameter it reads becomes a row (a `derived`
    `neuro.init_expr` for a parameter), and removes the op.

    ```mlir
    neuro.default @V_peak {
      %0 = neuro.ref @V_T : f64
      ...
      neuro.yield %2 : f64
    }
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$var);
  let regions = (region SizedRegion<1>:$value);
  let assemblyFormat = "$var $value attr-dict";
  let hasVerifier = 1;
}

def Neuro_ConnectRuleOp : Neuro_Op<"connect_rule", [SingleBlock,
    HasParent<"ProjectionOp">]> {
  let summary = "the probability that a pair of neurons connects";
  let description = [{
    The region yields, for source i and target j (`neuro.index`), the
    probability that they connect (0 where a `where` condition fails). The
    runtime draws one uniform number per pair when the network is built
    (`neuro_connect_<net>_<proj>`).
  }];
  let regions = (region SizedRegion<1>:$probability);
  let assemblyFormat = "$probability attr-dict";
  let hasVerifier = 1;
}

def Neuro_InitTimedOp : Neuro_Op<"init_timed"> {
  let summary = "a variable that follows a table of values in time";
  let description = [{
    In step k the variable takes row min(k / `every`, T - 1) of `values`
    (T x C, SI units): C = 1 for one value shared by every neuron, else one
    column per neuron. The runtime sets it at the start of every step where
    k is a multiple of `every`, before any update, and it holds over the
    step.

    ```mlir
    neuro.init_timed @rate every(1000) values dense<[[5.0], [20.0]]> : tensor<2x1xf64>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$var, I64Attr:$every,
                       F64ElementsAttr:$values);
  let assemblyFormat = [{
    $var `every` `(` $every `)` `values` $values attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_RecordSpikesOp : Neuro_Op<"record_spikes", [HasParent<"NetworkOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "records the spikes of a population";
  let description = [{
    Every spike of `population` is recorded (index, time); with `begin` and
    `end`, those of neurons [`begin`, `end`) only, still indexed in the
    population (as a Brian2 SpikeMonitor of a subgroup, which counts from
    the subgroup's first neuron).
  }];
  let arguments = (ins FlatSymbolRefAttr:$population,
                       OptionalAttr<I64Attr>:$begin,
                       OptionalAttr<I64Attr>:$end);
  let assemblyFormat = [{
    $population (`neurons` `(` $begin^ `,` $end `)`)? attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_RecordStateOp : Neuro_Op<"record_state", [HasParent<"NetworkOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "records states of a range of neurons at a fixed interval";
  let description = [{
    At the start of every step k with k % `every` == 0 (time k dt), the
    states `vars` of neurons [`begin`, `end`) of `population` are sampled,
    as Brian2's StateMonitor does.
  }];
  let arguments = (ins FlatSymbolRefAttr:$population,
                       FlatSymbolRefArrayAttr:$vars, I64Attr:$begin,
                       I64Attr:$end, I64Attr:$every);
  let assemblyFormat = [{
    $population $vars `neurons` `(` $begin `,` $end `)` `every` `(` $every `)`
    attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_RecordSynapsesOp : Neuro_Op<"record_synapses",
    [HasParent<"NetworkOp">, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "records per-synapse variables at a fixed interval";
  let description = [{
    At the start of every step k with k % `every` == 0 (time k dt), the
    per-synapse variables `vars` (the weight, per-synapse states) of
    synapses [`begin`, `end`) of `projection` are sampled. The number of
    synapses is known only when the network is built: the range is clipped
    to it then; `end` = -1 means all synapses.
  }];
  let arguments = (ins FlatSymbolRefAttr:$projection,
                       FlatSymbolRefArrayAttr:$vars, I64Attr:$begin,
                       I64Attr:$end, I64Attr:$every);
  let assemblyFormat = [{
    $projection $vars `synapses` `(` $begin `,` $end `)` `every` `(` $every `)`
    attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_PlasticityOp : Neuro_Op<"plasticity", [HasParent<"NetworkOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "switches a projection's plasticity on or off at a step";
  let description = [{
    From step `step` on (the start of a later run), the weights of
    `projection` change (`plastic` true) or stay as they are (false); its
    other per-synapse variables evolve either way.

    ```mlir
    neuro.plasticity @S plastic(false) at(10000)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$projection, BoolAttr:$plastic,
                       I64Attr:$step);
  let assemblyFormat = [{
    $projection `plastic` `(` $plastic `)` `at` `(` $step `)` attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Integration
//===----------------------------------------------------------------------===//

def Neuro_PropagateOp : Neuro_Op<"propagate", [HasParent<"PopulationOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "exact one-step update of a linear system of states";
  let description = [{
    Advances `vars` (n states) by one time step: x' = M x + c, with the
    n x (n+1) row-major matrix `matrix` = [M | c] computed at compile time as
    the exponential of the system's generator. `refractory_matrix`, if
    present, is used while the neuron is refractory (states declared
    `unless refractory` held). `method` records the scheme chosen. The
    matrices are tensor<n x (n+1) x f64> constants, printed exactly. For a
    stochastic linear system with additive noise, `noise` is the n x n
    Cholesky factor L of the covariance the noise accumulates over one step
    (Van Loan), and the update adds L z with z standard normal per state
    and step (`refractory_noise` while refractory): the exact solution of
    the Ornstein-Uhlenbeck-type system.
  }];
  let arguments = (ins FlatSymbolRefArrayAttr:$vars, StrAttr:$method,
                       F64ElementsAttr:$matrix,
                       OptionalAttr<F64ElementsAttr>:$refractory_matrix,
                       OptionalAttr<F64ElementsAttr>:$noise,
                       OptionalAttr<F64ElementsAttr>:$refractory_noise);
  let assemblyFormat = [{
    $vars `method` $method `matrix` $matrix
    (`refractory` $refractory_matrix^)? (`noise` $noise^)?
    (`refractory_noise` $refractory_noise^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_DecayOp : Neuro_Op<"decay", [HasParent<"ProjectionOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "event-driven exact solution of a per-synapse state";
  let description = [{
    Per-synapse state `var` obeys dx/dt = `rate` x + b, b = `offset` +
    sum_k `gains`[k] `inputs`[k]: constants, and per-synapse states without
    an equation (`inputs`), which only events change. It is advanced only
    when its synapse sees an event (`neuro.on_pre` or `neuro.on_post`),
    before the event's statements, over the n steps since the synapse's
    last event: x' = x e^(rate n dt) + b (e^(rate n dt) - 1) / rate (x + b n
    dt when rate = 0). The step of the last event is the projection's
    internal per-synapse row `_lastupdate`. Synapses without events cost
    nothing.

    ```mlir
    neuro.decay @apre rate(-5.000000e+01) offset(0.000000e+00)
    neuro.decay @a rate(-1.0e+02) offset(0.0) inputs [@c] gains [1.0e+02]
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$var, F64Attr:$rate, F64Attr:$offset,
                       OptionalAttr<FlatSymbolRefArrayAttr>:$inputs,
                       OptionalAttr<DenseF64ArrayAttr>:$gains);
  let assemblyFormat = [{
    $var `rate` `(` $rate `)` `offset` `(` $offset `)`
    (`inputs` $inputs^ `gains` $gains)? attr-dict
  }];
  let hasVerifier = 1;
}

def Neuro_DecaySystemOp : Neuro_Op<"decay_system", [HasParent<"ProjectionOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "event-driven exact solution of coupled per-synapse states";
  let description = [{
    Per-synapse states `vars` (k of them) obey dx/dt = A x + b with A = V
    diag(`rates`) V^-1: `modes` is V and `inverse` V^-1, k x k row-major,
    and b_r = `offsets`[r] + sum_m `gains`[r * M + m] `inputs`[m] with M
    inputs, per-synapse states without an equation (which only events
    change). Like `neuro.decay`, the states are advanced only when their
    synapse sees an event, before its statements, over the n steps since
    the last one (row `_lastupdate`): with z = V^-1 x and w = V^-1 b,
    z_i' = z_i e^(rates_i n dt) + w_i (e^(rates_i n dt) - 1) / rates_i
    (w_i n dt when rates_i = 0), and x' = V z'. neuro-integrate makes it for
    states coupled without a cycle (A triangular in the order of `vars`)
    with distinct rates.

    ```mlir
    neuro.decay_system [@a, @b] rates [-200.0, -100.0]
        modes [1.0, 0.0, -1.0, 1.0] inverse [1.0, 0.0, 1.0, 1.0]
        offsets [0.0, 0.0]
    ```
  }];
  let arguments = (ins FlatSymbolRefArrayAttr:$vars, DenseF64ArrayAttr:$rates,
                       DenseF64ArrayAttr:$modes, DenseF64ArrayAttr:$inverse,
                       DenseF64ArrayAttr:$offsets,
                       OptionalAttr<FlatSymbolRefArrayAttr>:$inputs,
                       OptionalAttr<DenseF64ArrayAttr>:$gains);
  let assemblyFormat = [{
    $vars `rates` $rates `modes` $modes `inverse` $inverse `offsets` $offsets
    (`inputs` $inputs^ `gains` $gains)? attr-dict
  }];
  let hasVerifier = 1;
}

#endif // NEURO_OPS_TD
