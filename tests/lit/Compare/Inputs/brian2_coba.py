"""The COBA network of examples/classic/coba.neuro (Vogels & Abbott 2005,
benchmark 1 of Brette et al. 2007) in Brian2, C++ standalone, on the same
parameters and method (forward Euler, dt = 0.1 ms), and a comparison of
the statistics of several network realizations with Neuro's.

Brian2 runs K realizations at once, as K blocks of 4,000 neurons with no
synapses between blocks (one build). Neuro's realizations are runs with
different seeds, given as output folders. Per realization: the mean rate
of the excitatory and of the inhibitory neurons over [T0, T1) and the mean
coefficient of variation of the inter-spike intervals of the excitatory
neurons with at least 5 spikes there. The means over realizations must
agree within these bounds:

  rates: 12%. Realizations of one simulator spread by 7-8% (standard
      deviation of the excitatory rate; Neuro's seeds 1-20 and 20 of
      Brian2's blocks), so the means of 8 realizations of two simulators
      of the same model differ by about 7.5% * sqrt(2/8) = 3.7% (one
      standard deviation): 12% is 3.2 of them. Over 20 realizations each
      the excitatory rates were 19.17 Hz (Neuro) and 19.24 Hz (Brian2).
  CV: 0.05, 3 standard deviations of the difference of the means (the
      CV spreads by 0.03 between realizations).

usage: brian2_coba.py K T0 T1 NEURO_DIR...
"""
import os
import sys
import tempfile
import time

import numpy as np
from brian2 import (NeuronGroup, SpikeMonitor, Synapses, defaultclock, device,
                    ms, mV, nS, pF, second, seed, set_device, run)

N, N_E = 4000, 3200


def statistics(i, t, n_neurons, t0, t1):
    """Mean rates (E, I) and mean CV of the excitatory ISIs of one
    realization (neurons numbered E first)."""
    keep = (t >= t0) & (t < t1)
    i, t = i[keep], t[keep]
    duration = t1 - t0
    rate_e = np.sum(i < N_E) / (N_E * duration)
    rate_i = np.sum(i >= N_E) / ((n_neurons - N_E) * duration)
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    cvs = []
    bounds = np.searchsorted(i, np.arange(N_E + 1))
    for b, e in zip(bounds[:-1], bounds[1:]):
        if e - b >= 5:
            isi = np.diff(t[b:e])
            cvs.append(isi.std() / isi.mean())
    return rate_e, rate_i, float(np.mean(cvs))


def brian2(k, duration):
    with tempfile.TemporaryDirectory() as d:
        set_device("cpp_standalone", directory=d, build_on_run=False)
        seed(1)
        defaultclock.dt = 0.1 * ms
        start = time.time()
        C, g_L, E_L, E_e, E_i = 200 * pF, 10 * nS, -60 * mV, 0 * mV, -80 * mV
        tau_e, tau_i = 5 * ms, 10 * ms
        P = NeuronGroup(
            k * N,
            """dv/dt = (g_L*(E_L - v) + g_e*(E_e - v) + g_i*(E_i - v))/C
                   : volt (unless refractory)
               dg_e/dt = -g_e/tau_e : siemens
               dg_i/dt = -g_i/tau_i : siemens""",
            threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * ms,
            method="euler")
        P.v = "-65*mV + 5*mV*randn()"
        P.g_e = "40*nS + 15*nS*randn()"
        P.g_i = "200*nS + 120*nS*randn()"
        # Block b holds neurons [b N, (b + 1) N), its first N_E excitatory.
        Ce = Synapses(P, P, on_pre="g_e_post += 6*nS")
        Ce.connect(j="q for q in sample(n*(i//n), n*(i//n) + n, p=0.02) "
                     "if i % n < n_e", namespace={"n": N, "n_e": N_E})
        Ci = Synapses(P, P, on_pre="g_i_post += 67*nS")
        Ci.connect(j="q for q in sample(n*(i//n), n*(i//n) + n, p=0.02) "
                     "if i % n >= n_e", namespace={"n": N, "n_e": N_E})
        monitor = SpikeMonitor(P)
        run(duration)
        device.build(directory=d, compile=True, run=True, with_output=False)
        wall = time.time() - start
        i, t = np.asarray(monitor.i), np.asarray(monitor.t)
        return i, t, wall, float(device._last_run_time)


def main():
    k, t0, t1 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    neuro = []
    for folder in sys.argv[4:]:
        e = np.load(os.path.join(folder, "spikes_E.npy"))
        inh = np.load(os.path.join(folder, "spikes_I.npy"))
        # Neuro stamps a spike at the end of its step, Brian2 at the start.
        i = np.concatenate([e["i"], inh["i"] + N_E])
        t = np.concatenate([e["t"], inh["t"]]) - 1e-4
        neuro.append(statistics(i, t, N, t0, t1))
    i, t, wall, sim = brian2(k, t1 * second)
    theirs = []
    for b in range(k):
        block = (i >= b * N) & (i < (b + 1) * N)
        theirs.append(statistics(i[block] - b * N, t[block], N, t0, t1))
    ours, theirs = np.array(neuro), np.array(theirs)
    for name, s in (("neuro", ours), ("brian2", theirs)):
        print(f"{name}: E {s[:, 0].mean():.2f} Hz (sd {s[:, 0].std():.2f}), "
              f"I {s[:, 1].mean():.2f} Hz (sd {s[:, 1].std():.2f}), "
              f"CV {s[:, 2].mean():.3f} (sd {s[:, 2].std():.3f}) "
              f"over {len(s)} realizations")
    m_ours, m_theirs = ours.mean(axis=0), theirs.mean(axis=0)
    diff = np.abs(m_ours - m_theirs)
    checks = [("E rate", diff[0] <= 0.12 * m_theirs[0]),
              ("I rate", diff[1] <= 0.12 * m_theirs[1]),
              ("CV", diff[2] <= 0.05)]
    failed = [name for name, ok in checks if not ok]
    print("COBA: " + ("matches Brian2" if not failed else
                      "DIFFERS in " + ", ".join(failed)))
    print(f"Brian2 C++ standalone, {k} x {N} neurons, {t1:g} s: "
          f"{wall:.1f} s in all, {sim:.2f} s simulating", file=sys.stderr)


if __name__ == "__main__":
    main()
