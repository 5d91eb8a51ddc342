"""The decision network of examples/classic/wang2002.neuro (Wang 2002, as
Brian2's example frompapers/Wang_2002.py writes it) in Brian2, C++
standalone, on the same parameters and method (RK4, dt = 0.1 ms, the
stimulus constant during 150-1100 ms as in the .neuro file), and a
comparison of several trials with Neuro's.

Brian2 runs K trials at once, as K disjoint copies of the network (one
build). Neuro's trials are runs with different seeds, given as output
folders. Per trial: the mean rate of the excitatory neurons over
[0.05, 0.15) s (spontaneous state, before the stimulus; the first 50 ms,
which start from v = -52 mV everywhere, are left out) and the rates of
pools 1 and 2 over [0.6, 1.1) s (the end of the stimulus). Checks:

  spontaneous: the mean over trials of both simulators within 1 to 4 Hz
      and within 1 Hz of each other (a trial's excitatory rate over
      100 ms spreads by about 0.3 Hz).
  decision: in every trial of both, pool 1 (the one the coherence
      favours) wins: above 15 Hz while pool 2 is below 5 Hz. At a
      coherence of 0.512 or more pool 1 wins nearly always (Wang 2002,
      Fig. 3), and the winner's and loser's rates are 30-40 Hz and under
      2 Hz.

usage: brian2_wang2002.py K COHERENCE NEURO_DIR...
"""
import os
import sys
import tempfile
import time

import numpy as np
from brian2 import (NeuronGroup, PoissonInput, PoissonGroup, Synapses,
                    SpikeMonitor, defaultclock, device, ms, mV, nS, nF, Hz,
                    kHz, mmole, second, seed, set_device, run)

NE, NI, SUB = 1600, 400, 240
SPONT = (0.05, 0.15)
LATE = (0.6, 1.1)


def pool_rates(i_e, t_e):
    """Rates of E (all), pool 1 and pool 2 (E numbered pool 1, pool 2,
    non-selective)."""
    def rate(lo, hi, window):
        keep = (i_e >= lo) & (i_e < hi) & (t_e >= window[0]) & (t_e < window[1])
        return np.sum(keep) / ((hi - lo) * (window[1] - window[0]))
    return (rate(0, NE, SPONT), rate(0, SUB, LATE), rate(SUB, 2 * SUB, LATE))


