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
    def __init__(self, folder):
        self.folder = folder

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "pyNN.neuro":
            return None
        init = os.path.join(self.folder, "__init__.py")
        if not os.path.exists(init):
            return None
        return importlib.util.spec_from_file_location(
            fullname, init, submodule_search_locations=[self.folder])


def _ours(finder):
    cls = type(finder)
    return cls.__name__ == "_Finder" and cls.__module__ == __name__


def install():
    """Makes `import pyNN.neuro` load the pyNN_neuro beside this file,
    replacing the finder of another build (a .pth of one build, the neuro
    package of another: the package imported wins, see neuro/__init__)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not _ours(f)]
    sys.meta_path.append(_Finder(_FOLDER))


install()
