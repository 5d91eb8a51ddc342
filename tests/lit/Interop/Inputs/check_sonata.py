"""Checks an imported SONATA circuit and its run against the circuit's files,
read with h5py (tests/lit/Interop/sonata-*.test).

  check_sonata.py import CONFIG_DIR MODEL_DIR STEM [COMPONENTS_DIR]
      the tables neuroc import wrote: neurons per population, synapses per
      edge type with their weight (syn_weight * nsyns * sign) and delay
  check_sonata.py run CONFIG_DIR RUN.json OUT_DIR POP LO HI
      the input spikes the run reports equal the spike files' spikes within
      tstop, POP's rate lies in [LO, HI] Hz, and OUT_DIR/spikes.h5 is a
      SONATA spike report equal to OUT_DIR/spikes_POP.npy
  check_sonata.py refractory CONFIG_DIR OUT_DIR POP
      per refractory period t_ref of POP's node types (their components'
      JSON): the neurons and their shortest interval between spikes, which
      NEST's count of steps keeps at least t_ref + dt
"""
import csv
import glob
import json
import os
import sys

import h5py
import numpy as np


def types(path):
    with open(path) as f:
        rows = [r for r in csv.reader(f, delimiter=" ") if r]
    return {int(r[0]): dict(zip(rows[0], r)) for r in rows[1:]}


def check_import(circuit, model_dir, stem, components):
    net = os.path.join(circuit, "network")
    for nodes in sorted(glob.glob(os.path.join(net, "*_nodes.h5"))):
        for pop, g in h5py.File(nodes)["nodes"].items():
            print("population %s: %d nodes" % (pop, len(g["node_type_id"])))
    for edges in sorted(glob.glob(os.path.join(net, "*_edges.h5"))):
        et = types(edges.replace("_edges.h5", "_edge_types.csv"))
        for pop, g in h5py.File(edges)["edges"].items():
            ids = g["edge_type_id"][:]
            for t in np.unique(ids):
                row = et[int(t)]
                sel = ids == t
                grp = g["0"]
                w = grp["syn_weight"][:][sel] if "syn_weight" in grp else \
                    np.full(sel.sum(), float(row["syn_weight"]))
                if "nsyns" in grp:
                    w = w * grp["nsyns"][:][sel]
                sign = 1.0
                if components and "dynamics_params" in row:
                    with open(os.path.join(components,
                                           row["dynamics_params"])) as f:
                        sign = json.load(f).get("sign", 1.0)
                w = np.sort(w * sign)
                table = np.load(os.path.join(
                    model_dir, "%s_%s_%d.npy" % (stem, pop, t)))
                same = np.allclose(np.sort(table[:, 2]) /
                                   (1e-12 if "iaf_psc_alpha" in open(os.path.join(
                                       model_dir, stem + ".neuro")).read()
                                    else 1.0), w, rtol=1e-12)
                pre = g["source_node_id"][:][sel]
                post = g["target_node_id"][:][sel]
                ends = sorted(zip(pre, post)) == sorted(
                    zip(table[:, 0].astype(int), table[:, 1].astype(int)))
                print("edge type %s/%d: %d edges, table %d rows, same "
                      "weights %s, same ends %s, delays %s ms"
                      % (pop, t, sel.sum(), len(table), same, ends,
                         np.unique(np.round(table[:, 3] * 1e3, 9))))


def check_run(circuit, report, out, pop, lo, hi):
    with open(os.path.join(circuit, "simulation_config.json")) as f:
        sim = json.load(f)
    dt, tstop = sim["run"]["dt"], sim["run"]["tstop"]
    steps = round(tstop / dt)
    with open(report) as f:
        run = json.load(f)
    for name, spec in sim["inputs"].items():
        path = os.path.join(circuit, spec["input_file"].replace(
            "$INPUT_DIR", "inputs").replace("$BASE_DIR/", ""))
        g = h5py.File(path)["spikes"]
        t = g["timestamps"][:]
        # Emitted one step early (stamped at the spike's time), at most
        # once per node and step.
        k = np.maximum(np.round(t / dt).astype(np.int64) - 1, 0)
        ids = g["gids"][:] if "gids" in g else g["node_ids"][:]
        pairs = set(zip(ids.tolist(), k.tolist()))
        within = sum(1 for _, s in pairs if s < steps)
        got = run["populations"][spec["node_set"]]["spikes"]
        print("input %s: %d spikes in the file before tstop, %d in the run: %s"
              % (name, within, got, "equal" if within == got else "DIFFER"))
    rate = run["populations"][pop]["rate_hz"]
    print("%s: %.3f Hz, %s [%g, %g] Hz" % (
        pop, rate, "within" if lo <= rate <= hi else "NOT within", lo, hi))
    f = h5py.File(os.path.join(out, "spikes.h5"))
    g = f["spikes"][pop]
    npy = np.load(os.path.join(out, "spikes_%s.npy" % pop))
    # `sorting` is an enumeration (SONATA's, as libsonata reads it).
    members = h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)
    sorting = {v: k for k, v in members.items()}[int(g.attrs["sorting"])]
    print("spikes.h5: /spikes/%s sorting=%s, timestamps units=%s, %d spikes, "
          "sorted %s, equal to the .npy %s"
          % (pop, sorting, g["timestamps"].attrs["units"],
             len(g["timestamps"]),
             bool(np.all(np.diff(g["timestamps"][:]) >= 0)),
             np.array_equal(g["node_ids"][:], npy["i"]) and
             np.array_equal(g["timestamps"][:], npy["t"] * 1e3)))


def check_refractory(circuit, out, pop):
    with open(os.path.join(circuit, "simulation_config.json")) as f:
        dt = json.load(f)["run"]["dt"]
    net = os.path.join(circuit, "network")
    cells = os.path.join(circuit, "components", "cell_models")
    node_types = types(os.path.join(net, pop + "_node_types.csv"))
    ids = h5py.File(os.path.join(net, pop + "_nodes.h5"))[
        "nodes"][pop]["node_type_id"][:]
    t_ref = {}
    for t, row in node_types.items():
        with open(os.path.join(cells, row["dynamics_params"])) as f:
            t_ref[t] = json.load(f)["t_ref"]
    spikes = np.load(os.path.join(out, "spikes_%s.npy" % pop))
    shortest = {}
    for n, t in enumerate(ids):
        times = np.sort(spikes["t"][spikes["i"] == n]) * 1e3
        if len(times) > 1:
            r = t_ref[int(t)]
            shortest[r] = min(shortest.get(r, np.inf), np.diff(times).min())
    for r in sorted(shortest):
        n = sum(1 for t in ids if t_ref[int(t)] == r)
        print("t_ref %g ms: %d neurons, shortest interval %s t_ref + dt"
              % (r, n, "at least" if shortest[r] >= r + dt - 1e-9
                 else "BELOW"))
    print("shortest intervals %s ms" % " ".join(
        "%.2f" % shortest[r] for r in sorted(shortest)))


if sys.argv[1] == "import":
    check_import(sys.argv[2], sys.argv[3], sys.argv[4],
                 sys.argv[5] if len(sys.argv) > 5 else None)
elif sys.argv[1] == "refractory":
    check_refractory(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    check_run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
              float(sys.argv[6]), float(sys.argv[7]))
