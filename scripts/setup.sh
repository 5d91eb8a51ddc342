#!/usr/bin/env bash
# Installs every Debian package Neuro's build, tests and examples need, and
# compiles the NMODL mechanisms of PyNN's NEURON backend (the reference of
# the std.pynn tests, scripts/pynn-nrnivmodl.sh).
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

PKGS=(
  cmake ninja-build ccache g++ git
  llvm-22-dev libmlir-22-dev mlir-22-tools clang-22 llvm-22-tools
  antlr4 libantlr4-runtime-dev default-jre-headless
  libgtest-dev libgmock-dev libbenchmark-dev libedit-dev libhdf5-dev
  libopenmpi-dev openmpi-bin
  python3 python3-numpy python3-brian python3-h5py
  python3-dev python3-pytest pybind11-dev python3-pybind11
  neuron python3-neuron neuron-dev python3-pynn
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# PyNN's NEURON backend loads mechanisms compiled with nrnivmodl (into
# PyNN's folder when writable, else into the user's cache).
echo "setup: PyNN's NEURON mechanisms in $("$(dirname "$0")/pynn-nrnivmodl.sh")"
