# %% [markdown]
# # CUBA from Python: run, look inside, sweep
#
# The Vogels-Abbott network of examples/cuba.neuro, driven from Python:
# compile once, run, read spikes and membrane potentials as numpy arrays,
# change a state between runs, and sweep the inhibitory time constant
# without compiling again. Run it as a script
# (`python3 examples/python/cuba_sweep.py`) or cell by cell in an editor
# that knows `# %%` cells; the figure goes to cuba_sweep.png.

# %%
import os

import numpy as np

import neuro

here = os.path.dirname(os.path.abspath(__file__))
cuba = os.path.join(here, "..", "cuba.neuro")
# The inhibitory weight is compiled in unless asked for as a tunable value:
# then every simulation may set it.
model = neuro.compile(cuba, tunable=["I_to_E.w", "I_to_I.w"])
print(model)

# %% Run 200 ms and read the spikes.
sim = model.simulation(seed=1)
sim.run("200 ms")
i, t = sim.spikes("E")
print(f"E: {len(i)} spikes, {sim.rate('E'):.2f} Hz")

# %% The membrane potentials are the simulator's own memory.
v = sim["E.v"]
print(f"mean v = {v.mean() * 1e3:.2f} mV ({sim.unit('E.v')} in SI)")
v[:100] = -0.060          # silence 100 neurons for a moment: reset them
sim.run("50 ms")

# %% Sweep the inhibitory weight: one compilation, four runs.
weights = ["-3 mV", "-6 mV", "-9 mV", "-12 mV"]
rates = neuro.sweep(model, [{"I_to_E.w": w, "I_to_I.w": w} for w in weights],
                    duration="500 ms", measure=lambda s: s.rate("E"))
for w, rate in zip(weights, rates):
    print(f"w_I = {w:>6}: E fires at {rate:.2f} Hz")

# %% A raster plot with matplotlib.
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(t * 1e3, i, ",k")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.set_title("CUBA, excitatory population")
    fig.tight_layout()
    fig.savefig("cuba_sweep.png", dpi=120)
    print("raster written to cuba_sweep.png")
