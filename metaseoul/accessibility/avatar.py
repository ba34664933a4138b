"""The signing avatar: a torso, arms that reach the wrist places by two-bone inverse kinematics,
hands with every OpenXR joint, and a face whose head, eyebrows and mouth carry the non-manual
channels. Plain dark clothes and light skin keep the hands readable, as interpreters dress.

The avatar's own frame is the lexicon's torso frame: origin at the top of the sternum, x to the
signer's right, y forward, z up, in metres.
"""

from __future__ import annotations

import math

from panda3d.core import LQuaternionf, NodePath, Point3, Vec3

from metaseoul.accessibility import handmodel
from metaseoul.accessibility.lexicon import REST_LEFT, REST_RIGHT, Frame, HandPose
from metaseoul.scenes.builders.mesh import MeshBuilder

MATERIALS = {"skin": {"color": "#D8A67F"}, "shirt": {"color": "#1F2F4A"}, "hair": {"color": "#1B1714"},
             "dark": {"color": "#141414"}, "lips": {"color": "#8C3B3B"}, "trousers": {"color": "#22252B"}}
SHOULDER = (0.185, -0.01, -0.035)  # the right shoulder; the left is mirrored
UPPER_ARM, FOREARM = 0.29, 0.255
# Where each chain starts on the wrist (right hand: the thumb is on -x), and its bone lengths.
CHAIN_START = {"thumb": (-0.028, -0.012, -0.018), "index": (-0.024, 0.0, -0.008), "middle": (-0.007, 0.0, -0.008),
               "ring": (0.01, 0.0, -0.008), "little": (0.026, 0.0, -0.012)}
BONES = {
    "thumb": {"metacarpal": 0.042, "proximal": 0.034, "distal": 0.03},
    "index": {"metacarpal": 0.078, "proximal": 0.044, "intermediate": 0.026, "distal": 0.021},
    "middle": {"metacarpal": 0.076, "proximal": 0.049, "intermediate": 0.03, "distal": 0.023},
    "ring": {"metacarpal": 0.072, "proximal": 0.045, "intermediate": 0.029, "distal": 0.022},
    "little": {"metacarpal": 0.066, "proximal": 0.036, "intermediate": 0.021, "distal": 0.02},
}
WIDTH = {"thumb": 0.021, "index": 0.018, "middle": 0.0185, "ring": 0.0175, "little": 0.0155}


def _block(mb: MeshBuilder, centre, size, material: str) -> None:
    """A closed box around ``centre`` (hands and arms are seen from every side)."""
    mb.box((centre[0], centre[1], centre[2] - size[2] / 2), size, material)


def _part(name: str, build) -> NodePath:
    mb = MeshBuilder(MATERIALS)
    build(mb)
    return mb.node(name)


def _quat(q) -> LQuaternionf:
    return LQuaternionf(q[0], q[1], q[2], q[3])


class Hand:
    """One hand's joint nodes, named as OpenXR names them, under a wrist node."""

    def __init__(self, parent: NodePath, side: str):
        mirror = -1.0 if side == "left" else 1.0
        self.wrist = parent.attachNewNode(f"{side}-wrist")
        _part(f"{side}-palm", lambda mb: _block(mb, (0.0, 0.0, -0.046), (0.082, 0.026, 0.092), "skin")).reparentTo(self.wrist)
        self.joints: dict[str, NodePath] = {"wrist": self.wrist, "palm": self.wrist.attachNewNode("palm")}
        self.joints["palm"].setPos(0, 0, -0.046)
        for finger, bones in BONES.items():
            x, y, z = CHAIN_START[finger]
            node = self.wrist
            offset = Point3(x * mirror, y, z)
            for bone, length in bones.items():
                joint = node.attachNewNode(f"{finger}_{bone}")
                joint.setPos(offset)
                if bone != "metacarpal" or finger == "thumb":  # the palm covers the other metacarpals
                    w = WIDTH[finger] * (0.92 if bone == "distal" else 1.0)
                    _part(f"{finger}-{bone}", lambda mb, w=w, length=length: _block(
                        mb, (0.0, 0.0, -length / 2), (w, w * 0.9, length + w * 0.5), "skin")).reparentTo(joint)
                self.joints[joint.getName()] = joint
                node, offset = joint, Point3(0, 0, -length)
            tip = node.attachNewNode(f"{finger}_tip")
            tip.setPos(offset)
            self.joints[tip.getName()] = tip

    def apply(self, pose: HandPose) -> None:
        self.wrist.setPos(Point3(*pose.position))
        self.wrist.setQuat(_quat(handmodel.quat_mul(pose.rotation, pose.joints["wrist"])))
        for name, node in self.joints.items():
            if name != "wrist":
                node.setQuat(_quat(pose.joints[name]))


