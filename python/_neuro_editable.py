"""Makes `import pyNN.neuro` load the PyNN backend of this build.

PyNN is installed as a regular package (Debian's python3-pynn), so a
backend living elsewhere cannot be found through pyNN.__path__. This
module, imported by the neuro.pth line or by the neuro package, adds a
finder for the one name `pyNN.neuro` whose package folder is pyNN_neuro
beside this file; its submodules are then found through that folder.
"""

import importlib.abc
import importlib.util
import os
import sys

_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "pyNN_neuro")


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "pyNN.neuro":
            return None
        init = os.path.join(_FOLDER, "__init__.py")
        if not os.path.exists(init):
            return None
        return importlib.util.spec_from_file_location(
            fullname, init, submodule_search_locations=[_FOLDER])


def install():
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())


install()
