"""The hand model signs are written in: OpenXR's 26 hand joints (XR_EXT_hand_tracking), each with a
rotation relative to its parent joint, so recordings from hand tracking fit without conversion.

Joint frames follow OpenXR: -Z runs along the bone toward the fingertip, +Y points out of the back
of the hand, +X completes a right-handed frame. In the flat hand every parent-relative rotation is
the identity. Flexing a finger toward the palm turns its joints about -X.

Authored signs may name a handshape by finger positions (``extended``, ``bent``, ``hooked``,
``closed``, or a flexion from 0 to 1) instead of giving every joint; ``shape_rotations`` turns that
into the same joint rotations a recording would carry.
"""

from __future__ import annotations

import math

Quat = tuple[float, float, float, float]  # w, x, y, z

FINGERS = ("thumb", "index", "middle", "ring", "little")
JOINTS = (
    "palm", "wrist",
    "thumb_metacarpal", "thumb_proximal", "thumb_distal", "thumb_tip",
    *(f"{finger}_{part}" for finger in FINGERS[1:]
      for part in ("metacarpal", "proximal", "intermediate", "distal", "tip")),
)
PARENT = {"palm": "wrist", "wrist": None}
for _finger in FINGERS:
    _chain = [j for j in JOINTS if j.startswith(_finger + "_")]
    PARENT[_chain[0]] = "wrist"
    for _parent, _child in zip(_chain, _chain[1:]):
        PARENT[_child] = _parent

IDENTITY: Quat = (1.0, 0.0, 0.0, 0.0)

# Flexion in degrees at the (proximal, intermediate, distal) joints of a finger for each named
# position; the thumb's three joints are its metacarpal, proximal and distal.
FLEXION = {
    "extended": (0.0, 0.0, 0.0),
    "bent": (75.0, 0.0, 0.0),  # straight finger bent at the knuckle
    "hooked": (0.0, 80.0, 60.0),  # knuckle straight, the rest curled
    "curved": (35.0, 45.0, 30.0),
    "closed": (85.0, 100.0, 70.0),
}
# The thumb: (flexion, swing away from the palm's centre) at its metacarpal, then flexion at its
# proximal and distal joints. Swing is about +Y, so positive swings a right thumb outward (-X).
THUMB = {
    "extended": ((0.0, 40.0), 0.0, 0.0),  # out to the side
    "along": ((0.0, 0.0), 0.0, 0.0),  # alongside the index
    "across": ((35.0, -25.0), 20.0, 30.0),  # folded over the closed fingers
    "tucked": ((45.0, -20.0), 40.0, 50.0),  # under the fingers
    "touch": ((40.0, -15.0), 25.0, 25.0),  # tip meets the index tip
}
SPREAD = {"index": 1.0, "middle": 0.3, "ring": -0.4, "little": -1.0}  # fanning out: + toward the thumb


def quat_axis_angle(axis: tuple[float, float, float], degrees: float) -> Quat:
    half = math.radians(degrees) / 2
    s = math.sin(half)
    return (math.cos(half), axis[0] * s, axis[1] * s, axis[2] * s)


def quat_mul(a: Quat, b: Quat) -> Quat:
    aw, ax, ay, az = a
    bw, bx, by, bz = b
    return (aw * bw - ax * bx - ay * by - az * bz, aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx, aw * bz + ax * by - ay * bx + az * bw)


def normalise(q: Quat) -> Quat:
    n = math.sqrt(sum(c * c for c in q))
    return tuple(c / n for c in q) if n > 1e-6 else IDENTITY  # type: ignore[return-value]


def slerp(a: Quat, b: Quat, f: float) -> Quat:
    """Spherical interpolation, the short way round."""
    dot = sum(x * y for x, y in zip(a, b))
    if dot < 0:
        b, dot = tuple(-c for c in b), -dot
    if dot > 0.9995:
        return normalise(tuple(x + (y - x) * f for x, y in zip(a, b)))
    theta = math.acos(dot)
    s = math.sin(theta)
    wa, wb = math.sin((1 - f) * theta) / s, math.sin(f * theta) / s
    return tuple(wa * x + wb * y for x, y in zip(a, b))  # type: ignore[return-value]


