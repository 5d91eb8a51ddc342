"""Makes the neuro package of a build importable by this Python.

Writes neuro.pth into the user's site-packages (site.getusersitepackages())
with two lines: the build's python folder, which holds the `neuro` package,
and an import of _neuro_editable (guarded by that folder existing), which
makes `pyNN.neuro` resolve to the PyNN backend in that folder (PyNN itself
stays where Debian installed it).
This is what `pip install --user -e` would do; removing the file undoes it.

Usage: develop.py BUILD/python
"""

import os
import site
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: develop.py BUILD/python")
    folder = os.path.abspath(sys.argv[1])
    target = site.getusersitepackages()
    try:
        os.makedirs(target, exist_ok=True)
        path = os.path.join(target, "neuro.pth")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(folder + "\n")
            # Guarded, so that a removed build folder does not make every
            # Python start print a traceback: site skips the missing path
            # line, and this line then does nothing.
            f.write(f"import os; os.path.isdir({folder!r}) and "
                    f"__import__('_neuro_editable')\n")
        os.replace(tmp, path)
    except OSError as e:
        # Not fatal: the package still works with PYTHONPATH=BUILD/python.
        print(f"develop.py: warning: cannot write {target}/neuro.pth: {e}; "
              f"use PYTHONPATH={folder}", file=sys.stderr)
        return
    print(f"neuro: {path} -> {folder}")


if __name__ == "__main__":
    main()
