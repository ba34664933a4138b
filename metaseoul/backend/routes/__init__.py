"""The reference backend's HTTP and WebSocket routes, one module per capability; each module's
``routes`` goes into the application as it is (a Mount under the capability's path where it has one)."""
