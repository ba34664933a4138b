"""The Qt launcher and the kiosk shell: the first screen a citizen sees."""
