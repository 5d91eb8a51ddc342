"""Checks examples/zoo/astrocyte against its model: the astrocyte state c
follows the mean N r k tau_c (1 - e^(-(t - 1 s)/tau_c)) while the inputs
fire (1-4 s) and decays with tau_c afterwards, within 4 standard deviations
of its shot noise; the synaptic efficacy measured at the target (growth of
the conductance integral q per input spike, over w tau) is 1 + gain c.

usage: astrocyte_check.py OUTDIR"""
import sys

import numpy as np

out = sys.argv[1]
N, r, k, tau_c, w, tau_g, gain = 50, 20.0, 0.001, 2.0, 0.2e-9, 5e-3, 1.0
t = np.load(f"{out}/Astro_t.npy")
c = np.load(f"{out}/Astro_c.npy")[:, 0]
q = np.load(f"{out}/Out_q.npy")[:, 0]
spikes = np.load(f"{out}/spikes_In.npy")["t"]

plateau = N * r * k * tau_c
noise = np.sqrt(N * r * k * k * tau_c / 2)  # stationary shot-noise sd
ok = True
for time in [1.5, 2.0, 2.5, 3.0, 3.5, 3.95, 4.5, 5.0, 6.0, 6.9]:
    i = int(round(time / 0.01))
    if time < 4.0:
        mean = plateau * (1 - np.exp(-(time - 1.0) / tau_c))
        sd = noise * np.sqrt(1 - np.exp(-2 * (time - 1.0) / tau_c))
    else:
        mean = plateau * (1 - np.exp(-3.0 / tau_c)) * np.exp(-(time - 4.0) / tau_c)
        sd = noise * np.exp(-(time - 4.0) / tau_c)
    good = abs(c[i] - mean) <= 4 * sd
    ok &= good
    print(f"t = {time:.2f} s: c = {c[i]:.3f}, model {mean:.3f} +- {sd:.3f}"
          f"{'' if good else '  OUT OF BAND'}")


def efficacy(t0, t1):
    n = np.sum((spikes > t0) & (spikes <= t1))
    dq = q[int(round(t1 / 0.01))] - q[int(round(t0 / 0.01))]
    return dq / (n * w * tau_g), 1 + gain * np.mean(c[int(t0 / 0.01):int(t1 / 0.01)])


for t0, t1 in [(1.0, 1.5), (3.4, 3.9)]:
    measured, model = efficacy(t0, t1)
    good = abs(measured - model) <= 0.05 * model
    ok &= good
    print(f"efficacy {t0}-{t1} s: {measured:.3f}, model {model:.3f}"
          f"{'' if good else '  OUT OF BAND'}")
early, _ = efficacy(1.0, 1.5)
late, _ = efficacy(3.4, 3.9)
ok &= late > 1.8 * early
print("astrocyte raises synaptic efficacy as modelled" if ok
      else "astrocyte does not follow the model")
