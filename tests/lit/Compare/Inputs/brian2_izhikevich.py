"""The polychronization network of examples/classic/izhikevich2006.neuro
(Izhikevich 2006) in Brian2, C++ standalone, on the same parameters and
method (forward Euler, dt = 0.5 ms), and a comparison of the statistics of
several network realizations with Neuro's.

Brian2 runs K realizations at once, as K blocks of 1,000 neurons with no
synapses between blocks (one build); the connectivity is drawn with numpy
by the example's rules (80 distinct excitatory and 20 distinct inhibitory
targets per excitatory neuron, no self-connection; 100 distinct excitatory
targets per inhibitory neuron; excitatory delays of 1 to 20 whole ms).
Neuro's realizations are runs with different seeds, given as output folders
(each with spikes_E.npy, spikes_I.npy and E_to_E_w.npy).

Per realization: the mean rate of the excitatory and of the inhibitory
neurons over [T0, T1) and, at the last weight sample (the start of the
last second), the mean excitatory-to-excitatory weight and the fractions
of those weights below 0.5 mV and above 9.5 mV. The means over
realizations must agree within these bounds, about 4 standard deviations
of the difference of two means of 4 realizations. Single realizations
spread by (standard deviations over Neuro's seeds 1-8 and 8 of Brian2's
blocks at T1 = 10 s, whose means were E 3.165 / 3.172 Hz, I 24.63 /
24.80 Hz, mean weight 6.298 / 6.303 mV, above 9.5 mV 0.052 / 0.053):

  E rate: 1%  -> bound 4%      I rate: 2%  -> bound 6%
  mean weight: 0.015 mV -> 0.05 mV
  fractions: 0.002 -> 0.01

usage: brian2_izhikevich.py K T0 T1 NEURO_DIR...
"""
import os
import sys
import tempfile
import time

import numpy as np
from brian2 import (NeuronGroup, PoissonGroup, SpikeMonitor, Synapses,
                    StateMonitor, defaultclock, device, Hz, ms, mV, second,
                    seed, set_device, run)

N, N_E = 1000, 800
BOUNDS = {"E rate": ("rel", 0.04), "I rate": ("rel", 0.06),
          "mean w": ("abs", 0.05e-3), "w < 0.5 mV": ("abs", 0.01),
          "w > 9.5 mV": ("abs", 0.01)}


def statistics(i, t, w, t0, t1):
    """Rates (E, I), mean weight and the weight fractions at the ends of
    one realization (neurons numbered E first)."""
    keep = (t >= t0) & (t < t1)
    i = i[keep]
    duration = t1 - t0
    rate_e = np.sum(i < N_E) / (N_E * duration)
    rate_i = np.sum(i >= N_E) / ((N - N_E) * duration)
    return (rate_e, rate_i, w.mean(), np.mean(w < 0.5e-3),
            np.mean(w > 9.5e-3))


def draw(rng, k):
    """Pre, post and delays (ms) of the three projections of k blocks."""
    def distinct(count, pool, exclude=None):
        pre, post = [], []
        for b in range(k):
            for i in range(pool[0]):
                choices = np.arange(pool[1])
                if exclude is not None:
                    choices = choices[choices != i]
                post.append(b * N + pool[2] + rng.choice(choices, count,
                                                         replace=False))
                pre.append(np.full(count, b * N + pool[3] + i))
        return np.concatenate(pre), np.concatenate(post)
    ee = distinct(80, (N_E, N_E, 0, 0), exclude=True)
    ei = distinct(20, (N_E, N - N_E, N_E, 0))
    ie = distinct(100, (N - N_E, N_E, 0, N_E))
    return ee, ei, ie


