"""The runtime layer under every client: engine start-up, the world and its environment, the
citizen's body (walker) and offscreen views. Presenters (client, xr) and accessibility build on it;
it imports none of them."""
