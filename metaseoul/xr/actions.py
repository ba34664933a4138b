"""VR input as OpenXR actions: one action set, and suggested bindings for the five controller
families the OpenXR specification defines profiles for. A runtime maps these onto whatever
controller is in the citizen's hands; ``intent`` turns the actions' current values into what the
citizen wants to do, whichever controller it came from.

Paths and the inputs each profile has follow the OpenXR 1.0 specification, section 6.4
("Interaction Profile Paths").
"""

from __future__ import annotations

from dataclasses import dataclass

from metaseoul.i18n import _

ACTIONS = {  # name: OpenXR action type
    "move": "vector2f", "turn": "vector2f", "teleport": "boolean", "select": "boolean", "grab": "float",
    "menu": "boolean", "grip_pose": "pose", "aim_pose": "pose", "haptic": "vibration_output",
}
REQUIRED = ("teleport", "select", "menu", "grip_pose", "aim_pose", "haptic")  # reachable on every controller

# What each profile's controllers have, per hand (from the specification's profile list).
INPUTS = {
    "khr/simple_controller": {"both": {"select/click", "menu/click", "grip/pose", "aim/pose", "haptic"}},
    "oculus/touch_controller": {
        "left": {"x/click", "y/click", "menu/click"}, "right": {"a/click", "b/click", "system/click"},
        "both": {"squeeze/value", "trigger/value", "trigger/touch", "thumbstick", "thumbstick/click",
                 "thumbstick/touch", "thumbrest/touch", "grip/pose", "aim/pose", "haptic"}},
    "valve/index_controller": {"both": {
        "system/click", "a/click", "b/click", "squeeze/value", "squeeze/force", "trigger/click", "trigger/value",
        "thumbstick", "thumbstick/click", "trackpad", "trackpad/force", "grip/pose", "aim/pose", "haptic"}},
    "htc/vive_controller": {"both": {
        "system/click", "squeeze/click", "menu/click", "trigger/click", "trigger/value", "trackpad",
        "trackpad/click", "trackpad/touch", "grip/pose", "aim/pose", "haptic"}},
    "microsoft/motion_controller": {"both": {
        "menu/click", "squeeze/click", "trigger/value", "thumbstick", "thumbstick/click", "trackpad",
        "trackpad/click", "trackpad/touch", "grip/pose", "aim/pose", "haptic"}},
}

_POSES_AND_HAPTICS = {"grip_pose": ["left:grip/pose", "right:grip/pose"], "aim_pose": ["left:aim/pose", "right:aim/pose"],
                      "haptic": ["left:haptic", "right:haptic"]}
# action -> ["hand:input", ...]; the left stick moves, the right turns; teleport and select are on the right
BINDINGS = {
    "khr/simple_controller": _POSES_AND_HAPTICS | {
        "teleport": ["left:select/click"], "select": ["right:select/click"], "menu": ["left:menu/click", "right:menu/click"]},
    "oculus/touch_controller": _POSES_AND_HAPTICS | {
        "move": ["left:thumbstick"], "turn": ["right:thumbstick"], "teleport": ["right:a/click"],
        "select": ["right:trigger/value", "left:trigger/value"], "grab": ["left:squeeze/value", "right:squeeze/value"],
        "menu": ["left:menu/click"]},
    "valve/index_controller": _POSES_AND_HAPTICS | {
        "move": ["left:thumbstick"], "turn": ["right:thumbstick"], "teleport": ["right:a/click"],
        "select": ["right:trigger/click", "left:trigger/click"], "grab": ["left:squeeze/value", "right:squeeze/value"],
        "menu": ["left:b/click"]},
    "htc/vive_controller": _POSES_AND_HAPTICS | {
        "move": ["left:trackpad"], "turn": ["right:trackpad"], "teleport": ["right:trackpad/click"],
        "select": ["right:trigger/click", "left:trigger/click"], "grab": ["left:squeeze/click", "right:squeeze/click"],
        "menu": ["left:menu/click", "right:menu/click"]},
    "microsoft/motion_controller": _POSES_AND_HAPTICS | {
        "move": ["left:thumbstick"], "turn": ["right:thumbstick"], "teleport": ["right:trackpad/click"],
        "select": ["right:trigger/value", "left:trigger/value"], "grab": ["left:squeeze/click", "right:squeeze/click"],
        "menu": ["left:menu/click", "right:menu/click"]},
}


def label(action: str) -> str:
    """The action's name as the runtime shows it where citizens rebind their controllers."""
    return {"move": _("Walk"), "turn": _("Turn"), "teleport": _("Teleport"), "select": _("Select"),
            "grab": _("Grab"), "menu": _("Menu"), "grip_pose": _("Hand position"), "aim_pose": _("Pointing"),
            "haptic": _("Vibration")}[action]


def profile_path(profile: str) -> str:
    return f"/interaction_profiles/{profile}"


def binding_paths(profile: str) -> list[tuple[str, str]]:
    """(action, input path) pairs, as ``xrSuggestInteractionProfileBindings`` takes them."""
    pairs = []
    for action, inputs in BINDINGS[profile].items():
        for spec in inputs:
            hand, component = spec.split(":", 1)
            kind = "output" if component == "haptic" else "input"
            pairs.append((action, f"/user/hand/{hand}/{kind}/{component}"))
    return pairs


@dataclass
class Intent:
    """What the citizen wants this frame, from any controller."""
    move: tuple[float, float] = (0.0, 0.0)  # stick: x right, y forward
    turn: float = 0.0  # stick sideways, -1..1
    teleport: bool = False  # held: aiming; released: go
    select: bool = False
    grab: float = 0.0
    menu: bool = False


def intent(values: dict[str, object]) -> Intent:
    """Turn action values (as read with xrGetActionState*) into an Intent."""
    move = values.get("move") or (0.0, 0.0)
    turn = values.get("turn") or (0.0, 0.0)
    select = values.get("select", False)
    return Intent(move=(float(move[0]), float(move[1])), turn=float(turn[0]), teleport=bool(values.get("teleport")),
                  select=bool(select > 0.5 if isinstance(select, float) else select),
                  grab=float(values.get("grab") or 0.0), menu=bool(values.get("menu")))
