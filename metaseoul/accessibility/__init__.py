"""Accessibility: spoken descriptions of the world for blind and low-vision citizens."""
