"""Procedural builders, one per object type of the scene format."""

from collections.abc import Callable

from metaseoul.scenes.builders import buildings, furniture, gate, pictures, primitives, rooms
from metaseoul.scenes.builders.context import BuildContext
from metaseoul.scenes.builders.mesh import MeshBuilder

Builder = Callable[[MeshBuilder, dict, BuildContext], None]

BUILDERS: dict[str, Builder] = {
    "box": primitives.box,
    "cylinder": primitives.cylinder,
    "ellipse": primitives.ellipse,
    "road": primitives.road,
    "wall": primitives.wall,
    "trees": primitives.trees,
    "lamp-ring": primitives.lamp_ring,
    "floor-fountain": primitives.floor_fountain,
    "hill": primitives.hill,
    "sign": primitives.sign,
    "model": primitives.model,
    "korean-gate": gate.korean_gate,
    "glass-wave-building": buildings.glass_wave_building,
    "heritage-hall": buildings.heritage_hall,
    "room": rooms.room,
    "stairs": rooms.stairs,
    "ramp": rooms.ramp,
    "column": rooms.column,
    "railing": rooms.railing,
    "picture": pictures.picture,
    "screen": pictures.screen,
    "desk": furniture.desk,
    "chair": furniture.chair,
    "sofa": furniture.sofa,
    "counter": furniture.counter,
    "lectern": furniture.lectern,
    "stage": furniture.stage,
    "seat-rows": furniture.seat_rows,
    "partition": furniture.partition,
    "plant": furniture.plant,
    "display-case": furniture.display_case,
    "plinth": furniture.plinth,
    "shelf": furniture.shelf,
}

# what a citizen can do with an object of a type unless the object's ``affordance`` says otherwise
AFFORDANCES: dict[str, str] = {
    "chair": "sit", "sofa": "sit", "seat-rows": "sit",
    "counter": "use", "lectern": "use", "display-case": "use", "screen": "use",
}
