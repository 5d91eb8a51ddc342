"""The 300_intfire circuit simulated by NEURON itself, as BMTK's BioNet builds
it (bmtk/simulator/bionet/pointprocesscell.py: one IntFire1 per node, tau and
refrac from the dynamics_params in seconds; one NetCon per edge with weight
syn_weight * nsyns * sign and the edge type's delay; input spikes delivered
at t + delay), and compared with the spikes of Neuro's run of the imported
model.

usage: sonata_intfire_neuron.py CIRCUIT_DIR COMPONENTS_DIR SPIKES_NPY
"""
import csv
import json
import os
import sys

import h5py
import numpy as np
from neuron import h

circuit, components, spikes_npy = sys.argv[1:4]
net = os.path.join(circuit, "network")


def types(name):
    with open(os.path.join(net, name)) as f:
        rows = list(csv.reader(f, delimiter=" "))
    return {int(r[0]): dict(zip(rows[0], r)) for r in rows[1:] if r}


def params(name):
    with open(os.path.join(components, name)) as f:
        return json.load(f)


v1 = h5py.File(os.path.join(net, "v1_nodes.h5"))["nodes/v1"]
v1_types = types("v1_node_types.csv")
cells = []
for t in v1["node_type_id"][:]:
    p = params(v1_types[int(t)]["dynamics_params"])
    c = h.IntFire1()
    c.tau = p["tau"] * 1000.0
    c.refrac = p["refrac"] * 1000.0
    cells.append(c)

tvec, idvec = h.Vector(), h.Vector()
keep = []
for i, c in enumerate(cells):
    nc = h.NetCon(c, None)
    nc.record(tvec, idvec, i)
    keep.append(nc)

# Input events, queued once the run is initialized.
queued = []


def edges(src):
    g = h5py.File(os.path.join(net, src + "_v1_edges.h5"))["edges/%s_to_v1" % src]
    et = types(src + "_v1_edge_types.csv")
    for s, d, t, n in zip(g["source_node_id"][:], g["target_node_id"][:],
                          g["edge_type_id"][:], g["0/nsyns"][:]):
        row = et[int(t)]
        sign = params(row["dynamics_params"])["sign"]
        yield int(s), int(d), float(row["syn_weight"]) * int(n) * sign, \
            float(row["delay"])


for s, d, w, delay in edges("v1"):
    nc = h.NetCon(cells[s], cells[d])
    nc.weight[0] = w
    nc.delay = delay
    keep.append(nc)

for src, spikes in (("lgn", "lgn_spikes.h5"), ("tw", "tw_spikes.h5")):
    f = h5py.File(os.path.join(circuit, "inputs", spikes))["spikes"]
    times = {}
    for gid, t in zip(f["gids"][:], f["timestamps"][:]):
        times.setdefault(int(gid), []).append(float(t))
    for s, d, w, delay in edges(src):
        nc = h.NetCon(None, cells[d])
        nc.weight[0] = w
        keep.append(nc)
        for t in times.get(s, []):
            queued.append((nc, t + delay))


def queue():
    for nc, t in queued:
        nc.event(t)


fih = h.FInitializeHandler(queue)
h.load_file("stdrun.hoc")
h.dt = 0.1
h.tstop = 3000.0
h.finitialize()
h.continuerun(h.tstop)

ref_t = np.array(tvec)
ref_i = np.array(idvec).astype(int)
ours = np.load(spikes_npy)
n_ref, n_ours = len(ref_t), len(ours)
print("NEURON: %d spikes (%.3f Hz), Neuro: %d spikes (%.3f Hz)"
      % (n_ref, n_ref / 300 / 3.0, n_ours, n_ours / 300 / 3.0))
# Spike for spike: a Neuro spike matches a NEURON spike of the same cell
# within 0.25 ms (Neuro delivers inputs at the end of their step, NEURON at
# their exact time; a spike is stamped at most one step later).
matched = 0
by_cell = {}
for i, t in zip(ref_i, ref_t):
    by_cell.setdefault(i, []).append(t)
for i, t in zip(ours["i"], ours["t"] * 1e3):
    ref = by_cell.get(int(i), [])
    if ref and min(abs(np.array(ref) - t)) <= 0.25:
        matched += 1
print("matched within 0.25 ms: %.1f%% of Neuro's spikes, %.1f%% of NEURON's"
      % (100.0 * matched / n_ours, 100.0 * matched / n_ref))
assert abs(n_ours - n_ref) <= 0.01 * n_ref, "total spike counts differ by >1%"
assert matched >= 0.98 * n_ref, "fewer than 98% of the spikes match"
print("OK")