def flex(degrees: float) -> Quat:
    """A joint bent toward the palm (about -X)."""
    return quat_axis_angle((-1.0, 0.0, 0.0), degrees)


def shape_rotations(fingers: dict[str, str | float], spread: float = 0.0, crossed: bool = False) -> dict[str, Quat]:
    """Joint rotations for a handshape given by finger positions; unnamed fingers stay closed."""
    rotations = {joint: IDENTITY for joint in JOINTS}
    for finger in FINGERS[1:]:
        position = fingers.get(finger, "closed")
        angles = FLEXION[position] if isinstance(position, str) else tuple(a * position for a in FLEXION["closed"])
        fan = quat_axis_angle((0.0, 1.0, 0.0), SPREAD[finger] * 8.0 * spread)
        if crossed and finger == "middle" and position == "extended":
            fan = quat_axis_angle((0.0, 1.0, 0.0), 14.0)  # over the index (ㅆ)
        rotations[f"{finger}_proximal"] = quat_mul(fan, flex(angles[0]))
        rotations[f"{finger}_intermediate"] = flex(angles[1])
        rotations[f"{finger}_distal"] = flex(angles[2])
    (meta_flex, swing), proximal, distal = THUMB[str(fingers.get("thumb", "across"))]
    rotations["thumb_metacarpal"] = quat_mul(quat_axis_angle((0.0, 1.0, 0.0), swing), flex(meta_flex))
    rotations["thumb_proximal"] = flex(proximal)
    rotations["thumb_distal"] = flex(distal)
    return rotations


def mirrored(q: Quat) -> Quat:
    """The same rotation for the other hand (mirrored across the hand's X)."""
    return (q[0], q[1], -q[2], -q[3])


# Directions in the signer's torso frame: x to the signer's right, y forward, z up.
DIRECTIONS = {"right": (1.0, 0.0, 0.0), "left": (-1.0, 0.0, 0.0), "forward": (0.0, 1.0, 0.0),
              "back": (0.0, -1.0, 0.0), "up": (0.0, 0.0, 1.0), "down": (0.0, 0.0, -1.0)}


def orientation(fingers: str, palm: str) -> Quat:
    """The wrist rotation (torso frame) whose fingers point ``fingers`` and whose palm faces ``palm``.

    This is the extended-finger direction and palm orientation of sign notations such as HamNoSys.
    The joint frame's -Z goes along the fingers and +Y out of the back of the hand.
    """
    f = DIRECTIONS[fingers]
    p = DIRECTIONS[palm]
    if abs(sum(a * b for a, b in zip(f, p))) > 1e-6:
        raise ValueError(f"fingers {fingers} and palm {palm} are not at right angles")
    z = tuple(-c for c in f)
    y = tuple(-c for c in p)
    x = (y[1] * z[2] - y[2] * z[1], y[2] * z[0] - y[0] * z[2], y[0] * z[1] - y[1] * z[0])
    return _matrix_to_quat(((x[0], y[0], z[0]), (x[1], y[1], z[1]), (x[2], y[2], z[2])))


def _matrix_to_quat(m) -> Quat:
    trace = m[0][0] + m[1][1] + m[2][2]
    if trace > 0:
        s = math.sqrt(trace + 1.0) * 2
        return normalise(((0.25 * s), (m[2][1] - m[1][2]) / s, (m[0][2] - m[2][0]) / s, (m[1][0] - m[0][1]) / s))
    i = max(range(3), key=lambda k: m[k][k])
    j, k = (i + 1) % 3, (i + 2) % 3
    s = math.sqrt(1.0 + m[i][i] - m[j][j] - m[k][k]) * 2
    q = [0.0, 0.0, 0.0, 0.0]
    q[0] = (m[k][j] - m[j][k]) / s
    q[1 + i] = 0.25 * s
    q[1 + j] = (m[j][i] + m[i][j]) / s
    q[1 + k] = (m[k][i] + m[i][k]) / s
    return normalise(tuple(q))  # type: ignore[arg-type]
