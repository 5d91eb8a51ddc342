"""Compares a std.pynn cell run by neuroc (Inputs/<cell>.neuro, its
recordings in OUT) with PyNN's NEURON backend running the same cases
(pynn_neuron.py).

usage: compare_neuron.py CELL OUT

References, both NEURON's fixed-step backward Euler as PyNN runs it:
- `fine`, at a tenth of Neuro's dt (close to the exact solution: its own
  error is a tenth of that of NEURON at Neuro's dt, NEURON's method being
  first order). Spike times, membrane potentials and conductances are
  compared with it.
- `grid`, at Neuro's dt (PyNN's default 0.1 ms): for the integrate-and-fire
  cells with current or conductance synapses the spike trains are the same,
  spike for spike. For the other cells NEURON's backward Euler is not a
  reference at 0.1 ms (the exponential and quadratic currents overshoot in
  its linearised implicit step: EIF misses spikes).

Neuro stamps a spike at the end of the step in which the threshold is
crossed and resets there, so against a continuous-time reference the k-th
spike (k from 0) comes later by up to (k + 1) dt plus the integration error.
The bounds per cell (TOLERANCES) are derived in docs/pynn-cells.md from the
measured differences this script prints.

Membrane potentials are compared with the fine reference at the samples
t = k dt until 2 ms before the first spike (near a spike the difference is
that of the spike times times the slope of v), except at the arrival of an
input spike (11 and 101 ms): NEURON samples a state just before the events
of that time, Neuro just after. The conductances are compared with their
exact kernels (NEURON records AlphaSyn's conductance from the middle of
its step, half a step off). IF_curr_delta has no NEURON model: its Dc case
is compared with NEURON's IF_curr_exp (the same membrane) and its Syn case
with the exact solution.
"""
import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pynn_neuron  # noqa: E402

# Neuro's dt (ms) per cell, and the bounds:
# spikes: (a, b, c), the k-th spike within [-a, a + b (k + 1) + c (t_k - t_0)]
#   of the fine reference (t in ms);
# grid: the spike trains equal NEURON's at Neuro's dt;
# v_dc: |dv| (mV) in Dc, v_syn: |dv| (mV) in Syn; g_syn: |dg| relative to
#   the excitatory weight.
# The spike bounds: integrate-and-fire cells, b = dt (each reset up to a
# step late, nothing else); EIF the same, a = 0.05 ms for RK4's error near
# the exponential upswing; Izhikevich b = 2 dt (during the late step u
# integrates the diverging v, which delays the next spike about as much
# again: 1.3 to 1.9 dt per spike measured at dt 0.1 and 0.01 ms); HH at
# dt = 0.01 ms, c = 2% of the time since the first spike (exponential
# Euler, first order, makes its intervals 1.1% long there, 9% at 0.1 ms).
# The trace bounds are 3 to 5 times the measured differences
# (docs/pynn-cells.md).
TOLERANCES = {
    "IF_curr_exp": dict(dt=0.1, spikes=(0.01, 0.1, 0), grid=True,
                        v_dc=0.01, v_syn=0.01),
    "IF_curr_alpha": dict(dt=0.1, spikes=(0.01, 0.1, 0), grid=True,
                          v_dc=0.01, v_syn=0.01),
    "IF_curr_delta": dict(dt=0.1, spikes=(0.01, 0.1, 0), grid=True,
                          v_dc=0.01, v_syn=1e-6),
    "IF_cond_exp": dict(dt=0.1, spikes=(0.01, 0.1, 0), grid=True,
                        v_dc=0.01, v_syn=0.01, g_syn=2e-3),
    "IF_cond_alpha": dict(dt=0.1, spikes=(0.01, 0.1, 0), grid=True,
                          v_dc=0.01, v_syn=0.01, g_syn=2e-3),
    "EIF_cond_exp_isfa_ista": dict(dt=0.1, spikes=(0.05, 0.1, 0),
                                   v_dc=0.03, v_syn=0.02, g_syn=2e-3),
    "EIF_cond_alpha_isfa_ista": dict(dt=0.1, spikes=(0.05, 0.1, 0),
                                     v_dc=0.03, v_syn=0.02, g_syn=2e-3),
    "HH_cond_exp": dict(dt=0.01, spikes=(0.1, 0, 0.02),
                        v_dc=0.03, v_syn=0.1, g_syn=2e-3),
    "Izhikevich": dict(dt=0.1, spikes=(0.05, 0.2, 0), v_dc=0.05, v_syn=0.02),
}


def neuro(out, case, var):
    scale = {"v": 1e3, "gsyn_exc": 1e6, "gsyn_inh": 1e6}[var]
    return np.load(os.path.join(out, f"{case}_{var}.npy"))[:, 0] * scale


