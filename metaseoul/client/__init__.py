"""The Panda3D client: world runtime, walking, menus and the headless scene mode."""
