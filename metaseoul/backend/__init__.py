"""The city-backend contract, the reference backend that implements it, and a client for it."""

CONTRACT_VERSION = "1.1.0"