def delta_syn_exact(dt, n):
    """v of IF_curr_delta's Syn case, exactly: held by i_offset from v0,
    jumps w_exc at 11 ms and w_inh at 101 ms (a sample at an arrival
    includes the jump, as Neuro's)."""
    _, params, _, hold, v0, w_exc, w_inh, _ = pynn_neuron.CASES["IF_curr_delta"]
    tau_m, cm, v_rest = 20.0, 1.0, -65.0
    v_inf = v_rest + hold * tau_m / cm
    t = np.arange(n) * dt
    v = v_inf + (v0 - v_inf) * np.exp(-t / tau_m)
    for t_arr, w in ((pynn_neuron.T_EXC + pynn_neuron.DELAY, w_exc),
                     (pynn_neuron.T_INH + pynn_neuron.DELAY, w_inh)):
        after = t >= t_arr - 1e-9
        v[after] += w * np.exp(-(t[after] - t_arr) / tau_m)
    return v


def kernel(cell, var, dt, n):
    """The exact conductance of the Syn case: one input spike of the
    receptor's weight arriving at 11 ms (exc) or 101 ms (inh), exponential
    or alpha with the cell's tau_syn."""
    from pyNN.standardmodels import cells
    name, params, _, _, _, w_exc, w_inh, _ = pynn_neuron.CASES[cell]
    defaults = dict(getattr(cells, name).default_parameters, **params)
    exc = var == "gsyn_exc"
    tau = defaults["tau_syn_E" if exc else "tau_syn_I"]
    w = w_exc if exc else w_inh
    t_arr = pynn_neuron.T_EXC if exc else pynn_neuron.T_INH
    t_arr += pynn_neuron.DELAY
    s = np.maximum(np.arange(n) * dt - t_arr, 0) / tau
    if "alpha" in cell:
        return w * s * np.exp(1 - s)
    g = w * np.exp(-s)
    g[np.arange(n) * dt < t_arr - 1e-9] = 0
    return g


def main():
    cell, out = sys.argv[1], sys.argv[2]
    tol = TOLERANCES[cell]
    dt = tol["dt"]
    ref_cell = "IF_curr_exp" if cell == "IF_curr_delta" else cell
    fine = pynn_neuron.run(ref_cell, dt / 10)
    grid = pynn_neuron.run(ref_cell, dt) if tol.get("grid") else None
    failed = []

    def check(what, value, bound):
        ok = value <= bound
        print(f"{cell} {what}: {value:.3g} (bound {bound:.3g})"
              f" {'ok' if ok else 'FAILED'}")
        if not ok:
            failed.append(what)

    events = [pynn_neuron.T_EXC + pynn_neuron.DELAY,
              pynn_neuron.T_INH + pynn_neuron.DELAY]
    for case in ("Dc", "Syn"):
        ours = np.load(os.path.join(out, f"spikes_{case}.npy"))["t"] * 1e3
        theirs = fine[case]["spikes"]
        if cell == "IF_curr_delta" and case == "Syn":
            theirs = np.array([])  # no spikes in the exact solution
        print(f"{cell} {case} spikes: {len(ours)} (NEURON {len(theirs)})")
        if len(ours) != len(theirs):
            print(f"{cell} {case} spike count FAILED: {ours} vs {theirs}")
            failed.append(case + " count")
            continue
        if len(ours):
            a, b, c = tol["spikes"]
            d = ours - theirs
            k = np.arange(len(d))
            hi = a + b * (k + 1) + c * (theirs - theirs[0])
            excess = np.maximum(d - hi, -a - d)
            print(f"{cell} {case} spike time differences (ms): "
                  + " ".join(f"{x:.3f}" for x in d))
            check(f"{case} spikes beyond bound (ms)", max(excess.max(), 0), 0)
            if grid is not None:
                g = grid[case]["spikes"]
                same = len(g) == len(ours) and np.allclose(
                    g, ours, rtol=0, atol=dt * 1e-3)
                print(f"{cell} {case} spikes as NEURON's at dt = {dt:g} ms: "
                      f"{'ok' if same else 'FAILED'}")
                if not same:
                    print(ours, g)
                    failed.append(case + " grid")
        variables = ["v"]
        if case == "Syn" and "g_syn" in tol:
            variables += ["gsyn_exc", "gsyn_inh"]
        first = min(list(ours[:1]) + list(theirs[:1]) + [math.inf])
        for var in variables:
            v = neuro(out, case, var)
            n = len(v)
            t = np.arange(n) * dt
            if var != "v":
                ref = kernel(cell, var, dt, n)
            elif cell == "IF_curr_delta" and case == "Syn":
                ref = delta_syn_exact(dt, n)
            else:
                ref = fine[case][var][::10][:n]
            keep = t < first - 2 - 1e-9
            if case == "Syn":
                for te in events:
                    keep &= np.abs(t - te) > 1e-9
            diff = np.abs(v - ref)[keep].max()
            if var == "v":
                bound = tol["v_dc" if case == "Dc" else "v_syn"]
                check(f"{case} max |dv| (mV)", diff, bound)
            else:
                w = pynn_neuron.CASES[cell][5]
                check(f"{case} max |d{var}| / w_exc", diff / w, tol["g_syn"])
    print(f"{cell}: {'FAILED' if failed else 'all within bounds'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
