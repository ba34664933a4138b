"""The scene format: schema, validation, built-in Seoul scenes and the builders that make them."""

from metaseoul.scenes.catalog import Scene, builtin_ids, check_files, load, load_file
from metaseoul.scenes.errors import SceneError, SceneInvalid

__all__ = ["Scene", "SceneError", "SceneInvalid", "builtin_ids", "check_files", "load", "load_file"]
