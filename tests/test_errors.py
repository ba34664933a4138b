"""The router's own answers (a path nothing serves, a method a path does not take) are JSON in the
error shape of the standard the path belongs to, and a 405's Allow names every method of the path."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("path", "shape"), [
    ("/nothing-here", {"code": 404, "message": "nothing here: /nothing-here"}),
    ("/open311/v2/nothing.json", [{"code": 404, "description": "nothing here: /open311/v2/nothing.json"}]),
    ("/sensorthings/v1.1/Things(none)", {"code": 404, "type": "error", "message": (
        "no entity set 'Things(none)' (there are Things, Locations, HistoricalLocations, Datastreams, Sensors, "
        "ObservedProperties, Observations, FeaturesOfInterest)")}),
])
def test_a_path_nothing_serves_is_a_404_in_its_standards_shape(app_client, path, shape):
    answer = app_client.get(path)
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/json"
    assert answer.json() == shape


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("PUT", "/reservations/v1/bookings", "GET, HEAD, POST"),  # two routes, one path
    ("OPTIONS", "/open311/v2/requests.json", "GET, HEAD, POST"),
    ("POST", "/healthz", "GET, HEAD"),
    ("GET", "/auth/token", "POST"),
])
def test_a_405_allows_every_method_of_the_path(app_client, method, path, allow):
    answer = app_client.request(method, path)
    assert answer.status_code == 405 and answer.headers["allow"] == allow
    body = answer.json()
    said = body[0]["description"] if isinstance(body, list) else body["message"]
    assert said == f"{method} is not allowed here; allowed: {allow}"
