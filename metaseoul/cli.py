"""The ``metaseoul`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from metaseoul import __version__, i18n
from metaseoul.errors import BackendUnreachable, InvalidContent, MetaseoulError, SetupProblem, UsageError
from metaseoul.i18n import _
from metaseoul.xr.runtime import RUNTIMES, NoRuntime

EXIT_OK, EXIT_INVALID = 0, InvalidContent.exit_code
DEFAULT_SCENE = "city-hall"
VR_RUNTIME = "--vr-runtime"  # what --vr=RUNTIME is read as: --vr alone takes no value, so "--vr SCENE" works
# Exit codes of errors raised by modules that do not use metaseoul.errors (yet).
FOREIGN_EXIT_CODES: dict[type[Exception], int] = {NoRuntime: SetupProblem.exit_code}


def image_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a size like 1280x720, got {text!r}").format(text=text)) from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise argparse.ArgumentTypeError(_("width and height must be between 16 and 8192 pixels"))
    return width, height


def _point(text: str) -> tuple[float, float, float]:
    try:
        x, y, z = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a point like 0,-40,0, got {text!r}").format(text=text)) from None
    return x, y, z


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(_("expected a whole number of 1 or more, got {text!r}").format(text=text))
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="metaseoul",
        description=_("Metaverse Seoul client. Without a command: open the launcher, or, "
                      "with no display, render the built-in scenes offscreen."),
    )
    p.add_argument("--version", action="version", version=f"metaseoul {__version__}")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help=_("language of messages (default: from the system)"))
    p.add_argument("--out", type=Path, default=Path("metaseoul-renders"),
                   help=_("where the main job writes screenshots when there is no display"))
    p.set_defaults(handler=_main_job)
    # --lang may also follow the command (metaseoul describe city-hall --lang ko)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS,
                        help=_("language of messages (default: from the system)"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    scenes = sub.add_parser("scenes", parents=[common], help=_("list the built-in scenes and their views"))
    scenes.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    scenes.set_defaults(handler=_scenes)

    validate = sub.add_parser("validate", parents=[common], help=_("check scene files against the scene format"))
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(handler=_validate)

    migrate = sub.add_parser(
        "migrate", parents=[common], help=_("upgrade a scene file to the newest scene format"),
        description=_("Upgrade a valid scene file to the newest scene format, keeping its keys in order and its "
                      "content. Without --out or --in-place the upgraded scene is printed; --out writes a new file "
                      "(never one that exists) and --in-place replaces FILE itself. A file the validator refuses "
                      "is not upgraded: its problems are listed instead."))
    migrate.add_argument("file", type=Path, metavar="FILE")
    where = migrate.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, dest="migrate_out", metavar="FILE",
                       help=_("write the upgraded scene to this new file"))
    where.add_argument("--in-place", action="store_true", help=_("replace FILE with the upgraded scene"))
    migrate.set_defaults(handler=_migrate)

    render = sub.add_parser("render", parents=[common], help=_("render a scene's views offscreen to PNG files and stats.json"))
    render.add_argument("scene", help=_("a built-in scene id or a scene file"))
    render.add_argument("--out", type=Path, required=True, dest="render_out", metavar="DIR")
    render.add_argument("--size", type=image_size, default=(1280, 720), metavar="WxH")
    render.add_argument("--views", nargs="+", metavar="NAME", help=_("views to render (default: all)"))
    render.add_argument("--frames", type=_positive, default=30, metavar="N",
                        help=_("frames timed per view (default: 30)"))
    render.add_argument("--stereo", action="store_true",
                        help=_("render both eyes of a simulated VR headset (the size is per eye)"))
    render.set_defaults(handler=_render)

    play = sub.add_parser("play", parents=[common], help=_("open a scene in a window and walk around"))
    play.add_argument("scene", nargs="?", default=DEFAULT_SCENE, help=_("a built-in scene id or a scene file"))
    play.add_argument("--spawn", metavar="NAME", help=_("the spawn point to start at"))
    play.add_argument("--quality", choices=("low", "medium", "high"), default="high",
                      help=_("graphics quality (default: high)"))
    play.add_argument("--fullscreen", action="store_true", help=_("use the whole screen"))
    play.add_argument("--idle-exit", type=_positive, metavar="SECONDS",
                      help=_("quit after this many seconds without input (kiosks)"))
    play.add_argument("--vr", action="store_const", const="auto",
                      help=_("use a VR headset when one is ready, else the desktop; --vr=RUNTIME picks the "
                             "runtime: openxr, openvr (SteamVR) or auto (OpenXR, then OpenVR; the default)"))
    play.add_argument(VR_RUNTIME, choices=RUNTIMES, dest="vr", metavar="RUNTIME", help=_("the same as --vr=RUNTIME"))
    play.add_argument("--touch", action="store_true", help=_("show on-screen touch controls (kiosks)"))
    play.add_argument("--backend", metavar="URL",
                      help=_("the city backend to connect to (default: start the built-in one on this computer)"))
    play.set_defaults(handler=_play)

    launcher = sub.add_parser("launcher", parents=[common], help=_("open the launcher: destinations, settings and accessibility"))
    launcher.add_argument("--screenshot", type=Path, metavar="FILE",
                          help=_("render a launcher page to a PNG file and exit"))
    launcher.add_argument("--page", choices=("accessibility", "home", "settings"),
                          help=_("the page to show (with --screenshot)"))
    launcher.set_defaults(handler=_launcher)

    describe = sub.add_parser("describe", parents=[common], help=_("describe a place in words, for blind and low-vision citizens"))
    describe.add_argument("scene", help=_("a built-in scene id or a scene file"))
    describe.add_argument("--at", type=_point, metavar="X,Y,Z", help=_("where to stand (default: the first spawn point)"))
    describe.add_argument("--heading", type=float, metavar="DEG", help=_("which way to face, a compass bearing"))
    describe.add_argument("--speak", action="store_true", help=_("say it aloud"))
    describe.add_argument("--wav", type=Path, metavar="FILE", help=_("also write the speech to a WAV file"))
    describe.set_defaults(handler=_describe)

    sign = sub.add_parser("sign", parents=[common],
                          help=_("sign a text in Korean Sign Language: PNG frames of the signing avatar and a timeline"))
    sign.add_argument("text", help=_("what to sign (Korean, or English with --lang en)"))
    sign.add_argument("--out", type=Path, required=True, dest="sign_out", metavar="DIR")
    sign.add_argument("--size", type=image_size, default=(480, 480), metavar="WxH")
    sign.add_argument("--fps", type=_positive, default=15, metavar="N", help=_("frames a second (default: 15)"))
    sign.add_argument("--lexicon", type=Path, metavar="FILE", help=_("another sign lexicon file (default: the built-in KSL one)"))
    sign.set_defaults(handler=_sign)

    xr_info = sub.add_parser("xr-info", parents=[common], help=_("tell which VR runtime and headset are available"))
    xr_info.set_defaults(handler=_xr_info)

    check = sub.add_parser("check-backend", parents=[common], help=_("check that a city backend keeps the contract"))
    check.add_argument("url", help=_("the backend's address"))
    check.add_argument("--write", action="store_true", help=_("also run the checks that create data"))
    check.add_argument("--json", type=Path, metavar="FILE", dest="json_out", help=_("write the results as JSON"))
    check.add_argument("--moderator", metavar="NAME:PASSWORD",
                       help=_("a moderator account, to check moderator actions (with --write)"))
    check.set_defaults(handler=_check_backend)

    serve = sub.add_parser("serve", parents=[common], help=_("run the reference city backend"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)"))
    serve.add_argument("--port", type=int, default=8765, help=_("port to listen on (default: 8765)"))
    serve.add_argument("--data", type=Path, default=Path("metaseoul-data"), help=_("folder for the database"))
    serve.add_argument("--public-url", default=os.environ.get("METASEOUL_PUBLIC_URL"), metavar="URL",
                       help=_("the address clients reach the backend at, behind a proxy (for links)"))
    serve.set_defaults(handler=_serve)

    moderator = sub.add_parser("moderator", parents=[common],
                               help=_("make a registered user of the reference backend a moderator"))
    moderator.add_argument("name", help=_("the user name"))
    moderator.add_argument("--data", type=Path, default=Path("metaseoul-data"), help=_("the backend's data folder"))
    moderator.add_argument("--revoke", action="store_true", help=_("make the user an ordinary citizen again"))
    moderator.add_argument("--staff", action="store_true",
                           help=_("give the verified city staff badge instead (no moderator powers)"))
    moderator.set_defaults(handler=_moderator)

    kiosk = sub.add_parser("kiosk", parents=[common], help=_("run the full-screen kiosk for public terminals"))
    kiosk.add_argument("--config", type=Path, metavar="FILE", help=_("the kiosk configuration (JSON)"))
    kiosk.set_defaults(handler=_kiosk)
    return p


def _language(argv: list[str]) -> str:
    """--lang is read before the parser is built, so that --help is in that language too."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    return i18n.default_language()


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as the handlers take it (``args.handler(args)``)."""
    spelled = [VR_RUNTIME + arg[len("--vr"):] if arg.startswith("--vr=") else arg for arg in argv]
    return parser().parse_args(spelled)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _language(argv)
    i18n.set_language(lang if lang in i18n.LANGUAGES else "en")
    args = parse(argv)
    try:
        return args.handler(args)
    except (MetaseoulError, *FOREIGN_EXIT_CODES) as exc:
        return _fail(str(exc), exit_code(exc))
    except BrokenPipeError:  # the reader went away (metaseoul scenes | head -1): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        return _fail(f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc), SetupProblem.exit_code)


def exit_code(error: Exception) -> int:
    """What the command exits with for ``error``: its own code, or the one the table gives its kind."""
    if isinstance(error, MetaseoulError):
        return error.exit_code
    return next(code for kind, code in FOREIGN_EXIT_CODES.items() if isinstance(error, kind))


def _fail(problem: str, code: int) -> int:
    """Say what went wrong, a line each (a scene's problems are several), and give the exit code."""
    for line in problem.splitlines() or [""]:
        print(_("metaseoul: {problem}").format(problem=line), file=sys.stderr)
    return code


def _scenes(args) -> int:
    from metaseoul.scenes import builtin_ids, load

    listing = []
    for scene_id in builtin_ids():
        scene = load(scene_id)
        listing.append({
            "id": scene.id,
            "name": scene.name,
            "views": [{"name": v["name"], "description": v.get("description")} for v in scene.views],
        })
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return EXIT_OK
    for item in listing:
        print(f"{item['id']}  {i18n.pick(item['name'])}")
        for view in item["views"]:
            about = f"  {i18n.pick(view['description'])}" if view["description"] else ""
            print(f"    {view['name']}{about}")
    return EXIT_OK


def _validate(args) -> int:
    from metaseoul.scenes import check_files

    results = check_files(args.files)
    failed = 0
    for path, errors in results.items():
        for error in errors:
            print(error, file=sys.stderr)
        if errors:
            failed += 1
        else:
            print(_("{file}: valid").format(file=path))
    return EXIT_INVALID if failed else EXIT_OK


def _migrate(args) -> int:
    from metaseoul.scenes import check_files, validate

    errors = check_files([args.file])[args.file]
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        return EXIT_INVALID
    doc = validate.read_json(args.file)
    if doc["format"] == validate.FORMATS[-1]:
        print(_("{file}: already format {format}; nothing to do").format(file=args.file, format=doc["format"]),
              file=sys.stderr)
        return EXIT_OK
    upgraded = validate.upgrade(doc)
    problems = validate.schema_errors(upgraded, str(args.file))
    if problems:  # format 2 accepts every valid format 1 scene; this would be a bug in the schemas
        raise InvalidContent("\n".join(str(p) for p in problems))
    text = json.dumps(upgraded, indent=2, ensure_ascii=False) + "\n"
    if args.migrate_out is None and not args.in_place:
        sys.stdout.write(text)
        return EXIT_OK
    target = args.file if args.in_place else args.migrate_out
    if not args.in_place and os.path.lexists(target):
        raise UsageError(_("{file} already exists: give another --out, or --in-place to replace {source}").format(
            file=target, source=args.file))
    target.write_text(text, encoding="utf-8")
    print(_("{source}: upgraded to format {format}, written to {file}").format(
        source=args.file, format=upgraded["format"], file=target), file=sys.stderr)
    return EXIT_OK


def _render(args) -> int:
    return _render_scene(args.scene, args.render_out, args.size, args.views, args.frames, args.stereo)


def _render_scene(scene: str, out: Path, size, views, frames: int, stereo: bool = False) -> int:
    from metaseoul.client.headless import render_scene

    stats = render_scene(scene, out, size=size, views=views, frames=frames, stereo=stereo)
    for name, view in stats["views"].items():
        print(_("{view}: {image} ({ms} ms a frame, {calls} draw calls)").format(
            view=name, image=", ".join(str(out / image) for image in view["images"]),
            ms=view["frame_ms_median"], calls=view["draw_calls"]))
    print(_("statistics: {path}").format(path=out / "stats.json"))
    return EXIT_OK


def _play(args) -> int:
    from metaseoul.client.app import run

    touch = {"touch": True} if args.touch else {}  # only when asked: run() takes it from the coming release
    run(args.scene, args.spawn, quality=args.quality, fullscreen=args.fullscreen, idle_exit=args.idle_exit,
        vr=args.vr, backend=args.backend, **touch)
    return EXIT_OK


def _launcher(args) -> int:
    from metaseoul.launcher.main import run_launcher

    return run_launcher(args.screenshot, args.page, getattr(args, "lang", None))


def _kiosk(args) -> int:
    from metaseoul.launcher.main import run_kiosk

    return run_kiosk(args.config)


def _serve(args) -> int:
    from metaseoul.backend.server import serve

    serve(args.host, args.port, args.data, args.public_url)
    return EXIT_OK


def _describe(args) -> int:
    from metaseoul.accessibility.describe import Describer, Pose
    from metaseoul.scenes import load
    from metaseoul.scenes.loader import build

    scene = load(args.scene)
    spawn = scene.spawn()
    x, y, _z = args.at or spawn["position"]
    facing = args.heading if args.heading is not None else spawn.get("facing", 0.0)
    lines = Describer(build(scene)).describe(Pose(x, y, facing % 360))
    print("\n".join(lines))
    if args.speak or args.wav:
        from metaseoul.accessibility import speech

        said = speech.EspeakEngine().say(" ".join(lines), i18n.language())
        if args.wav:
            said.write_wav(args.wav)
        if args.speak:
            speech.play(said)
    return EXIT_OK


def _sign(args) -> int:
    from metaseoul.accessibility.sign_frames import write_signing
    from metaseoul.accessibility.signing import tokens_of
    from metaseoul.runtime import engine

    tokens = tokens_of(args.text)
    if not tokens:
        raise UsageError(_("nothing to sign: the text is empty or only spaces and punctuation"))
    language = getattr(args, "lang", None) or ("ko" if any(kind == "hangul" for kind, _t in tokens) else "en")
    base = engine.start(offscreen=True)
    timeline = write_signing(base, args.text, args.sign_out, language, args.size, args.fps, args.lexicon)
    for item in timeline["items"]:
        mark = _(" (provisional)") if item["provisional"] else ""
        print(f"{item['start']:6.2f}–{item['end']:5.2f} s  {item['kind']:<6}  {item['label']}  ({item['word']}){mark}")
    if timeline["unsigned"]:
        print(_("cannot be signed, left out: {words}").format(words=", ".join(timeline["unsigned"])))
    print(_("{frames} frames and timeline.json in {out}").format(frames=timeline["frames"], out=args.sign_out))
    return EXIT_OK


def _check_backend(args) -> int:
    from metaseoul.backend.conformance import Checker, report, table

    results = Checker(args.url, write=args.write, moderator=args.moderator).check_all()
    print(table(results))
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(report(results), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK if all(r.passed for r in results) else EXIT_INVALID


def _moderator(args) -> int:
    from metaseoul.backend.db import Database
    from metaseoul.backend.moderation import MODERATOR, Moderation

    if not (args.data / "metaseoul.sqlite3").is_file():
        raise UsageError(_("no backend data in {folder}: give the folder 'metaseoul serve --data' uses").format(
            folder=args.data))
    db = Database(args.data)
    try:
        Moderation(db).grant(args.name, args.revoke, "staff" if args.staff else MODERATOR)
    finally:
        db.close()
    if args.revoke:
        done = _("{name} is no longer a moderator")
    else:
        done = _("{name} is now verified city staff") if args.staff else _("{name} is now a moderator")
    print(done.format(name=args.name))
    return EXIT_OK


def _xr_info(args) -> int:
    from metaseoul.xr import openvr_session
    from metaseoul.xr.runtime import detect

    try:
        info = detect()
    except NoRuntime:
        if not openvr_session.installed():
            raise
        print(_("runtime: {name} (no OpenXR runtime answered; 'metaseoul play --vr' uses SteamVR through "
                "OpenVR)").format(name=openvr_session.OpenVRSession.name))
        return EXIT_OK
    print(_("runtime: {name} {version}").format(name=info.runtime, version=info.version))
    print(_("system: {name}").format(name=info.system))
    for eye, (width, height) in zip((_("left eye"), _("right eye")), info.views):
        print(_("{eye}: {width}x{height} recommended").format(eye=eye, width=width, height=height))
    print(_("extensions: {names}").format(names=", ".join(info.extensions)))
    return EXIT_OK


def _main_job(args) -> int:
    from metaseoul.runtime.engine import has_display

    if has_display():
        try:
            from metaseoul.launcher.main import run_launcher
        except ImportError:  # installed without the launcher extra: straight into City Hall
            from metaseoul.client.app import run

            run(DEFAULT_SCENE)
            return EXIT_OK
        return run_launcher(language=args.lang)
    from metaseoul.backend.client import BackendClient, BackendUnavailable
    from metaseoul.backend.embedded import EmbeddedBackend
    from metaseoul.scenes import builtin_ids

    print(_("No display found: rendering the city backend's scenes offscreen."))
    backend = EmbeddedBackend.default()
    client = BackendClient(backend.start())
    try:
        discovery = client.discover()
        print(_("City backend: {name}, contract {version}, at {url}").format(
            name=discovery["name"], version=discovery["contract_version"], url=client.base_url))
        scenes = [entry["id"] for entry in client.scenes(discovery["endpoints"].get("content", "/content/v1"))]
    except (BackendUnavailable, KeyError) as exc:
        raise BackendUnreachable(_("the built-in city backend did not answer properly ({problem})").format(
            problem=exc)) from None
    finally:
        client.close()
        backend.stop()
    for scene_id in scenes:
        if scene_id in builtin_ids():
            _render_scene(scene_id, args.out / scene_id, (1280, 720), None, 10)
    print(_("Screenshots and stats.json for each scene are in {out}").format(out=args.out.resolve()))
    return EXIT_OK
