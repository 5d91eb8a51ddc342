#!/usr/bin/env python3
"""Accuracies of continual.neuro's readout on each task after each task,
and the forgetting, for one run or several (with and without the
projection).

The answer to a test image is the readout unit with the largest output at
the end of the image's 5 ms (the sample `record y of Out every 5 ms` takes
at the start of the next image), among the digits of the image's task
(task-incremental) and among all digits learned so far (class-incremental).
Forgetting of a task: its accuracy right after it was learned minus its
accuracy after the last task, averaged over the earlier tasks.

With two folders, a run with the projection and one without, it also says
whether the projection at least halved the forgetting of both kinds.

usage: score.py OUTPUT_DIR [PLAIN_OUTPUT_DIR]
"""
import csv
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
TASKS = [(0, 1, 2), (3, 4, 5), (6, 7, 8, 9)]
labels = np.loadtxt(os.path.join(here, "labels.csv"), skiprows=1, dtype=int)
phases = {row["phase"]: (int(row["first"]), int(row["rows"]))
          for row in csv.DictReader(open(os.path.join(here, "phases.csv")))}


def accuracies(folder):
    """acc[a][b][m]: accuracy on task b after task a (b <= a), m = 0
    task-incremental, 1 class-incremental."""
    y = np.load(os.path.join(folder, "Out_y.npy"))
    acc = []
    for a in range(len(TASKS)):
        first, rows = phases[f"test{a + 1}"]
        # Image n's answer is sampled at the start of image n + 1.
        z = y[first + 1:first + 1 + rows]
        seen = [c for task in TASKS[:a + 1] for c in task]
        row = []
        for b in range(a + 1):
            mine = np.isin(labels, TASKS[b])
            task = list(TASKS[b])
            within = np.array(task)[z[mine][:, task].argmax(axis=1)]
            overall = np.array(seen)[z[mine][:, seen].argmax(axis=1)]
            row.append((np.mean(within == labels[mine]),
                        np.mean(overall == labels[mine])))
        acc.append(row)
    return acc


forgetting = []
for folder in sys.argv[1:]:
    acc = accuracies(folder)
    last = len(TASKS) - 1
    forgetting.append([])
    for m, name in enumerate(("task-incremental", "class-incremental")):
        after = " | ".join(
            f"after task {a + 1}: " + " ".join(f"{r[m]:.3f}" for r in row)
            for a, row in enumerate(acc))
        lost = np.mean([acc[b][b][m] - acc[last][b][m] for b in range(last)])
        forgetting[-1].append(lost)
        mean = np.mean([r[m] for r in acc[last]])
        print(f"{os.path.basename(os.path.normpath(folder))} {name}: {after}"
              f" | final mean {mean:.3f} forgetting {lost:.3f}")
if len(forgetting) == 2:
    halved = all(2 * a <= b for a, b in zip(*forgetting))
    print("the projection " + ("halves" if halved else "does NOT halve") +
          " the forgetting")
