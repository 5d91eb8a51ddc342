"""Splits celegans_white1986_connectome.tsv (White et al. 1986, as in
OpenWorm's c302: pre, post, type, synapses) into the files of
celegans.neuro: cells.csv (the cells, sorted by name; neuron i is row i),
chemical.csv (pre, post, w: synapse count x 4 mV) and electrical.csv
(pre, post, w: count x 0.05, both directions: a gap junction couples both
ways)."""
import csv

rows = list(csv.DictReader(open("celegans_white1986_connectome.tsv"),
                           delimiter="\t"))
cells = sorted({r["pre"] for r in rows} | {r["post"] for r in rows})
index = {c: i for i, c in enumerate(cells)}
with open("cells.csv", "w") as f:
    f.write("name\n" + "".join(c + "\n" for c in cells))
with open("chemical.csv", "w") as f:
    f.write("pre,post,w\n")
    for r in rows:
        if r["type"] == "chemical" and r["pre"] != r["post"]:
            f.write(f"{index[r['pre']]},{index[r['post']]},"
                    f"{int(r['synapses']) * 4e-3:.6g}\n")
with open("electrical.csv", "w") as f:
    f.write("pre,post,w\n")
    pairs = {}
    for r in rows:
        if r["type"] == "electrical" and r["pre"] != r["post"]:
            a, b = index[r["pre"]], index[r["post"]]
            key = (min(a, b), max(a, b))
            pairs[key] = pairs.get(key, 0) + int(r["synapses"])
    for (a, b), n in sorted(pairs.items()):
        f.write(f"{a},{b},{n * 0.05:.6g}\n{b},{a},{n * 0.05:.6g}\n")
print(len(cells), "cells")
