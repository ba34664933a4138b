"""VR: OpenXR runtime detection, OpenXR-to-Panda3D conversions, and a simulated headset."""