def brian2(k, coherence):
    with tempfile.TemporaryDirectory() as d:
        set_device("cpp_standalone", directory=d, build_on_run=False)
        seed(1)
        defaultclock.dt = 0.1 * ms
        start = time.time()
        El, Vt, Vr, V_E, V_I = -70 * mV, -50 * mV, -55 * mV, 0 * mV, -70 * mV
        tau_AMPA, tau_rise, tau_decay, tau_GABA = 2 * ms, 2 * ms, 100 * ms, 5 * ms
        alpha, C = 0.5 * kHz, 1 * mmole
        Jp = 1.7
        Jm = 1.0 - 0.15 * (Jp - 1.0) / (1.0 - 0.15)
        eqs = """
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
           label : integer (constant)
           trial : integer (constant)
        """
        E = NeuronGroup(k * NE, eqs, threshold="V > Vt", reset="V = Vr",
                        refractory=2 * ms, method="rk4")
        I = NeuronGroup(k * NI, eqs, threshold="V > Vt", reset="V = Vr",
                        refractory=1 * ms, method="rk4")
        E.gL, E.Cm, E.gN = 25 * nS, 0.5 * nF, 0.165 * nS
        I.gL, I.Cm, I.gN = 20 * nS, 0.2 * nF, 0.13 * nS
        E.label = "clip((i % 1600) // 240, 0, 2)"
        E.trial = "i // 1600"
        I.trial = "i // 400"
        E.V = Vt - 2 * mV
        I.V = Vt - 2 * mV
        same = "trial_pre == trial_post"
        EE = Synapses(E, E, "w : siemens", on_pre="s_AMPA_post += w", delay=0.5 * ms)
        EE.connect(same)
        EE.w = 0.05 * nS
        EE.w["label_pre == label_post and label_pre < 2"] = 0.05 * nS * Jp
        EE.w["label_pre != label_post and label_post < 2"] = 0.05 * nS * Jm
        EI = Synapses(E, I, on_pre="s_AMPA_post += 0.04*nS", delay=0.5 * ms)
        EI.connect(same)
        IE = Synapses(I, E, on_pre="s_GABA_post += 1.3*nS", delay=0.5 * ms)
        IE.connect(same)
        II = Synapses(I, I, on_pre="s_GABA_post += 1.0*nS", delay=0.5 * ms)
        II.connect(same)
        ext_E = PoissonInput(E, "s_ext", 1000, 2.4 * Hz, 2.1 * nS)
        ext_I = PoissonInput(I, "s_ext", 1000, 2.4 * Hz, 1.62 * nS)
        rise = Synapses(E, E, on_pre="x_post += 1", delay=0.5 * ms)
        rise.connect(j="i")
        pools = NeuronGroup(3 * k, "s : 1")
        total = Synapses(E, pools, "s_post = s_NMDA_pre : 1 (summed)")
        total.connect(j="label_pre + 3*trial_pre")
        to_E = Synapses(pools, E, """w : 1 (constant)
                                     s_NMDA_tot_post = w*s_pre : 1 (summed)""")
        to_E.connect("i // 3 == trial_post")
        to_E.w = 1
        to_E.w["i % 3 == label_post and label_post < 2"] = Jp
        to_E.w["i % 3 != label_post and label_post < 2"] = Jm
        to_I = Synapses(pools, I, "s_NMDA_tot_post = s_pre : 1 (summed)")
        to_I.connect("i // 3 == trial_post")
        # The stimulus: neuron n of a copy's pool 1 (2) gets its own Poisson
        # source at mu0 (1 + c) (mu0 (1 - c)) from 150 ms to 1100 ms.
        stim = PoissonGroup(
            k * 2 * SUB,
            rates="int(t >= 150*ms and t < 1100*ms) * 40*Hz * "
                  "(1 + c * (1 - 2 * ((i // 240) % 2)))",
            namespace={"c": coherence})
        to_pools = Synapses(stim, E, on_pre="s_ext_post += 2.1*nS")
        to_pools.connect(j="(i // 480) * 1600 + i % 480")
        monitor = SpikeMonitor(E)
        run(1.6 * second)
        device.build(directory=d, compile=True, run=True, with_output=False)
        wall = time.time() - start
        return (np.asarray(monitor.i), np.asarray(monitor.t), wall,
                float(device._last_run_time))


def main():
    k, coherence = int(sys.argv[1]), float(sys.argv[2])
    ours = []
    for folder in sys.argv[3:]:
        parts, offset = [], 0
        for name, n in (("E1", SUB), ("E2", SUB), ("E3", NE - 2 * SUB)):
            s = np.load(os.path.join(folder, f"spikes_{name}.npy"))
            parts.append((s["i"] + offset, s["t"]))
            offset += n
        i = np.concatenate([p[0] for p in parts])
        # Neuro stamps a spike at the end of its step, Brian2 at the start.
        t = np.concatenate([p[1] for p in parts]) - 1e-4
        ours.append(pool_rates(i, t))
    i, t, wall, sim = brian2(k, coherence)
    theirs = []
    for b in range(k):
        block = (i >= b * NE) & (i < (b + 1) * NE)
        theirs.append(pool_rates(i[block] - b * NE, t[block]))
    ours, theirs = np.array(ours), np.array(theirs)
    for name, s in (("neuro", ours), ("brian2", theirs)):
        print(f"{name}: spontaneous E {s[:, 0].mean():.2f} Hz "
              f"(sd {s[:, 0].std():.2f}); pool 1 / pool 2 at 0.6-1.1 s: "
              + ", ".join(f"{a:.1f}/{b:.1f}" for a, b in s[:, 1:])
              + f" Hz over {len(s)} trials")
    spont = [s[:, 0].mean() for s in (ours, theirs)]
    checks = [
        ("spontaneous rate", all(1 <= r <= 4 for r in spont)
         and abs(spont[0] - spont[1]) <= 1),
        ("decision", all(np.all((s[:, 1] > 15) & (s[:, 2] < 5))
                         for s in (ours, theirs))),
    ]
    failed = [name for name, ok in checks if not ok]
    print("Wang2002: " + ("matches Brian2" if not failed else
                          "DIFFERS in " + ", ".join(failed)))
    print(f"Brian2 C++ standalone, {k} x 2000 neurons, 1.6 s: "
          f"{wall:.1f} s in all, {sim:.2f} s simulating", file=sys.stderr)


if __name__ == "__main__":
    main()
