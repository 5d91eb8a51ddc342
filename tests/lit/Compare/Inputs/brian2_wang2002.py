"""The decision network of examples/classic/wang2002.neuro (Wang 2002, as
Brian2's example frompapers/Wang_2002.py writes it) in Brian2, C++
standalone, on the same parameters and method (RK4, dt = 0.1 ms, the
stimulus constant from 150 ms to the end of the trial or 1100 ms), and a
comparison of Neuro's trials with Brian2's.

Brian2 runs all trials at once, as disjoint copies of the network (one
build), each with its coherence. Neuro's trials are runs with different
seeds (`neuroc run --seed S --set coherence=C`), given as output folders.

Per trial (trial_stats): the mean rate of the excitatory neurons over
[0.05, 0.15) s (the spontaneous state before the stimulus; the first
50 ms, which start from v = -52 mV everywhere, are left out), and the
decision: the rate of each selective pool in a sliding 50 ms window
(every 5 ms) crosses 15 Hz (between the spontaneous 1-2 Hz and the
winner's 30-40 Hz); the pool that crosses first is the choice, the time
from the stimulus onset the decision time. A trial without a crossing by the end is undecided.

Checks per coherence, over n trials of each simulator (bench/wang2002.py
gives the spreads: decision times spread by 100-150 ms between trials,
and a trial's spontaneous rate over 100 ms by about 0.2 Hz):
  choice: the fraction of trials in which pool 1 (the one the coherence
      favours) wins differs by at most 2.5 binomial standard errors of the
      difference (sqrt(2 p (1 - p) / n), p the pooled fraction) plus 1/n.
  decision time: the mean over decided trials differs by at most
      3 standard errors of the difference (from both sides' spreads,
      at least 25 ms per trial).
and over all trials, the spontaneous rates within 0.5 Hz.

usage: brian2_wang2002.py DURATION COHERENCE:DIR[,DIR...] ...
"""
import os
import sys
import tempfile
import time

import numpy as np

NE, NI, SUB = 1600, 400, 240
STIM_ON, STIM_OFF = 0.15, 1.1
SPONT = (0.05, 0.15)
THRESHOLD = 15.0  # Hz
# The cells of the model in Brian2's terms (Brian2's frompapers example),
# shared with brian2_wang_cells.py.
CELL_EQUATIONS = """
dV/dt = (-gL*(V - El) - s_AMPA*(V - V_E) - s_GABA*(V - V_I)
         - s_ext*(V - V_E) - I_NMDA) / Cm : volt (unless refractory)
I_NMDA = gN*s_NMDA_tot*(V - V_E)/(1 + exp(-0.062*V/mvolt)*(C/mmole/3.57)) : amp
s_NMDA_tot : 1
ds_AMPA/dt = -s_AMPA/tau_AMPA : siemens
ds_GABA/dt = -s_GABA/tau_GABA : siemens
ds_ext/dt = -s_ext/tau_AMPA : siemens
ds_NMDA/dt = -s_NMDA/tau_decay + alpha*x*(1 - s_NMDA) : 1
dx/dt = -x/tau_rise : 1
gL : siemens (constant)
Cm : farad (constant)
gN : siemens (constant)
"""
WINDOW, EVERY = 0.05, 0.005  # s


