"""The standalone builds (installer/build-all, docs/builds.md): the Linux build runs with nothing of this
checkout or its virtual environment on its path, renders City Hall and serves discovery over a socket;
the Windows build and the installers hold what they must. The builds come from the build cache
(~/.cache/metaseoul-build, keyed by a hash of the sources): about 2 minutes cold, seconds warm."""

from __future__ import annotations

import json
import shutil
import socket
import struct
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx
import pytest
from panda3d.core import PNMImage

ROOT = Path(__file__).resolve().parents[1]
MINIMAL_PATH = "/usr/bin:/bin"


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict:
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, str(ROOT / "installer" / "build.py"), "--dist", str(dist)],
                          check=False, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)["builds"]


def bare(bundle: str, *args: str, cwd: Path, env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    """The Linux build's command with an empty environment: no virtualenv, no PYTHONPATH, no system Python packages
    (the frozen runtime has no site-packages), started outside the checkout."""
    env = {"PATH": MINIMAL_PATH, "HOME": str(cwd), "LANG": "C.UTF-8", **(env_extra or {})}
    return subprocess.Popen(["env", "-i", *(f"{k}={v}" for k, v in env.items()), f"{bundle}/metaseoul", *args],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def mean_colour(image: PNMImage, x0: int, y0: int, x1: int, y1: int) -> tuple[float, float, float]:
    pixels = [image.getXel(x, y) for y in range(y0, y1) for x in range(x0, x1)]
    return tuple(sum(p[i] for p in pixels) / len(pixels) for i in range(3))


def is_sky(colour) -> bool:
    r, g, b = colour
    return b > r + 0.08 and (r + g + b) / 3 > 0.5


def test_linux_build_renders_city_hall_without_the_checkout(builds, tmp_path):
    bundle = builds["linux"]["bundle"]
    sources = {path.relative_to(bundle).parts[0] for path in Path(bundle).rglob("*.py")}
    assert sources == {"qt"}, "the build's Python is frozen: source files only in PySide6, which is not"
    process = bare(bundle, "render", "city-hall", "--views", "plaza", "--frames", "1", "--size", "320x180",
                   "--out", str(tmp_path / "out"), cwd=tmp_path)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-2000:]
    image = PNMImage(str(tmp_path / "out" / "city-hall-plaza.png"))
    w, h = image.getXSize(), image.getYSize()
    assert (w, h) == (320, 180)
    assert is_sky(mean_colour(image, 0, 0, w // 5, h // 12)), "top-left corner should be sky"
    assert not is_sky(mean_colour(image, 0, h - h // 10, w, h)), "bottom rows should be ground"
    stats = json.loads((tmp_path / "out" / "stats.json").read_text("utf-8"))
    assert stats["draw_calls"] > 0 and stats["triangles"] > 10_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_linux_build_serves_discovery(builds, tmp_path):
    port = free_port()
    process = bare(builds["linux"]["bundle"], "serve", "--port", str(port), "--data", str(tmp_path / "data"),
                   cwd=tmp_path)
    try:
        deadline, doc = time.monotonic() + 60, None
        while doc is None and time.monotonic() < deadline and process.poll() is None:
            try:
                doc = httpx.get(f"http://127.0.0.1:{port}/.well-known/metaseoul", timeout=2).json()
            except httpx.TransportError:
                time.sleep(0.2)
        assert doc is not None, process.stderr.read() if process.poll() is not None else "no answer in 60 s"
        assert doc["name"] == "metaseoul reference backend" and doc["contract_version"].count(".") == 2
        assert "complaints" in doc["capabilities"]
        assert (tmp_path / "data").is_dir(), "the database goes where --data says"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_linux_build_main_job_starts_its_own_backend(builds, tmp_path):
    """Without a display, ``metaseoul`` starts the built-in backend, which is the build's executable again."""
    process = bare(builds["linux"]["bundle"], cwd=tmp_path)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-2000:]
    assert "City backend: metaseoul reference backend" in out
    assert PNMImage(str(tmp_path / "metaseoul-renders" / "gwanghwamun" / "gwanghwamun-gate.png")).getXSize() == 1280


def test_linux_build_carries_the_qt_launcher(builds, tmp_path):
    """PySide6 travels unfrozen in the Linux build (installer/qt.py); the launcher draws its first page."""
    shot = tmp_path / "launcher.png"
    process = bare(builds["linux"]["bundle"], "launcher", "--screenshot", str(shot), "--lang", "ko", cwd=tmp_path)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-2000:]
    image = PNMImage(str(shot))
    w, h = image.getXSize(), image.getYSize()
    assert w >= 640 and h >= 400
    background = mean_colour(image, w // 2, h - 40, w // 2 + 40, h - 10)
    assert min(background) > 0.85, f"the page's background is light, got {background}"
    text = mean_colour(image, 0, 0, w // 2, h // 4)
    assert min(text) < min(background) - 0.02, "the top of the page holds dark text"
    assert not (Path(builds["windows"]["bundle"]) / "qt").exists(), "no Linux Qt in the Windows build"


def test_a_build_without_qt_says_so(builds, tmp_path):
    """The Windows build has no Qt: seen here as the Linux build without its qt/ folder (links to the rest; the
    executable copied, since the build finds its parts beside the executable's real path)."""
    bundle, bare_build = Path(builds["linux"]["bundle"]), tmp_path / "no-qt"
    bare_build.mkdir()
    for entry in bundle.iterdir():
        if entry.name == "metaseoul":
            shutil.copy2(entry, bare_build / entry.name)
        elif entry.name != "qt":
            (bare_build / entry.name).symlink_to(entry)
    for command in (["launcher", "--screenshot", str(tmp_path / "x.png")], ["kiosk"]):
        process = bare(str(bare_build), *command, cwd=tmp_path)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 3, err[-2000:]
        assert "standalone build has no launcher or kiosk" in err and "Traceback" not in err


def test_linux_build_runs_the_kiosk_of_the_deb_unit(builds, tmp_path):
    """metaseoul-kiosk's unit runs ``metaseoul kiosk --config``: from the build it comes up and stays up until stopped."""
    config = ROOT / "installer" / "kiosk" / "kiosk.json"
    process = bare(builds["linux"]["bundle"], "kiosk", "--config", str(config), cwd=tmp_path,
                   env_extra={"QT_QPA_PLATFORM": "offscreen"})
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=8)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err[-2000:]


def pe_subsystem(path: Path) -> int:
    """A Windows executable's subsystem: 2 a window (no console), 3 the console."""
    data = path.read_bytes()[:4096]
    assert data[:2] == b"MZ"
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[pe:pe + 4] == b"PE\0\0"
    return struct.unpack_from("<H", data, pe + 24 + 68)[0]


def test_windows_build_holds_runtime_client_and_data(builds):
    bundle = Path(builds["windows"]["bundle"])
    for name, subsystem in (("metaseoul.exe", 3), ("metaseoul-gui.exe", 2)):
        exe = bundle / name
        assert pe_subsystem(exe) == subsystem, name
        assert exe.stat().st_size > 5_000_000, "the executable carries the frozen app"
    for name in ("python311.dll", "VCRUNTIME140.dll", "libpanda.dll", "libpandagl.dll", "panda3d.core.pyd",
                 "numpy._core._multiarray_umath.pyd", "_ssl.pyd", "_sqlite3.pyd", "sqlite3.dll"):
        assert (bundle / name).is_file(), name
    data = bundle / "data"
    for name in ("assets/fonts/NanumSquareR.ttf", "assets/models/bench.gltf", "metaseoul/scenes/builtin/city-hall.json",
                 "metaseoul/scenes/schema/scene-1.schema.json", "metaseoul/scenes/materials.json",
                 "metaseoul/locale/ko/LC_MESSAGES/metaseoul.po", "metaseoul/runtime/shaders",
                 "babel/global.dat", "certifi/cacert.pem", "jsonschema_specifications/schemas"):
        assert (data / name).exists(), name
    assert not list(bundle.rglob("*.so")), "no Linux libraries in the Windows build"


def test_installers_hold_the_builds(builds):
    setup_exe, = (Path(p) for p in builds["windows"]["installers"])
    assert setup_exe.name.endswith("-windows-x64-setup.exe") and setup_exe.read_bytes()[:2] == b"MZ"
    assert b"Nullsoft" in setup_exe.read_bytes()[:200_000] and setup_exe.stat().st_size > 10_000_000
    tarball, deb, kiosk_deb = (Path(p) for p in builds["linux"]["installers"])
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    top = tarball.name.removesuffix(".tar.gz")
    assert {f"{top}/metaseoul", f"{top}/data/assets/fonts/NanumSquareR.ttf", f"{top}/libssl.so.3"} <= names
    assert {"./opt/metaseoul/metaseoul", "./usr/bin/metaseoul -> /opt/metaseoul/metaseoul"} <= deb_contents(deb)
    assert not {p for p in deb_contents(deb) if "systemd" in p or p.startswith("./etc")}, "metaseoul alone is no kiosk"
    assert {"./lib/systemd/system/metaseoul-kiosk.service", "./etc/metaseoul/kiosk.json"} <= deb_contents(kiosk_deb)
    unit = deb_file(kiosk_deb, "./lib/systemd/system/metaseoul-kiosk.service")
    assert "ExecStart=/usr/bin/cage -- /opt/metaseoul/metaseoul kiosk" in unit
    assert "User=kiosk" in unit and "Restart=on-failure" in unit and "WantedBy=graphical.target" in unit
    control = deb_info(kiosk_deb, "control")
    assert "Depends: metaseoul (= " in control and "cage" in control
    assert "systemctl enable --now metaseoul-kiosk.service" in deb_info(kiosk_deb, "postinst")
    assert "disable --now" in deb_info(kiosk_deb, "prerm")
    assert deb_info(kiosk_deb, "conffiles").split() == ["/etc/metaseoul/kiosk.json"]


def deb_contents(deb: Path) -> set[str]:
    """The paths in a .deb (links as ``path -> target``)."""
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    return {line.split(None, 5)[5] for line in listing.splitlines()}


def deb_file(deb: Path, path: str) -> str:
    return subprocess.run(f"dpkg-deb --fsys-tarfile {deb} | tar -xO {path}", shell=True, capture_output=True,
                          text=True, check=True).stdout


def deb_info(deb: Path, name: str) -> str:
    """A control file of a .deb (control, postinst, prerm, conffiles)."""
    return subprocess.run(["dpkg-deb", "--info", str(deb), name], capture_output=True, text=True, check=True).stdout
