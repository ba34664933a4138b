"""metaseoul: an open-source desktop and VR client for a public-service Seoul metaverse."""

__version__ = "0.1.0"
