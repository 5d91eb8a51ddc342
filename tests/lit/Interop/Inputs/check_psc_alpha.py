"""Compares the V_m traces of psc_alpha.neuro with the analytic PSPs."""
import math
import sys

import numpy as np

out = sys.argv[1]
E, C, tau_m = -65.0, 250.0, 10.0


def psp(s, w, tau_s):
    s = np.maximum(s, 0.0)
    k = w * math.e / (C * tau_s)
    a = 1.0 / tau_s - 1.0 / tau_m
    if a == 0:
        return k * s * s / 2.0 * np.exp(-s / tau_m)
    return k * np.exp(-s / tau_m) * (1 - np.exp(-a * s) * (1 + a * s)) / a**2


for pop, label, tau_ex, tau_in in (("General", "general", 2.0, 5.0),
                                   ("Equal", "tau_syn = tau_m", 10.0, 10.0)):
    t = np.load("%s/%s_t.npy" % (out, pop)) * 1e3
    v = np.load("%s/%s_V_m.npy" % (out, pop))[:, 0] * 1e3
    exact = E + psp(t - 6.1, 200.0, tau_ex) + psp(t - 26.1, -100.0, tau_in)
    err = np.max(np.abs(v - exact))
    print("%s: max |V - exact| = %.3g mV (peak %.3f mV), %s 1e-9"
          % (label, err, np.max(np.abs(exact - E)),
             "within" if err < 1e-9 else "NOT within"))
