"""Build metaseoul's standalone builds and installers: one command (``installer/build-all``).

Each build is made by Panda3D's build_apps from a staging folder (installer/bundle/setup.py has its
options) and kept in a cache keyed by a hash of everything that goes into it, so a second run with
the same sources only copies. The installers are made from the cached builds (installer/packages.py).
Prints a JSON summary: where each build and installer is, and whether it came from the cache.
"""

from __future__ import annotations

import argparse
import configparser
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "installer"))

import packages  # installer/packages.py and qt.py: beside this script, not a package
import qt

SYSTEM_LIBRARIES = ["libssl.so.3", "libcrypto.so.3", "libsqlite3.so.0"]
LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"]
PLATFORMS = {"linux": "manylinux2014_x86_64", "windows": "win_amd64"}
INPUTS = ["metaseoul", "assets", "installer/bundle", "installer/kiosk", "installer/build.py",
          "installer/packages.py", "installer/qt.py", "setup.cfg", "LICENSE"]
SKIP = {"__pycache__", ".pytest_cache"}
KEEP_KEYS = 2
TOOLS = ["direct", "panda3d", "pandac", "setuptools", "setuptools-*.dist-info", "pkg_resources",
         "_distutils_hack", "pip", "pip-*.dist-info"]


def default_cache() -> Path:
    """~/.cache/metaseoul-build, or $METASEOUL_BUILD_CACHE."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("METASEOUL_BUILD_CACHE") or Path(base) / "metaseoul-build")


def _files(path: Path):
    if path.is_file():
        yield path
        return
    for folder, subdirs, names in os.walk(path):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIP)
        for name in sorted(names):
            if not name.endswith(".pyc"):
                yield Path(folder) / name


def inputs_key() -> str:
    """A hash of the sources, the build options and the Python and Panda3D versions: a new key, a new build."""
    import panda3d

    digest = hashlib.sha256(f"{sys.version}\n{panda3d.__version__}\n".encode())
    for top in INPUTS:
        for path in _files(ROOT / top):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def requirements(name: str) -> list[str]:
    """The install's own requirements (setup.cfg), so the build carries what ``pip install .`` would; the Linux
    build also the audio extra's sounddevice (PortAudio is the system's: libportaudio2)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].splitlines()
    if name == "linux":
        lines += [line for line in config["options.extras_require"]["audio"].splitlines() if "sounddevice" in line]
    return [line.strip() for line in lines if line.strip()]


