# lit configuration of Neuro's FileCheck tests.
import glob
import importlib.util
import os
import re
import shutil
import socket
import sys

import lit.formats

config.name = "Neuro"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".neuro", ".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.neuro_obj_root, "tests", "lit")
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]

config.environment["PATH"] = os.pathsep.join(
    [config.neuro_tools_dir, config.llvm_tools_dir,
     config.environment.get("PATH", os.environ.get("PATH", ""))])
config.substitutions.append(("%neuro_src", config.neuro_src_root))
config.substitutions.append(("%neuro_tools", config.neuro_tools_dir))
config.substitutions.append(("%neuro_obj", config.neuro_obj_root))
config.substitutions.append(
    ("%examples", os.path.join(config.neuro_src_root, "examples")))
# The version of the runtime contract (runtime/include/neuro/Runtime/
# ABI.h), for tests that see it: FileCheck -DABI=%abi_version.
with open(os.path.join(config.neuro_src_root, "runtime", "include", "neuro",
                       "Runtime", "ABI.h")) as abi:
    config.substitutions.append(("%abi_version", re.search(
        r"#define NEURO_ABI_VERSION (\d+)", abi.read()).group(1)))
# The interpreter lit runs under: Debian's python3 with python3-numpy and
# python3-brian from scripts/setup.sh.
config.substitutions.append(("%python", sys.executable))

# The NIR graphs of the NIR paper (shared/ beside the clone, see
# ../shared/data/nir/README.md), read by tests/lit/Interop.
config.substitutions.append(
    ("%nir_data", os.path.join(os.path.dirname(config.neuro_src_root),
                               "shared", "data", "nir")))

# The SONATA circuits (shared/data/sonata, see its README.md), read by
# tests/lit/Interop/sonata-*.test.
config.substitutions.append(
    ("%sonata_data", os.path.join(os.path.dirname(config.neuro_src_root),
                                  "shared", "data", "sonata")))

# "neuron": NEURON's Python module (Debian's neuron), the reference the
# SONATA IntFire1 circuit is compared with.
for module in ("numpy", "brian2", "h5py", "neuron"):
    if importlib.util.find_spec(module) is not None:
        config.available_features.add(module)

# neuroc run keeps compiled kernels here rather than in the user's
# ~/.cache/neuro; runs of the same model in a test share them.
config.environment["NEURO_CACHE_DIR"] = os.path.join(
    config.test_exec_root, "neuro-cache")

# A runtime built with MPI and OpenMPI's mpirun: tests marked `REQUIRES:
# mpi` (tests/lit/MPI) run networks over several processes. %mpirun runs
# as root too (CI) and with more processes than cores; shared memory
# carries the messages.
mpirun = shutil.which("mpirun")
if config.neuro_mpi_libraries and mpirun:
    config.available_features.add("mpi")
    config.substitutions.append(
        ("%mpirun", mpirun + " --oversubscribe --allow-run-as-root"
         " --mca btl self,vader"))
    # mpiruns of tests running at once race to create OpenMPI's session
    # directory (ompi.<host>.<uid> in the temporary directory) and the loser
    # stops with "File exists": it is made here, once, for all of them, with
    # a file in it that no run removes when it ends (OpenMPI keeps files
    # named output-* that are not empty, and so the directory).
    session = os.path.join(config.test_exec_root, "ompi-session")
    host = socket.gethostname()
    for name in {host, host.split(".")[0]}:
        top = os.path.join(session, "ompi.%s.%d" % (name, os.getuid()))
        os.makedirs(top, exist_ok=True)
        with open(os.path.join(top, "output-keep"), "w") as f:
            f.write("made by tests/lit/lit.cfg.py\n")
    config.environment["OMPI_MCA_orte_tmpdir_base"] = session

# CUDA's ptxas, where installed, checks the PTX of the GPU target.
ptxas = shutil.which("ptxas") or next(
    iter(sorted(glob.glob("/usr/local/cuda*/bin/ptxas"), reverse=True)), None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# A GPU the CUDA driver finds: tests marked `REQUIRES: cuda` run on it.
try:
    import subprocess
    devices = subprocess.run(
        [os.path.join(config.neuro_tools_dir, "neuroc"), "devices"],
        capture_output=True, text=True, timeout=60).stdout
    if "\ncuda 0:" in "\n" + devices:
        config.available_features.add("cuda")
except (OSError, subprocess.SubprocessError):
    pass

# PyNN's NEURON backend with its mechanisms compiled (scripts/setup.sh runs
# scripts/pynn-nrnivmodl.sh): tests marked `REQUIRES: pynn-neuron`
# (tests/lit/PyNN) compare the std.pynn cells with it.
try:
    import subprocess
    probe = subprocess.run(
        [sys.executable, "-B", "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); import pynn_neuron; "
         "assert pynn_neuron.load_mechanisms(); import pyNN.neuron",
         os.path.join(config.test_source_root, "PyNN", "Inputs")],
        capture_output=True, timeout=120)
    if probe.returncode == 0:
        config.available_features.add("pynn-neuron")
except (OSError, subprocess.SubprocessError):
    pass
