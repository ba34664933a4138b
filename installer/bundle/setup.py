"""build_apps' options for metaseoul's standalone builds. installer/build.py copies this file, main.py,
the package and the assets into a staging folder and runs ``python setup.py build_apps`` there, so
the checkout's own setup.cfg (the editable install) stays as it is.

Optional features whose packages cannot be frozen are left out of the freezing (docs/builds.md says why):
Qt (PySide6: installer/build.py ships it unfrozen in the Linux build; the Windows build has none), VR (pyopenxr, openvr, PyOpenGL), pyaudio and pyttsx3. Audio output (sounddevice) is in the
Linux build only: installer/build.py adds it to that build's requirements, and no Windows wheel of it
with PortAudio is at hand. The command says what is missing (exit code 3).
"""

from direct.dist.commands import build_apps
from setuptools import setup

LEFT_OUT = ["PySide6", "shiboken6", "xr", "openvr", "OpenGL", "pyaudio", "pyttsx3", "pytest", "tkinter", "_tkinter",
            "IPython", "setuptools", "pip"]
# imported by name at run time, out of the module finder's sight (it expands "pkg.*" only for what the
# build's own Python can import, and that Python sees only the build tools)
IMPORTED_BY_NAME = ["uvicorn.loops.auto", "uvicorn.loops.asyncio", "uvicorn.protocols.http.auto",
                    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.websockets.auto",
                    "uvicorn.protocols.websockets.websockets_impl",
                    "uvicorn.protocols.websockets.websockets_sansio_impl",
                    "uvicorn.lifespan.on", "uvicorn.lifespan.off", "anyio._backends._asyncio",
                    "websockets.asyncio.client", "websockets.asyncio.server", "websockets.legacy.server"]
# what PySide6 and shiboken6 import from the standard library: on Linux they are shipped beside the
# executable, unfrozen (installer/build.py), and find the standard library frozen in it
USED_BY_QT = ["ast", "dis", "inspect", "textwrap", "tokenize", "zipfile", "bz2", "lzma", "random", "typing", "opcode",
              "linecache", "traceback", "tempfile", "gettext", "string", "base64", "atexit"]
BABEL_LOCALES = ["root", "en", "en_*", "ko", "ko_*", "zh", "zh_*", "ja", "ja_*"]

setup(
    name="metaseoul",
    cmdclass={"build_apps": build_apps},  # run with python -S: no entry points to find it by
    packages=[],  # nothing to install: build_apps freezes what main.py imports
    options={
        "build_apps": {
            "console_apps": {"metaseoul": "main.py"},
            "include_modules": {"*": ["metaseoul.*", "encodings.*", *IMPORTED_BY_NAME, *USED_BY_QT]},
            "exclude_modules": {"*": LEFT_OUT},
            "include_patterns": ["metaseoul/**/*.json", "metaseoul/runtime/shaders/*", "metaseoul/locale/**/*.po",
                                 "assets/**", "LICENSE"],
            # the executable is called metaseoul, so the package's files live under data/ (main.py looks there)
            "rename_paths": {"metaseoul/": "data/metaseoul/", "assets/": "data/assets/"},
            "package_data_dirs": {
                "babel": [("babel/global.dat", "data/babel", {})]
                + [(f"babel/locale-data/{name}.dat", "data/babel/locale-data", {}) for name in BABEL_LOCALES],
                "certifi": [("certifi/cacert.pem", "data/certifi", {})],
                "jsonschema_specifications": [("jsonschema_specifications/schemas/**",
                                               "data/jsonschema_specifications/schemas", {})],
                "confusable_homoglyphs": [("confusable_homoglyphs/*.json", "data/confusable_homoglyphs", {})],
                "jsonschema": [],  # build_apps' default copies the schemas of jsonschema before 4.18
            },
            "plugins": ["pandagl", "p3headlessgl", "p3tinydisplay"],
            "use_optimized_wheels": False,  # archive.panda3d.org: the build reads only pip's configured indexes
            "pypi_extra_indexes": [],
            "strip_docstrings": False,  # argparse and starlette read docstrings
            "log_filename": None,
        },
    },
)
