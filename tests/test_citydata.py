"""City data as OGC SensorThings: entities, moving readings, and the query options, both on the
query engine with a fixed clock and over HTTP from the backend's application."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from metaseoul.backend.citydata import STEPS, CityData, QueryError, collection, parse_filter

NOON_KST = datetime(2026, 5, 15, 3, 0, tzinfo=timezone.utc).timestamp()  # 12:00 in Seoul


@pytest.fixture
def city():
    return CityData(clock=lambda: NOON_KST)


def test_at_least_ten_seoul_hot_spots_with_six_streams_each(city):
    things = city.things()
    assert len(things) >= 10
    assert {"Seoul Plaza", "Gwanghwamun Square"} <= {t["name"] for t in things}
    assert len(city.datastreams()) == 6 * len(things)
    names = [ds["name"].split(": ")[1] for ds in city.datastreams(1)]
    assert names == ["Congestion level", "Population minimum", "Population maximum", "Temperature", "PM10", "PM2.5"]
    assert city.location(0)["location"]["coordinates"] == pytest.approx([126.97806, 37.56556])


def test_readings_move_with_the_time_of_day(city):
    people = [o["result"] for o in city.observations(2)]  # Seoul Plaza, population minimum
    assert len(people) == STEPS
    assert max(people) > 2 * min(people), "busier at lunch and in the evening than before dawn"
    congestion = {o["result"] for o in city.observations(1)}
    assert congestion <= {1.0, 2.0, 3.0, 4.0} and len(congestion) >= 2
    later = CityData(clock=lambda: NOON_KST + 3600)
    assert later.observations(2)[-1]["phenomenonTime"] != city.observations(2)[-1]["phenomenonTime"]
    assert all(o["result"] < 100 for o in city.observations(6)), "PM2.5 stays plausible"


def test_filter_on_time_and_result_with_and_or(city):
    rows = city.observations(5)  # PM10 at Seoul Plaza
    after = "2026-05-15T00:00:00Z"
    picked = collection(rows, {"$filter": f"phenomenonTime ge {after} and (result gt 40 or result lt 30)",
                               "$top": "1000"}, "/x")["value"]
    expected = [o for o in rows if o["phenomenonTime"] >= after and (o["result"] > 40 or o["result"] < 30)]
    assert picked == expected and 0 < len(picked) < len(rows)


def test_top_skip_count_orderby_and_next_link(city):
    rows = city.observations(4)
    page = collection(rows, {"$top": "5", "$skip": "10", "$count": "true", "$orderby": "result desc"}, "/Obs")
    ordered = sorted(rows, key=lambda o: o["result"], reverse=True)
    assert page["@iot.count"] == STEPS and page["value"] == ordered[10:15]
    assert page["@iot.nextLink"].startswith("/Obs?") and "%24skip=15" in page["@iot.nextLink"]
    assert "@iot.nextLink" not in collection(rows, {"$top": "1000"}, "/Obs")


@pytest.mark.parametrize("text, words", [
    ("result zz 3", "unknown operator 'zz'"),
    ("result gt", "expected a value"),
    ("(result gt 3", "expected ')' but found 'the end'"),
    ("result gt 3 and", "expected a field name"),
    ("result gt 3 ; drop", "cannot read"),
])
def test_bad_filters_say_what_is_wrong(text, words):
    with pytest.raises(QueryError, match=re.escape(words)):
        parse_filter(text)


def test_bad_paging_options(city):
    with pytest.raises(QueryError, match=r"\$top may be at most 1000"):
        collection(city.things(), {"$top": "5000"}, "/Things")
    with pytest.raises(QueryError, match=r"unsupported query option \$select"):
        collection(city.things(), {"$select": "name"}, "/Things")


def test_over_http(app_client):
    base = "/sensorthings/v1.1"
    doc = app_client.get("/.well-known/metaseoul").json()
    assert "city-data" in doc["capabilities"] and doc["endpoints"]["sensorthings"] == "/sensorthings/v1.1"
    things = app_client.get(base + "/Things", params={"$filter": "name eq 'Seoul Plaza'", "$expand": "Datastreams"}).json()
    plaza = things["value"][0]
    assert plaza["properties"]["scene"] == "city-hall" and len(plaza["Datastreams"]) == 6
    first = app_client.get(base + "/Datastreams(1)/Observations", params={"$top": "10", "$count": "true"}).json()
    assert first["@iot.count"] == STEPS and len(first["value"]) == 10
    rest = app_client.get(first["@iot.nextLink"]).json()
    assert rest["value"][0]["@iot.id"] != first["value"][0]["@iot.id"]
    bad = app_client.get(base + "/Things", params={"$filter": "name zz 1"})
    assert bad.status_code == 400 and "unknown operator" in bad.json()["message"]
    assert app_client.get(base + "/Things(99)").status_code == 404
    for path in ("/Locations(1)", "/ObservedProperties(4)", "/Datastreams(7)/Thing",
                 first["value"][0]["@iot.selfLink"].removeprefix("/sensorthings/v1.1")):
        assert app_client.get(base + path).status_code == 200, path  # every advertised link answers


@pytest.mark.parametrize("path, params", [
    ("/Things(1)", {"$top": "0"}),
    ("/Things(1)", {"$skip": "1"}),
    ("/Things", {"$orderby": "properties"}),
    ("/Things", {"$top": "²"}),
    ("/Things", {"$top": "9" * 5000}),
    ("/Things", {"$filter": "(" * 400 + "id eq 1" + ")" * 400}),
    ("/Things", {"$filter": " or ".join(["id eq 1"] * 1200)}),
    ("/Datastreams(1)/Observations", {"$filter": "phenomenonTime gt 2026-13-45T00:00Z"}),
])
def test_hostile_queries_get_400_not_500(app_client, path, params):
    response = app_client.get("/sensorthings/v1.1" + path, params=params)
    assert response.status_code == 400, response.text[:200]
    assert response.json()["message"]


@pytest.mark.parametrize("params", [
    {"$filter": "result gt 'a'"},
    {"$filter": "name gt 2024-01-01T00:00Z"},
    {"$filter": "result eq 3 or name eq 'x'"},
])
def test_mismatched_kinds_simply_do_not_match(app_client, params):
    response = app_client.get("/sensorthings/v1.1/Datastreams(1)/Observations", params=params)
    assert response.status_code == 200
