#!/usr/bin/env bash
# Compiles the NMODL mechanisms of PyNN's NEURON backend (pyNN/neuron/nmodl)
# once, so that `import pyNN.neuron` works; the PyNN comparison tests
# (tests/lit/PyNN) need them. Idempotent: an up-to-date library is kept.
#
# pyNN.neuron loads <pyNN>/neuron/nmodl/x86_64/.libs/libnrnmech.so. When that
# folder is writable (root, as scripts/setup.sh runs) the library is built
# there. Otherwise it goes to ${XDG_CACHE_HOME:-~/.cache}/neuro/pynn-nmodl,
# where tests/lit/PyNN/Inputs/pynn_neuron.py (and the lit feature check)
# load it before importing pyNN.neuron.
#
# Debian 12's neuron-dev installs nrnmech_makefile in /usr/lib/nrn and
# libnrniv.so in /usr/lib/nrn, where nrnivmodl does not look (it wants
# $prefix/bin/nrnmech_makefile and $prefix/lib/libnrniv.so): a prefix of
# links (NRNHOME) puts them there. Linking the `special` executable then
# fails (nrnconf.h includes a header Debian does not ship); the shared
# library, built before it, is all PyNN needs.
#
# usage: scripts/pynn-nrnivmodl.sh [--force]
# Prints the folder holding the mechanisms; exits 1 when they cannot be
# built (neuron-dev or python3-pynn missing).
set -euo pipefail

PY=/usr/bin/python3
force=0
[ "${1:-}" = "--force" ] && force=1

src=$("$PY" -c 'import os, pyNN; print(os.path.join(pyNN.__path__[0], "neuron", "nmodl"))' 2>/dev/null) || {
  echo "pynn-nrnivmodl: python3-pynn is not installed" >&2; exit 1; }
command -v nrnivmodl >/dev/null || {
  echo "pynn-nrnivmodl: nrnivmodl not found (install neuron-dev)" >&2; exit 1; }

# Up to date: the library is newer than every .mod file of PyNN.
up_to_date() {
  [ "$force" = 0 ] && [ -f "$1/x86_64/.libs/libnrnmech.so" ] &&
    [ -z "$(find "$src" -maxdepth 1 -name '*.mod' \
              -newer "$1/x86_64/.libs/libnrnmech.so" -print -quit)" ]
}

cache="${XDG_CACHE_HOME:-$HOME/.cache}/neuro/pynn-nmodl"
if [ -w "$src" ]; then
  dest="$src"
else
  dest="$cache"
  if up_to_date "$src"; then dest="$src"; fi
fi
lib="$dest/x86_64/.libs/libnrnmech.so"
if up_to_date "$dest"; then
  echo "$dest"
  exit 0
fi

mkdir -p "$dest"
if [ "$dest" != "$src" ]; then
  rm -f "$dest"/*.mod
  cp "$src"/*.mod "$dest"/
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nrnhome=""
if [ ! -e /usr/bin/nrnmech_makefile ] && [ -e /usr/lib/nrn/nrnmech_makefile ]; then
  nrnhome="$work/nrnhome"
  mkdir -p "$nrnhome/bin" "$nrnhome/lib" "$nrnhome/share"
  ln -s "$(command -v nocmodl)" /usr/lib/nrn/nrnmech_makefile "$nrnhome/bin/"
  ln -s /usr/lib/nrn/libnrniv.so "$nrnhome/lib/"
  ln -s /usr/include "$nrnhome/include"
  ln -s /usr/share/nrn "$nrnhome/share/nrn"
fi

rm -rf "$dest/x86_64"
(cd "$dest" && if [ -n "$nrnhome" ]; then export NRNHOME="$nrnhome"; fi &&
 nrnivmodl >"$work/log" 2>&1) || true
if [ ! -f "$lib" ]; then
  echo "pynn-nrnivmodl: nrnivmodl did not build $lib:" >&2
  tail -n 30 "$work/log" >&2
  exit 1
fi
echo "$dest"