class SigningAvatar:
    def __init__(self, parent: NodePath):
        self.root = parent.attachNewNode("signer")
        body = _part("body", self._build_body)
        body.reparentTo(self.root)
        self.head = self.root.attachNewNode("head")
        self.head.setPos(0, 0.0, 0.055)
        _part("head", self._build_head).reparentTo(self.head)
        self.brows = []
        for side in (1, -1):
            brow = self.head.attachNewNode("brow")
            brow.setPos(0.032 * side, 0.092, 0.118)
            _part("brow", lambda mb: _block(mb, (0, 0, 0), (0.03, 0.006, 0.007), "hair")).reparentTo(brow)
            self.brows.append((brow, side))
        self.mouth = self.head.attachNewNode("mouth")
        self.mouth.setPos(0, 0.094, 0.035)
        _part("mouth", lambda mb: _block(mb, (0, 0, 0), (0.04, 0.008, 0.02), "lips")).reparentTo(self.mouth)
        self.arms = {}
        for side, mirror in (("right", 1.0), ("left", -1.0)):
            upper = _part(f"{side}-upper-arm", lambda mb: _block(mb, (0, 0.5, 0), (0.09, 1.0, 0.09), "shirt"))
            fore = _part(f"{side}-forearm", lambda mb: _block(mb, (0, 0.5, 0), (0.07, 1.0, 0.07), "shirt"))
            upper.reparentTo(self.root)
            fore.reparentTo(self.root)
            self.arms[side] = (Point3(SHOULDER[0] * mirror, SHOULDER[1], SHOULDER[2]), upper, fore, mirror)
        self.hands = {"right": Hand(self.root, "right"), "left": Hand(self.root, "left")}
        self.elbows: dict[str, Point3] = {}
        self.apply(Frame(0.0, None, None))

    @staticmethod
    def _build_body(mb: MeshBuilder) -> None:
        _block(mb, (0, -0.01, -0.3), (0.34, 0.2, 0.56), "shirt")  # torso
        _block(mb, (0, -0.01, -0.7), (0.31, 0.19, 0.26), "trousers")
        mb.cylinder((0, 0, -0.03), 0.048, 0.1, "skin")  # neck
        for side in (1, -1):
            mb.ellipsoid((0.16 * side, -0.01, -0.05), (0.07, 0.08, 0.06), "shirt")  # shoulders

    @staticmethod
    def _build_head(mb: MeshBuilder) -> None:
        mb.ellipsoid((0, 0.0, 0.1), (0.078, 0.095, 0.112), "skin")
        mb.ellipsoid((0, -0.012, 0.145), (0.082, 0.09, 0.085), "hair")
        for side in (1, -1):
            mb.ellipsoid((0.03 * side, 0.085, 0.1), (0.011, 0.006, 0.008), "dark")  # eyes
        mb.ellipsoid((0, 0.098, 0.075), (0.012, 0.016, 0.02), "skin")  # nose

    def apply(self, frame: Frame) -> None:
        """Pose the whole avatar as ``frame`` says (a missing hand rests at the side)."""
        for side, pose in (("right", frame.right or REST_RIGHT), ("left", frame.left or REST_LEFT)):
            self.hands[side].apply(pose)
            self._reach(side, Point3(*pose.position))
        nod, turn, tilt = frame.head
        self.head.setHpr(turn, -nod, tilt)
        for brow, side in self.brows:
            brow.setZ(0.118 + 0.012 * frame.brows)
            brow.setR(14.0 * side * min(0.0, frame.brows))  # furrowed brows slant down to the middle
        self.mouth.setScale(1.0 - 0.15 * frame.mouth, 1.0, 0.35 + 1.6 * frame.mouth)

    def _reach(self, side: str, wrist: Point3) -> None:
        """Two-bone IK: the elbow falls outward and down, in the plane of shoulder, wrist and that pull."""
        shoulder, upper, fore, mirror = self.arms[side]
        to_wrist = wrist - shoulder
        distance = min(max(to_wrist.length(), 0.05), UPPER_ARM + FOREARM - 1e-4)
        along = to_wrist.normalized()
        reach = (UPPER_ARM ** 2 - FOREARM ** 2 + distance ** 2) / (2 * distance)
        height = math.sqrt(max(UPPER_ARM ** 2 - reach ** 2, 0.0))
        pull = Vec3(0.45 * mirror, -0.15, -1.0)
        bend = pull - along * pull.dot(along)
        bend = bend.normalized() if bend.length() > 1e-6 else Vec3(0, 0, -1)
        elbow = shoulder + along * reach + bend * height
        hand_end = elbow + (wrist - elbow).normalized() * FOREARM
        self.elbows[side] = elbow
        for node, start, end, length in ((upper, shoulder, elbow, UPPER_ARM), (fore, elbow, hand_end, FOREARM)):
            node.setPos(start)
            node.lookAt(end, Vec3(0, 0, 1) if abs((end - start).normalized().z) < 0.99 else Vec3(0, 1, 0))
            node.setSy(length)
