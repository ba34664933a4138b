"""The installers made from a build: for Linux a .tar.gz that runs where it is unpacked and a .deb
(the build in /opt/metaseoul, ``metaseoul`` on the PATH, the kiosk's systemd unit and example
configuration); for Windows an NSIS installer with Start-menu entries and an uninstaller.
Each is kept in the build's cache and copied to the dist folder."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION_FILE = HERE.parent / "metaseoul" / "__init__.py"
DEB_PREFIX = "/opt/metaseoul"


def version() -> str:
    for line in VERSION_FILE.read_text("utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("build-all: no __version__ in metaseoul/__init__.py")


def _bundle_files(bundle: Path):
    return (path for path in sorted(bundle.rglob("*")) if path.name != ".complete")


def tarball(bundle: Path, target: Path) -> Path:
    """metaseoul-VERSION-linux-x86_64.tar.gz with one folder inside: unpack it anywhere and run ./metaseoul."""
    top = target.name.removesuffix(".tar.gz")
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        for path in _bundle_files(bundle):
            archive.add(path, f"{top}/{path.relative_to(bundle)}", recursive=False)
    return target


def _kiosk_unit() -> str:
    """The checkout's unit, with the build's executable instead of the virtual environment's."""
    text = (HERE / "kiosk" / "metaseoul-kiosk.service").read_text("utf-8")
    text = text.replace("/opt/metaseoul/.venv/bin/metaseoul", f"{DEB_PREFIX}/metaseoul")
    return text.replace("#   sudo cp installer/kiosk/metaseoul-kiosk.service /etc/systemd/system/\n", "")


def deb(bundle: Path, target: Path) -> Path:
    """metaseoul's .deb: the build in /opt/metaseoul and ``metaseoul`` on the PATH, nothing started."""
    size = sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file()) // 1024

    def fill(root: Path) -> None:
        shutil.copytree(bundle, root / DEB_PREFIX.lstrip("/"), symlinks=True, ignore=shutil.ignore_patterns(".complete"))
        (root / "usr/bin").mkdir(parents=True)
        (root / "usr/bin/metaseoul").symlink_to(f"{DEB_PREFIX}/metaseoul")
    return _package("metaseoul", fill, target, size=size)


def kiosk_deb(bundle: Path, target: Path) -> Path:
    """metaseoul-kiosk's .deb: the kiosk's unit and configuration; installing it makes this a kiosk
    (the unit is enabled and started), so a citizen's PC with metaseoul alone never becomes one."""
    def fill(root: Path) -> None:
        (root / "lib/systemd/system").mkdir(parents=True)
        (root / "lib/systemd/system/metaseoul-kiosk.service").write_text(_kiosk_unit(), "utf-8")
        (root / "etc/metaseoul").mkdir(parents=True)
        shutil.copy2(HERE / "kiosk" / "kiosk.json", root / "etc/metaseoul/kiosk.json")
        (root / "DEBIAN" / "conffiles").write_text("/etc/metaseoul/kiosk.json\n", "utf-8")
    return _package("metaseoul-kiosk", fill, target)


def _package(name: str, fill, target: Path, size: int = 0) -> Path:
    """Build one .deb from installer/deb/NAME (its control template and maintainer scripts) and ``fill``."""
    with tempfile.TemporaryDirectory(dir=target.parent) as temp:
        root = Path(temp)
        root.chmod(0o755)  # the package's / : a temporary folder is 0700
        control = root / "DEBIAN"
        control.mkdir()
        fill(root)
        for script in ("postinst", "prerm", "postrm"):
            if (HERE / "deb" / name / script).is_file():
                shutil.copy2(HERE / "deb" / name / script, control / script)
                (control / script).chmod(0o755)
        template = (HERE / "deb" / name / "control").read_text("utf-8")
        (control / "control").write_text(template.format(version=version(), size=size), "utf-8")
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(target)],
                       check=True, stdout=subprocess.DEVNULL)
    return target


def nsis(bundle: Path, target: Path) -> Path:
    """metaseoul-VERSION-windows-x64-setup.exe, made by makensis from installer/windows/metaseoul.nsi."""
    subprocess.run(["makensis", "-V2", f"-DVERSION={version()}", f"-DBUILD_DIR={bundle}", f"-DOUT_FILE={target}",
                    str(HERE / "windows" / "metaseoul.nsi")], check=True)
    return target


def make(platform: str, bundle: Path, cache: Path, dist: Path) -> list[Path]:
    """The installers for one platform's build, made once per build and copied to ``dist``."""
    cache.mkdir(parents=True, exist_ok=True)
    dist.mkdir(parents=True, exist_ok=True)
    base = f"metaseoul-{version()}"
    wanted = {"linux": [(tarball, f"{base}-linux-x86_64.tar.gz"), (deb, f"metaseoul_{version()}_amd64.deb"),
                        (kiosk_deb, f"metaseoul-kiosk_{version()}_all.deb")],
              "windows": [(nsis, f"{base}-windows-x64-setup.exe")]}[platform]
    made = []
    for maker, name in wanted:
        cached = cache / name
        if not cached.is_file():  # made in a folder of its own, so that a stopped build leaves no half file
            partial = cache / "partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            maker(bundle, partial / name).rename(cached)
        shutil.copy2(cached, dist / name)
        made.append(dist / name)
    return made
