"""Writes cue.csv and target.csv for reservoir.neuro: 120 trials of 400 ms;
the cue at the start of each, the target 80 ms after the cue for the first
60 trials and 150 ms after it for the last 60."""
period, trials = 0.4, 120
cues = [0.01 + k * period for k in range(trials)]
with open("cue.csv", "w") as f:
    f.write("i,t\n" + "".join(f"0,{t:.4f}\n" for t in cues))
with open("target.csv", "w") as f:
    f.write("i,t\n")
    for k, t in enumerate(cues):
        f.write(f"0,{t + (0.08 if k < 60 else 0.15):.4f}\n")
