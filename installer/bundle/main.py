"""The standalone build's entry point (frozen by build_apps as ``__main__``): first make the frozen
packages find their data files, which build_apps copies under the build's data folder, then run
``metaseoul``.

Python gives a frozen module the ``__file__`` it would have under ``sys._stdlib_dir``, which in a
build is the folder the runtime was compiled for, on another machine. Pointed at the data folder,
``__file__`` becomes ``<build>/data/metaseoul/scenes/catalog.py``, and with a resource reader for
frozen packages ``importlib.resources.files(package)`` the matching folder, so code that looks beside
itself (metaseoul's assets, babel's locale data, certifi, jsonschema-specifications) works unchanged.
"""

import sys
from _frozen_importlib import FrozenImporter
from importlib.resources.abc import TraversableResources
from pathlib import Path

DATA_DIR = Path(sys.executable).resolve().parent / "data"  # not beside it: the executable is called metaseoul


class _FolderReader(TraversableResources):
    """A frozen package's resources: its folder in the build."""

    def __init__(self, folder: Path):
        self.folder = folder

    def files(self) -> Path:
        return self.folder


def _resource_reader(fullname: str) -> _FolderReader:
    return _FolderReader(DATA_DIR.joinpath(*fullname.split(".")))


sys._stdlib_dir = str(DATA_DIR)
sys.path.append(str(DATA_DIR.parent / "qt"))  # PySide6, unfrozen, where a build has it (Linux)
FrozenImporter.get_resource_reader = staticmethod(_resource_reader)

if __name__ == "__main__":
    from metaseoul.cli import main

    sys.exit(main())
