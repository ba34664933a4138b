"""Command-line options the rendering benchmarks share (run them as scripts from this folder)."""

from __future__ import annotations

import argparse

from metaseoul.cli import image_size


def rendering(doc: str, size: str, frames: int, scene: bool = True) -> argparse.ArgumentParser:
    """--scene (when the benchmark takes one), --size WxH and --frames, with these defaults."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if scene:
        parser.add_argument("--scene", default="city-hall")
    parser.add_argument("--size", type=image_size, default=size, metavar="WxH")
    parser.add_argument("--frames", type=int, default=frames)
    return parser