def _stage(folder: Path, name: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "metaseoul", folder / "metaseoul", ignore=ignore)
    # assets/pictures/make.py draws the gallery's pictures: a source, not an asset
    shutil.copytree(ROOT / "assets", folder / "assets", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.py"))
    for file in ("setup.py", "main.py"):
        shutil.copy2(ROOT / "installer" / "bundle" / file, folder / file)
    shutil.copy2(ROOT / "LICENSE", folder / "LICENSE")
    (folder / "requirements.txt").write_text("\n".join(requirements(name)) + "\n", "utf-8")
    if name == "windows":  # the Start menu's entries open a window without a console beside it (deploy-stubw)
        (folder / "setup.cfg").write_text("[build_apps]\ngui_apps = metaseoul-gui = main.py\n", "utf-8")


def tool_path(cache: Path) -> Path:
    """A folder with only the build tools (Panda3D's direct.dist, setuptools, pip): build_apps' module
    finder searches the path it runs with, and must find metaseoul's dependencies in the target
    platform's wheels, never in this virtual environment (whose optional packages are Linux builds)."""
    import direct

    site = Path(direct.__file__).resolve().parents[1]
    folder = cache / "tools"
    folder.mkdir(parents=True, exist_ok=True)
    for pattern in TOOLS:
        for source in site.glob(pattern):
            link = folder / source.name
            if not link.exists():
                link.symlink_to(source)
    return folder


def build_bundle(name: str, key_dir: Path, cache: Path) -> tuple[Path, bool]:
    """The build for one platform (``linux`` or ``windows``), from the cache when it is there."""
    bundle = key_dir / name
    if (bundle / ".complete").is_file():
        return bundle, True
    platform = PLATFORMS[name]
    stage, build_base = key_dir / f"stage-{name}", cache / "build"
    _stage(stage, name)
    log = key_dir / f"build-{name}.log"
    with open(log, "wb") as sink:
        command = [sys.executable, "-S", "setup.py", "build_apps", "--platforms", platform,
                   "--build-base", str(build_base)]
        done = subprocess.run(command, check=False, cwd=stage, stdout=sink, stderr=subprocess.STDOUT,
                              env={**os.environ, "PYTHONPATH": str(tool_path(cache))})
    if done.returncode != 0:
        sys.exit(f"build-all: build_apps failed for {name}; its log: {log}")
    shutil.rmtree(bundle, ignore_errors=True)
    shutil.move(str(build_base / platform), bundle)
    if name == "linux":
        _add_system_libraries(bundle)
        qt.add(bundle, cache)
    shutil.rmtree(stage)
    (bundle / ".complete").write_text(json.dumps({"platform": platform, "log": str(log)}), "utf-8")
    return bundle, False


def _add_system_libraries(bundle: Path) -> None:
    """Panda3D's Linux runtime has Python's ssl and sqlite3 modules but not OpenSSL (3.3 or later, newer than
    Debian 12's) or SQLite: the build takes both modules from this interpreter and the libraries they link to
    from this machine, beside the executable, whose RPATH ($ORIGIN) finds them. The Linux build then needs
    glibc 2.36 or later, as Debian 12 has (docs/builds.md)."""
    import _sqlite3
    import _ssl

    for module in (_ssl, _sqlite3):
        if not getattr(module, "__file__", None):
            sys.exit(f"build-all: this Python has {module.__name__} built in; the Linux build needs it as a file")
        shutil.copy2(module.__file__, bundle / f"{module.__name__}.so")
    for name in SYSTEM_LIBRARIES:
        found = next((Path(folder) / name for folder in LIBRARY_DIRS if (Path(folder) / name).is_file()), None)
        if found is None:
            sys.exit(f"build-all: {name} is missing: run installer/setup-debian (it installs libssl3 and libsqlite3-0)")
        shutil.copy2(found.resolve(), bundle / name)


def _prune(cache: Path, keep: str) -> None:
    """Builds of older sources go, each a few hundred megabytes; the newest few stay, for other checkouts on
    this machine that may be running theirs."""
    (cache / f"key-{keep}").touch()
    keys = sorted(cache.glob("key-*"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in keys[KEEP_KEYS:]:
        shutil.rmtree(old, ignore_errors=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="installer/build-all", description=__doc__.splitlines()[0])
    p.add_argument("--platform", choices=sorted(PLATFORMS), action="append",
                   help="build only for this platform (repeatable; default: all)")
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the installers are copied (default: dist)")
    p.add_argument("--cache", type=Path, default=default_cache(), help="the build cache (default: %(default)s)")
    p.add_argument("--no-installers", action="store_true", help="make the builds only")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started, key = time.monotonic(), inputs_key()
    key_dir = args.cache / f"key-{key}"
    key_dir.mkdir(parents=True, exist_ok=True)
    summary: dict = {"key": key, "cache": str(key_dir), "builds": {}}
    with open(args.cache / "lock", "w") as lock:  # one build at a time: build_apps' folder is shared
        fcntl.flock(lock, fcntl.LOCK_EX)
        _prune(args.cache, key)
        _build(args, key_dir, summary)
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, indent=2))
    return 0


def _build(args: argparse.Namespace, key_dir: Path, summary: dict) -> None:
    for name in args.platform or sorted(PLATFORMS):
        step = time.monotonic()
        bundle, cached = build_bundle(name, key_dir, args.cache)
        entry = {"bundle": str(bundle), "cached": cached, "seconds": round(time.monotonic() - step, 1)}
        if not args.no_installers:
            entry["installers"] = [str(path) for path in packages.make(name, bundle, key_dir / "installers",
                                                                       args.dist)]
        summary["builds"][name] = entry


if __name__ == "__main__":
    sys.exit(main())
