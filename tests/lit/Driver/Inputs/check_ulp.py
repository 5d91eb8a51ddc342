"""Largest error, in units in the last place, of the exp, expm1 and exprel
values neuroc computed for Inputs/exp_probe.neuro, against numpy (libm).
With a third argument `single`: of a --precision=single run, in float32
ulp, against the float64 functions of the float32 arguments."""
import sys

import numpy as np

out = sys.argv[1]
bound = float(sys.argv[2])
single = len(sys.argv) > 3 and sys.argv[3] == "single"
worst = 0.0


def spacing(ref):
    """One ulp at ref in the precision of the run."""
    if single:
        return np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    return np.spacing(np.abs(ref))


for pop in "PQ":
    # Sample 1: the values after the first step.
    x = np.load(f"{out}/{pop}_x.npy")[1]
    with np.errstate(all="ignore"):
        refs = {"e": np.exp(x), "m": np.expm1(x),
                "r": np.where(x == 0, 1.0, np.expm1(x) / x)}
    for name, ref in refs.items():
        got = np.load(f"{out}/{pop}_{name}.npy")[1]
        ulp = np.abs(got - ref) / spacing(ref)
        k = int(np.argmax(ulp))
        print(f"{pop} {name}: max {ulp[k]:g} ulp at x = {x[k]!r}")
        worst = max(worst, float(ulp[k]))
for pop in "LS":
    x = np.load(f"{out}/{pop}_x.npy")[1]
    got = np.load(f"{out}/{pop}_l.npy")[1]
    ref = np.log1p(x)
    ulp = np.abs(got - ref) / spacing(ref)
    k = int(np.argmax(ulp))
    print(f"{pop} log1p: max {ulp[k]:g} ulp at x = {x[k]!r}")
    worst = max(worst, float(ulp[k]))
print("within bound" if worst <= bound else "OUT OF BOUND")