def brian2_trials(coherences, duration, rng_seed=1):
    """Runs one copy of the network per coherence; returns the spikes of
    each copy's excitatory neurons (pool 1, pool 2, non-selective), the
    wall time and Brian2's own time of the run loop."""
    from brian2 import (NeuronGroup, PoissonInput, Synapses, SpikeMonitor,
                        defaultclock, device, ms, mV, nS, nF, Hz, kHz,
                        mmole, second, seed, set_device, run)
    copies = len(coherences)
    with tempfile.TemporaryDirectory() as d:
        set_device("cpp_standalone", directory=d, build_on_run=False)
        seed(rng_seed)
        defaultclock.dt = 0.1 * ms
        start = time.time()
        El, Vt, Vr, V_E, V_I = -70 * mV, -50 * mV, -55 * mV, 0 * mV, -70 * mV
        tau_AMPA, tau_rise, tau_decay, tau_GABA = 2 * ms, 2 * ms, 100 * ms, 5 * ms
        alpha, C = 0.5 * kHz, 1 * mmole
        Jp = 1.7
        Jm = 1.0 - 0.15 * (Jp - 1.0) / (1.0 - 0.15)
        eqs = CELL_EQUATIONS + """
           label : integer (constant)
           trial : integer (constant)
        """
        E = NeuronGroup(copies * NE, eqs, threshold="V > Vt", reset="V = Vr",
                        refractory=2 * ms, method="rk4")
        I = NeuronGroup(copies * NI, eqs, threshold="V > Vt", reset="V = Vr",
                        refractory=1 * ms, method="rk4")
        E.gL, E.Cm, E.gN = 25 * nS, 0.5 * nF, 0.165 * nS
        I.gL, I.Cm, I.gN = 20 * nS, 0.2 * nF, 0.13 * nS
        E.label = "clip((i % 1600) // 240, 0, 2)"
        E.trial = "i // 1600"
        I.trial = "i // 400"
        E.V = Vt - 2 * mV
        I.V = Vt - 2 * mV

        def within(n_pre, n_post):
            # All to all within a trial's copy.
            return (f"n for n in range({n_post} * (i // {n_pre}), "
                    f"{n_post} * (i // {n_pre} + 1))")

        EE = Synapses(E, E, "w : siemens", on_pre="s_AMPA_post += w",
                      delay=0.5 * ms)
        EE.connect(j=within(NE, NE))
        EE.w = 0.05 * nS
        EE.w["label_pre == label_post and label_pre < 2"] = 0.05 * nS * Jp
        EE.w["label_pre != label_post and label_post < 2"] = 0.05 * nS * Jm
        EI = Synapses(E, I, on_pre="s_AMPA_post += 0.04*nS", delay=0.5 * ms)
        EI.connect(j=within(NE, NI))
        IE = Synapses(I, E, on_pre="s_GABA_post += 1.3*nS", delay=0.5 * ms)
        IE.connect(j=within(NI, NE))
        II = Synapses(I, I, on_pre="s_GABA_post += 1.0*nS", delay=0.5 * ms)
        II.connect(j=within(NI, NI))
        # Kept in names: Brian2's run() takes only objects still referenced.
        ext_E = PoissonInput(E, "s_ext", 1000, 2.4 * Hz, 2.1 * nS)
        ext_I = PoissonInput(I, "s_ext", 1000, 2.4 * Hz, 1.62 * nS)
        rise = Synapses(E, E, on_pre="x_post += 1", delay=0.5 * ms)
        rise.connect(j="i")
        pools = NeuronGroup(3 * copies, "s : 1")
        total = Synapses(E, pools, "s_post = s_NMDA_pre : 1 (summed)")
        total.connect(j="label_pre + 3*trial_pre")
        to_E = Synapses(pools, E, """w : 1 (constant)
                                     s_NMDA_tot_post = w*s_pre : 1 (summed)""")
        to_E.connect(j=within(3, NE))
        to_E.w = 1
        to_E.w["i % 3 == label_post and label_post < 2"] = Jp
        to_E.w["i % 3 != label_post and label_post < 2"] = Jm
        to_I = Synapses(pools, I, "s_NMDA_tot_post = s_pre : 1 (summed)")
        to_I.connect(j=within(3, NI))
        # The stimulus: neuron n of a copy's pool 1 (2) gets its own Poisson
        # source at mu0 (1 + c) (mu0 (1 - c)) from STIM_ON to STIM_OFF.
        stim = NeuronGroup(
            copies * 2 * SUB, "rate : Hz (constant)",
            threshold="t >= t_on and t < t_off and rand() < rate*dt",
            namespace={"t_on": STIM_ON * second, "t_off": STIM_OFF * second})
        sign = np.tile(np.repeat([1.0, -1.0], SUB), copies)
        c = np.repeat(np.asarray(coherences, dtype=float), 2 * SUB)
        stim.rate = 40 * Hz * (1 + c * sign)
        to_pools = Synapses(stim, E, on_pre="s_ext_post += 2.1*nS")
        to_pools.connect(j=f"(i // {2 * SUB}) * {NE} + i % {2 * SUB}")
        monitor = SpikeMonitor(E)
        run(duration * second)
        device.build(directory=d, compile=True, run=True, with_output=False)
        wall = time.time() - start
        i, t = np.asarray(monitor.i), np.asarray(monitor.t)
        last_run = float(device._last_run_time)
        device.reinit()  # so that a further call can build again
        spikes = []
        for b in range(copies):
            block = (i >= b * NE) & (i < (b + 1) * NE)
            spikes.append((i[block] - b * NE, t[block]))
        return spikes, wall, last_run