def brian2(k, duration):
    with tempfile.TemporaryDirectory() as d:
        set_device("cpp_standalone", directory=d, build_on_run=False)
        seed(1)
        rng = np.random.default_rng(1)
        defaultclock.dt = 0.5 * ms
        start = time.time()
        P = NeuronGroup(
            k * N,
            """dv/dt = (0.04*v**2/mV + 5*v + 140*mV - u)/ms : volt
               du/dt = a*(0.2*v - u) : volt
               a : Hz
               d : volt""",
            threshold="v >= 30*mV", reset="v = -65*mV; u += d",
            method="euler")
        P.v = -65 * mV
        P.u = -13 * mV
        excitatory = np.arange(k * N) % N < N_E
        P.a = np.where(excitatory, 20.0, 100.0) * Hz
        P.d = np.where(excitatory, 8.0, 2.0) * mV
        thalamus = PoissonGroup(k * N, 1 * Hz)
        kick = Synapses(thalamus, P, "w : volt", on_pre="v_post += w")
        kick.connect(j="i")
        kick.w = 20 * mV
        model = """dw/dt = 0.01*mV/second : volt (clock-driven)
                   dltp_trace/dt = -ltp_trace/(20*ms) : volt (event-driven)
                   dltd_trace/dt = -ltd_trace/(20*ms) : volt
                       (event-driven)"""
        on_pre = """v_post += w
                    ltp_trace = 1*mV
                    w = clip(w - ltd_trace, 0*mV, 10*mV)"""
        on_post = """ltd_trace = 1.2*mV
                     w = clip(w + ltp_trace, 0*mV, 10*mV)"""
        (ee_pre, ee_post), (ei_pre, ei_post), (ie_pre, ie_post) = draw(rng, k)
        stdp = Synapses(P, P, model, on_pre=on_pre, on_post=on_post,
                        method="euler")
        stdp.connect(i=np.concatenate([ee_pre, ei_pre]),
                     j=np.concatenate([ee_post, ei_post]))
        stdp.w = 6 * mV
        stdp.delay = rng.integers(1, 21, len(stdp)) * ms
        inhibition = Synapses(P, P, "w : volt", on_pre="v_post += w",
                              delay=1 * ms)
        inhibition.connect(i=ie_pre, j=ie_post)
        inhibition.w = -5 * mV
        spikes = SpikeMonitor(P)
        # The excitatory-to-excitatory weights at the start of the last
        # second, as Neuro's `record w of E_to_E every 1 s` samples them.
        n_ee = len(ee_pre)
        weights = StateMonitor(stdp, "w",
                               record=np.arange(n_ee), dt=1 * second)
        run(duration)
        device.build(directory=d, compile=True, run=True, with_output=False)
        wall = time.time() - start
        w = np.asarray(weights.w[:, -1])
        block = np.asarray(ee_pre) // N
        return (np.asarray(spikes.i), np.asarray(spikes.t), w, block, wall,
                float(device._last_run_time))


def main():
    k, t0, t1 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    dt = 0.5e-3
    ours = []
    for folder in sys.argv[4:]:
        e = np.load(os.path.join(folder, "spikes_E.npy"))
        inh = np.load(os.path.join(folder, "spikes_I.npy"))
        w = np.load(os.path.join(folder, "E_to_E_w.npy"))[-1]
        # Neuro stamps a spike at the end of its step, Brian2 at the start.
        i = np.concatenate([e["i"], inh["i"] + N_E])
        t = np.concatenate([e["t"], inh["t"]]) - dt
        ours.append(statistics(i, t, w, t0, t1))
    i, t, w, block, wall, sim = brian2(k, t1 * second)
    theirs = []
    for b in range(k):
        mine = (i >= b * N) & (i < (b + 1) * N)
        theirs.append(statistics(i[mine] - b * N, t[mine], w[block == b],
                                 t0, t1))
    ours, theirs = np.array(ours), np.array(theirs)
    names = list(BOUNDS)
    scale = [1, 1, 1e3, 1, 1]
    units = ["Hz", "Hz", "mV", "", ""]
    for name, s in (("neuro", ours), ("brian2", theirs)):
        print(f"{name}: " + ", ".join(
            f"{n} {s[:, c].mean() * scale[c]:.3f}{units[c]} "
            f"(sd {s[:, c].std() * scale[c]:.3f})"
            for c, n in enumerate(names)) + f" over {len(s)} realizations")
    failed = []
    for c, n in enumerate(names):
        kind, bound = BOUNDS[n]
        a, b = ours[:, c].mean(), theirs[:, c].mean()
        if abs(a - b) > (bound * abs(b) if kind == "rel" else bound):
            failed.append(n)
    print("Izhikevich 2006: " + ("matches Brian2" if not failed else
                                 "DIFFERS in " + ", ".join(failed)))
    print(f"Brian2 C++ standalone, {k} x {N} neurons, {t1:g} s: "
          f"{wall:.1f} s in all, {sim:.2f} s simulating", file=sys.stderr)


if __name__ == "__main__":
    main()
