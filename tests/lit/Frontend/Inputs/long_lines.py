"""Writes long.neuro (lines of 2 MB, a name of 1 MB), cells.neuro with a
table cell of 1 MB, ok.neuro and value.txt, a value of 100 kB, into the
folder given."""
import sys

out = sys.argv[1]
x, y = "x" * 2000000, "y" * 2000000
with open(f"{out}/long.neuro", "w") as f:
    f.write("neuron N { state v = 0 }\n")
    f.write("network X { A = 1 of Early /* " + y + " */\n")
    f.write("  /* " + x + " */ B = 1 of Middle /* " + y + " */\n")
    f.write("  /* " + x + " */ C = 1 of Late\n")
    f.write("  D = 1 of N" + "n" * 999999 + "\n")
    f.write("  run 1 ms\n}\n")
with open(f"{out}/edges.csv", "w") as f:
    f.write("pre,post\n" + "z" * 1000000 + ",0\n")
with open(f"{out}/cells.neuro", "w") as f:
    f.write("neuron N { state v = 0 }\n"
            "synapse S { weight w: 1 = 1  post v: 1  on pre { v += w } }\n"
            "network X {\n  P = 1 of N\n"
            "  connect P -> P with S from \"edges.csv\"\n  run 1 ms\n}\n")
with open(f"{out}/ok.neuro", "w") as f:
    f.write("neuron N { state v: mV = 0 mV }\nnetwork X {\n  P = 1 of N\n"
            "  run 1 ms\n}\n")
with open(f"{out}/value.txt", "w") as f:
    f.write("1" * 100000 + " mV")