def neuro_trial(folder):
    """The excitatory spikes of a Neuro run, numbered as Brian2's, with
    Brian2's stamps (the start of the step)."""
    parts, offset = [], 0
    for name, n in (("E1", SUB), ("E2", SUB), ("E3", NE - 2 * SUB)):
        s = np.load(os.path.join(folder, f"spikes_{name}.npy"))
        parts.append((s["i"] + offset, s["t"] - 1e-4))
        offset += n
    return (np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]))


def trial_stats(i, t, duration):
    """(spontaneous rate of E, choice 1/2 or 0 if undecided, decision time
    after the stimulus onset in s or nan)."""
    keep = (t >= SPONT[0]) & (t < SPONT[1])
    spont = np.sum(keep) / (NE * (SPONT[1] - SPONT[0]))
    end = min(duration, STIM_OFF)
    grid = np.arange(STIM_ON + EVERY, end + 1e-9, EVERY)
    rates = []
    for lo in (0, SUB):
        ts = np.sort(t[(i >= lo) & (i < lo + SUB)])
        count = (np.searchsorted(ts, grid, side="right")
                 - np.searchsorted(ts, grid - WINDOW, side="right"))
        rates.append(count / (SUB * WINDOW))
    above = np.maximum(rates[0], rates[1]) >= THRESHOLD
    if not above.any():
        return spont, 0, float("nan")
    n = int(np.argmax(above))
    choice = 1 if rates[0][n] >= rates[1][n] else 2
    return spont, choice, grid[n] - STIM_ON


def summary(stats):
    """Fraction of trials choosing pool 1, undecided ones, the mean and
    sd of the decision time (s) over decided trials."""
    s = np.asarray(stats, dtype=float)
    decided = s[:, 1] > 0
    times = s[decided, 2]
    return (float(np.mean(s[:, 1] == 1)), int(np.sum(~decided)),
            float(times.mean()) if len(times) else float("nan"),
            float(times.std(ddof=1)) if len(times) > 1 else float("nan"),
            len(times))


def agree(ours, theirs):
    """The checks of the module's docstring for one coherence; returns
    (choice ok, decision time ok)."""
    (p1, _, m1, s1, d1), (p2, _, m2, s2, d2) = summary(ours), summary(theirs)
    n = min(len(ours), len(theirs))
    p = (p1 + p2) / 2
    choice = abs(p1 - p2) <= 2.5 * np.sqrt(2 * p * (1 - p) / n) + 1 / n
    if d1 == 0 or d2 == 0:
        return choice, d1 == d2
    se = np.sqrt(max(s1 if d1 > 1 else 0, 0.025) ** 2 / d1
                 + max(s2 if d2 > 1 else 0, 0.025) ** 2 / d2)
    return choice, abs(m1 - m2) <= 3 * se


def describe(name, c, stats):
    p, undecided, mean, sd, _ = summary(stats)
    return (f"{name}: c {c:.3f}: pool 1 chosen in {p * 100:.0f}% of "
            f"{len(stats)} trials ({undecided} undecided), decision time "
            f"{mean * 1e3:.0f} ms (sd {sd * 1e3:.0f})")


def main():
    duration = float(sys.argv[1])
    groups = []
    for arg in sys.argv[2:]:
        c, folders = arg.split(":", 1)
        groups.append((float(c), folders.split(",")))
    start = time.time()
    ours = [[trial_stats(*neuro_trial(f), duration) for f in folders]
            for _, folders in groups]
    coherences = [c for c, folders in groups for _ in folders]
    copies, wall, sim = brian2_trials(coherences, duration)
    theirs, n = [], 0
    for _, folders in groups:
        theirs.append([trial_stats(i, t, duration)
                       for i, t in copies[n:n + len(folders)]])
        n += len(folders)
    failed = []
    for (c, _), a, b in zip(groups, ours, theirs):
        print(describe("neuro", c, a))
        print(describe("brian2", c, b))
        choice, timing = agree(a, b)
        if not choice:
            failed.append(f"choice at c {c:.3f}")
        if not timing:
            failed.append(f"decision time at c {c:.3f}")
    spont = [np.mean([s[0] for g in side for s in g])
             for side in (ours, theirs)]
    print(f"spontaneous E rate: neuro {spont[0]:.2f} Hz, "
          f"brian2 {spont[1]:.2f} Hz")
    if abs(spont[0] - spont[1]) > 0.5:
        failed.append("spontaneous rate")
    print("Wang2002: " + ("matches Brian2" if not failed else
                          "DIFFERS in " + ", ".join(failed)))
    print(f"Brian2 C++ standalone, {len(coherences)} x 2000 neurons, "
          f"{duration} s: {wall:.1f} s in all, {sim:.2f} s simulating "
          f"(script {time.time() - start:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
