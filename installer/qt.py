"""Qt for the Linux build: PySide6 does not survive freezing (shiboken and Qt find their parts through
files beside their modules), so its wheels are unpacked, unfrozen, into the build's ``qt/`` folder,
which the entry point puts on ``sys.path``; the frozen standard library serves them. Only what the
launcher uses is kept (QtCore, QtGui, QtWidgets, the Qt libraries they and the kept plugins link to),
about a quarter of the wheel. No PySide6 wheel for Windows is in the indexes this machine can read,
so the Windows build has no launcher (docs/builds.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REQUIREMENT = "PySide6-Essentials>=6.5"  # setup.cfg's launcher extra
PLATFORM = "manylinux_2_34_x86_64"
MODULES = ("QtCore", "QtGui", "QtWidgets")
PLUGINS = ("platforms", "platformthemes", "platforminputcontexts", "imageformats", "iconengines", "generic",
           "xcbglintegrations", "egldeviceintegrations", "wayland-decoration-client",
           "wayland-graphics-integration-client", "wayland-shell-integration")
VIRTUAL_KEYBOARD = "qtvirtualkeyboard"  # an input method drawn with QtQuick: 60 MB of QML for nothing metaseoul uses
DROPPED = re.compile(r".*\.pyi$|(shiboken6|PySide6)/(include|lib|doc|glue|scripts|support|typesystems)/"
                     r"|PySide6/(Qt/(qml|metatypes|libexec|translations/(?!qtbase_))|libpyside6qml"
                     r"|Qt(?!Core\.|Gui\.|Widgets\.)\w+\.abi3|[a-z]+$)")  # tools: designer, lupdate


def _wheels(cache: Path) -> list[Path]:
    folder = cache / "build" / "__qt_wheels__"
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(folder), "--only-binary=:all:",
                    "--platform", PLATFORM, "--python-version", "3.11", REQUIREMENT],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sorted(folder.glob("*.whl"))


def _needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


def _prune_libraries(qt: Path) -> None:
    """Keeps of Qt/lib only what the kept modules and plugins need, directly or not."""
    lib = qt / "PySide6" / "Qt" / "lib"
    present = {path.name: path for path in lib.iterdir()}
    roots = [qt / "PySide6" / f"{name}.abi3.so" for name in MODULES]
    roots += [path for path in (qt / "PySide6").glob("libpyside6*")]
    roots += [path for path in (qt / "PySide6" / "Qt" / "plugins").rglob("*.so")]
    wanted, queue = set(), roots
    while queue:
        for name in _needed(queue.pop()):
            if name in present and name not in wanted:
                wanted.add(name)
                queue.append(present[name])
    for name, path in present.items():
        if name not in wanted and not path.is_symlink():
            path.unlink()


def add(bundle: Path, cache: Path) -> None:
    """Unpacks PySide6 and shiboken6 into ``bundle/qt``, without what the launcher does not use."""
    qt = bundle / "qt"
    shutil.rmtree(qt, ignore_errors=True)
    for wheel in _wheels(cache):
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                name = info.filename
                if ".dist-info/" in name or DROPPED.match(name):
                    continue
                plugin = name.startswith("PySide6/Qt/plugins/")
                if plugin and (name.split("/")[3] not in PLUGINS or VIRTUAL_KEYBOARD in name):
                    continue
                target = qt / name
                archive.extract(info, qt)
                if info.external_attr >> 16 & 0o111:
                    target.chmod(0o755)
    _prune_libraries(qt)
