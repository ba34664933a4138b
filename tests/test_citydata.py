"""City data as OGC SensorThings: entities, moving readings, and the query options, both on the
query engine with a fixed clock and over HTTP from the backend's application."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from metaseoul.backend.citydata import SETS, STEP_SECONDS, STEPS, CityData
from metaseoul.backend.routes import sensorthings
from metaseoul.backend.sensorfilter import (
    MAX_COMPARISONS,
    MAX_FILTER_CHARS,
    MAX_NESTING,
    QueryError,
    Table,
    matching,
    parse_filter,
)
from metaseoul.backend.staquery import MAX_TOP, Answer, parse

NOON_KST = datetime(2026, 5, 15, 3, 0, tzinfo=UTC).timestamp()  # 12:00 in Seoul


@pytest.fixture
def city():
    return CityData(clock=lambda: NOON_KST)


def collection(city: CityData, rows, params: dict, path: str = "/x", entity_set: str = "Observations") -> dict:
    """A page of ``rows`` (entities of ``entity_set``) as the API answers it, links under http://city."""
    return Answer(city, "http://city").collection(rows, SETS[entity_set], parse(params, SETS[entity_set], city), path)


def plain(page: dict) -> list[dict]:
    """The page's entities without their links, as the data model holds them."""
    return [{k: v for k, v in item.items() if "@iot.selfLink" not in k and "@iot.navigationLink" not in k}
            for item in page["value"]]


def test_at_least_ten_seoul_hot_spots_with_six_streams_each(city):
    things = city.members("Things")
    assert len(things) >= 10
    assert {"Seoul Plaza", "Gwanghwamun Square"} <= {t["name"] for t in things}
    assert len(city.members("Datastreams")) == 6 * len(things)
    names = [ds["name"].split(": ")[1] for ds in city.related("Things", 1, "Datastreams")]
    assert names == ["Congestion level", "Population minimum", "Population maximum", "Temperature", "PM10", "PM2.5"]
    assert city.entity("Locations", 1)["location"]["coordinates"] == pytest.approx([126.97806, 37.56556])
    assert city.related("Datastreams", 8, "Sensor") == city.entity("Sensors", 2)
    assert city.related("Datastreams", 8, "Thing") == city.entity("Things", 2)


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
    picked = plain(collection(city, rows, {"$filter": f"phenomenonTime ge {after} and (result gt 40 or result lt 30)",
                                           "$top": "1000"}))
    expected = [o for o in rows if o["phenomenonTime"] >= after and (o["result"] > 40 or o["result"] < 30)]
    assert picked == expected and 0 < len(picked) < len(rows)


def test_top_skip_count_orderby_and_next_link(city):
    rows = city.observations(4)
    page = collection(city, rows, {"$top": "5", "$skip": "10", "$count": "true", "$orderby": "result desc"}, "/Obs")
    ordered = sorted(rows, key=lambda o: o["result"], reverse=True)
    assert page["@iot.count"] == STEPS and plain(page) == ordered[10:15]
    assert page["@iot.nextLink"].startswith("http://city/Obs?") and "$skip=15" in page["@iot.nextLink"]
    assert "@iot.nextLink" not in collection(city, rows, {"$top": "1000"}, "/Obs")


@pytest.mark.parametrize("direction, descending", [("asc", False), ("ASC", False), ("Asc", False), ("DESC", True),
                                                   ("desc", True), ("", False)])
def test_orderby_direction_in_any_case(city, direction, descending):
    rows = city.observations(4)
    page = collection(city, rows, {"$orderby": f"result {direction}".strip(), "$top": "1000"})
    assert [o["result"] for o in plain(page)] == sorted((o["result"] for o in rows), reverse=descending)


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


def test_a_top_over_the_maximum_is_paged_by_the_server(city):
    table = city.members("Observations")
    page = collection(city, table, {"$top": "2500", "$count": "true"}, "/Observations")
    assert len(page["value"]) == MAX_TOP and page["@iot.count"] == len(table.items)
    assert page["@iot.nextLink"] == "http://city/Observations?$count=true&$top=1000&$skip=1000"
    with pytest.raises(QueryError, match=r"unsupported query option \$search"):
        collection(city, city.members("Things"), {"$search": "x"}, "/Things", "Things")


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
                 first["value"][0]["@iot.selfLink"].removeprefix("http://testserver/sensorthings/v1.1")):
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
    {"$filter": "phenomenonTime gt 3"},
    {"$filter": "result eq 3 or resultTime eq 'x'"},
])
def test_mismatched_kinds_simply_do_not_match(app_client, params):
    response = app_client.get("/sensorthings/v1.1/Datastreams(1)/Observations", params=params)
    assert response.status_code == 200


def field(name: str):
    return lambda item: item.get(name)


def picked(rows: list[dict], text: str) -> list[dict]:
    """The rows the filter matches, by the query engine alone (any field name reads that key)."""
    return [rows[i] for i in matching(parse_filter(text), Table(rows), field)]


def test_and_binds_tighter_than_or_and_parentheses_group(city):
    rows = city.observations(4)  # temperature at Seoul Plaza
    low, high = sorted(o["result"] for o in rows)[len(rows) // 3], sorted(o["result"] for o in rows)[2 * len(rows) // 3]
    early = rows[STEPS // 2]["phenomenonTime"]
    a, b, c = (lambda o: o["result"] < low), (lambda o: o["result"] > high), (lambda o: o["phenomenonTime"] < early)
    text = f"result lt {low} or result gt {high} and phenomenonTime lt {early}"
    assert picked(rows, text) == [o for o in rows if a(o) or (b(o) and c(o))]
    grouped = f"(result lt {low} or result gt {high}) and phenomenonTime lt {early}"
    assert picked(rows, grouped) == [o for o in rows if (a(o) or b(o)) and c(o)]
    assert picked(rows, grouped) != picked(rows, text)
    assert picked(rows, f"((({grouped})))") == picked(rows, grouped)


@pytest.mark.parametrize("zone, hours", [("Z", 0), ("+09:00", 9), ("-05:00", -5), ("+05:30", 5.5)])
def test_times_compare_as_instants_whatever_their_zone(city, zone, hours):
    rows = city.observations(1)
    at = datetime.fromisoformat(rows[100]["phenomenonTime"])
    local = (at + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S") + zone
    for op, test in [("eq", at.__eq__), ("ne", at.__ne__), ("gt", at.__lt__), ("ge", at.__le__),
                     ("lt", at.__gt__), ("le", at.__ge__)]:
        expected = [o for o in rows if test(datetime.fromisoformat(o["resultTime"]))]
        assert picked(rows, f"resultTime {op} {local}") == expected, (op, local)
    assert len(picked(rows, f"phenomenonTime eq {local}")) == 1
    just_after = (at + timedelta(hours=hours, microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f") + zone
    assert picked(rows, f"phenomenonTime lt {just_after}") == rows[:101]


@pytest.mark.parametrize("value", ["Seoul Plaza", "Seoul Plaz", "A", "zz", "", "Myeong-dong", "it''s"])
def test_text_compares_like_python_strings(city, value):
    things = city.members("Things")
    plain = value.replace("''", "'")
    for op, test in [("eq", plain.__eq__), ("ne", plain.__ne__), ("gt", plain.__lt__), ("ge", plain.__le__),
                     ("lt", plain.__gt__), ("le", plain.__ge__)]:
        assert picked(things, f"name {op} '{value}'") == [t for t in things if test(t["name"])], (op, value)


ODD = [{"v": 3}, {"v": 3.0}, {"v": True}, {"v": "3"}, {"v": None}, {}, {"v": [3]}, {"v": {"x": 3}},
       {"v": "2026-05-15T00:00:00Z"}, {"v": "2026-05-15T09:00:00+09:00"}, {"v": "2026-05-15T00:00:00"}, {"v": 10**400}]


@pytest.mark.parametrize("text, expected", [
    ("v eq 3", [0, 1]),
    ("v ne 3", [11]),  # only numbers are unequal to a number: true, text, nothing and lists are another kind
    ("v gt 2", [0, 1, 11]),
    ("v lt 1000000000", [0, 1]),
    ("v eq '3'", [3]),
    ("v ne '3'", [8, 9, 10]),
    ("v ge 2026-05-15T00:00Z", [8, 9]),  # a time without a zone is not an instant
    ("v ne 2026-05-15T00:00Z", []),
    ("v eq 2026-05-15T09:00+09:00", [8, 9]),
    ("nothing eq 1 or nothing ne 1 or nothing ne 'x' or nothing ne 2026-05-15T00:00Z", []),
])
def test_values_of_another_kind_simply_do_not_match(text, expected):
    assert picked(ODD, text) == [ODD[i] for i in expected]


def test_the_same_filter_answers_the_same_on_the_kept_observations(city):
    table = city.members("Observations")
    assert city.members("Observations") is table, "kept for the step"
    text = "result ge 30 and phenomenonTime gt 2026-05-14T12:00+09:00"
    once = collection(city, table, {"$filter": text, "$count": "true"})
    assert collection(city, table, {"$filter": text, "$count": "true"}) == once
    assert once["@iot.count"] == len([o for o in table.items if o["result"] >= 30 and o["phenomenonTime"] > "2026-05-14T03:00:00Z"])


@pytest.mark.parametrize("minutes", [10, 30, 24 * 60 + 10])
def test_kept_observations_move_on_with_the_step(minutes):
    now = [NOON_KST]
    moving = CityData(clock=lambda: now[0])
    before = {ident: moving.observations(ident) for ident in (1, 2, 40)}
    before_all = moving.members("Observations")
    now[0] += minutes * 60
    fresh = CityData(clock=lambda: NOON_KST + minutes * 60)
    for ident in before:
        assert moving.observations(ident) == fresh.observations(ident)
        assert len(moving.observations(ident)) == STEPS
    assert moving.members("Observations") is not before_all
    assert moving.members("Observations").items == fresh.members("Observations").items
    assert moving.observations(1)[-1]["phenomenonTime"] == datetime.fromtimestamp(
        (NOON_KST + minutes * 60) // STEP_SECONDS * STEP_SECONDS, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def comparisons(n: int) -> str:
    return " or ".join(f"id eq {i}" for i in range(n))


@pytest.mark.parametrize("params, words", [
    ({"$filter": "id eq 1" + " " * (MAX_FILTER_CHARS - 6)}, f"$filter longer than {MAX_FILTER_CHARS} characters"),
    ({"$filter": "(" * (MAX_NESTING + 1) + "id eq 1" + ")" * (MAX_NESTING + 1)},
     f"$filter nests parentheses deeper than {MAX_NESTING}"),
    ({"$filter": comparisons(MAX_COMPARISONS + 1)}, f"$filter has more than {MAX_COMPARISONS} comparisons"),
    ({"$orderby": "result,id,name,phenomenonTime,resultTime,id"}, "$orderby may name at most 5 fields"),
])
def test_query_limits_are_refused_with_a_plain_message(app_client, params, words):
    response = app_client.get("/sensorthings/v1.1/Observations", params=params)
    assert response.status_code == 400 and response.json()["message"] == words


@pytest.mark.parametrize("params", [
    {"$filter": "id eq 1" + " " * (MAX_FILTER_CHARS - 7)},
    {"$filter": "(" * MAX_NESTING + "id eq 1" + ")" * MAX_NESTING},
    {"$filter": comparisons(MAX_COMPARISONS)},
    {"$orderby": "result desc,id,phenomenonTime ASC,resultTime,Datastream/name"},
])
def test_queries_at_the_limits_are_answered(app_client, params):
    assert app_client.get("/sensorthings/v1.1/Observations", params=params).status_code == 200


def test_a_query_that_waits_too_long_for_its_turn_is_told_to_retry(app_client, monkeypatch):
    monkeypatch.setattr(sensorthings, "QUEUE_SECONDS", 0.05)
    turn = sensorthings.gate(app_client.app_state["city"])
    app_client.portal.call(turn.acquire)  # a query of someone else's, still running
    try:
        busy = app_client.get("/sensorthings/v1.1/Observations")
    finally:
        app_client.portal.call(turn.release)
    assert busy.status_code == 503 and busy.headers["retry-after"] == str(sensorthings.RETRY_AFTER_SECONDS)
    assert "try again" in busy.json()["message"]
    assert app_client.get("/sensorthings/v1.1/Observations").status_code == 200, "the turn was given back"


def test_orderby_puts_numbers_then_texts_then_nothing_and_keeps_ties_in_order():
    rows = [{"v": "b", "n": 1}, {"v": 2, "n": 2}, {}, {"v": "a", "n": 3}, {"v": 2.0, "n": 4}, {"v": -1, "n": 5}, {"v": None}]
    table = Table(rows)

    def order(keys: list[tuple[str, bool]]) -> list:
        return [rows[i].get("n") for i in table.ordered(matching(None, table, field), keys, field)]
    assert order([("v", False)]) == [5, 2, 4, 3, 1, None, None]
    assert order([("v", True), ("n", True)]) == [None, None, 1, 3, 4, 2, 5]


@pytest.mark.parametrize("path, params, words", [
    ("/Observations", {"$filter": "temperature gt 3"}, "$filter: Observations have no property 'temperature'"),
    ("/Observations", {"$filter": "Datastream/colour eq 'red'"}, "$filter: Datastreams have no property 'colour'"),
    ("/Things", {"$filter": "Datastreams/name eq 'x'"}, "$filter: Things have no property 'Datastreams/name'"),
    ("/Things", {"$orderby": "height desc"}, "$orderby: Things have no property 'height'"),
    ("/Things", {"$orderby": "name upward"}, "$orderby: cannot read 'name upward'"),
    ("/Things", {"$select": "name,height"}, "$select: Things have no property 'height'"),
    ("/Things", {"$expand": "Sensors"}, "$expand: Things have no navigation property 'Sensors'"),
    ("/Things", {"$expand": "Datastreams($top=x)"}, "$top must be a whole number"),
    ("/Things", {"$expand": "Datastreams($filter=colour eq 1)"}, "$filter: Datastreams have no property 'colour'"),
    ("/Things", {"$expand": "Datastreams($expand=Thing($top=1))"}, "$top does not apply here (only $select, $expand do)"),
    ("/Things", {"$expand": "Datastreams(($top=1)"}, "$expand: unclosed parenthesis"),
    ("/Things", {"$expand": "Datastreams)"}, "$expand: a ')' without its '('"),
    ("/Things", {"$expand": "Datastreams($top)"}, "cannot read the option '$top' of Datastreams"),
    ("/Things", {"$expand": "Datastreams($top=1;$top=2)"}, "$top is given twice for Datastreams"),
    ("/Things", {"$expand": "Datastreams/Thing/Datastreams/Thing"}, "$expand nests deeper than 3 levels"),
    ("/Things", {"$expand": "Locations" + ",Locations" * 400}, "$expand longer than 2000 characters"),
    ("/Datastreams", {"$expand": "Observations($top=0),Thing/Datastreams/Observations($top=0)"},
     "$expand would look through more than 20000 entities"),
    ("/Things", {"$expand": "Datastreams/Observations"}, "$expand would answer more than 1000 expanded entities"),
    ("/Datastreams", {"$expand": "Observations($top=1;$filter=" + comparisons(20) + ")"},
     "$expand would evaluate more than 1000 comparisons of nested filters"),
    ("/Things(1)", {"$filter": "id eq 1"}, "$filter does not apply here (only $select, $expand do)"),
    ("/Things(1)/name", {"$select": "name"}, "$select does not apply here (no query option does)"),
    ("/Things(1)/name", {"$search": "x"}, "unsupported query option $search"),
])
def test_unknown_names_and_unreadable_options_are_a_400_naming_them(app_client, path, params, words):
    response = app_client.get("/sensorthings/v1.1" + path, params=params)
    assert response.status_code == 400 and words in response.json()["message"], response.text[:300]


@pytest.mark.parametrize("path", ["/Nothing", "/Things(99)", "/Things(1)/Sensors", "/Things(1)/height",
                                  "/Things(x)", "/Datastreams(1)/Thing(1)", "/Things/Datastreams",
                                  "/Things(1)/name/$ref", "/HistoricalLocations(1)", "/Datastreams(1)/Observations(5)"])
def test_paths_that_name_nothing_are_a_404(app_client, path):
    response = app_client.get("/sensorthings/v1.1" + path)
    assert response.status_code == 404 and response.json()["message"], path


def test_select_expand_properties_values_and_references(app_client):
    base = "/sensorthings/v1.1"
    one = app_client.get(base + "/Things(1)", params={"$select": "id,name,Datastreams",
                                                      "$expand": "Datastreams/ObservedProperty($select=name)"}).json()
    assert set(one) == {"@iot.id", "name", "Datastreams@iot.navigationLink", "Datastreams"}
    assert one["Datastreams"][0]["ObservedProperty"] == {"name": "Congestion level"}
    paged = app_client.get(base + "/Things", params={"$top": "1", "$expand": "Datastreams($top=2;$count=true)"}).json()
    thing = paged["value"][0]
    assert len(thing["Datastreams"]) == 2 and thing["Datastreams@iot.count"] == 6
    rest = app_client.get(thing["Datastreams@iot.nextLink"]).json()["value"]
    assert [d["@iot.id"] for d in rest] == [3, 4]
    assert app_client.get(base + "/Things(1)/name").json() == {"name": "Seoul Plaza"}
    value = app_client.get(base + "/Things(1)/name/$value")
    assert value.text == "Seoul Plaza" and value.headers["content-type"].startswith("text/plain")
    refs = app_client.get(base + "/Datastreams(3)/Observations/$ref", params={"$top": "2", "$orderby": "id desc"}).json()
    assert all(set(r) == {"@iot.selfLink"} for r in refs["value"]) and refs["@iot.nextLink"]
    assert app_client.get(base + "/Datastreams(3)/Thing/$ref").json() == {
        "@iot.selfLink": "http://testserver/sensorthings/v1.1/Things(1)"}
    newest = app_client.get(base + "/Datastreams(3)/Observations", params={"$top": "1", "$orderby": "id DESC"}).json()
    ident = newest["value"][0]["@iot.id"]
    assert app_client.get(base + f"/Datastreams(3)/Observations({ident})/FeatureOfInterest").json()["@iot.id"] == 1


def test_links_follow_the_configured_public_url(tmp_path):
    from starlette.testclient import TestClient

    from metaseoul.backend.app import create_app

    with TestClient(create_app(tmp_path, public_url="https://city.example.org")) as client:
        root = client.get("/sensorthings/v1.1").json()
        assert root["value"][0]["url"] == "https://city.example.org/sensorthings/v1.1/Things"
        stream = client.get("/sensorthings/v1.1/Datastreams(2)").json()
        assert stream["Thing@iot.navigationLink"] == "https://city.example.org/sensorthings/v1.1/Datastreams(2)/Thing"


@pytest.mark.parametrize("text", ["ftp://city.example.org", "city.example.org", "https://", "https://x.org/?a=1"])
def test_a_public_url_that_is_no_web_address_is_refused(text):
    with pytest.raises(ValueError, match="--public-url must be an http or https address"):
        sensorthings.public_url(text)


def test_a_kept_table_keeps_a_bounded_number_of_columns(city):
    from metaseoul.backend.sensorfilter import KEPT_COLUMNS

    table = city.members("Observations")
    for i in range(KEPT_COLUMNS + 20):
        collection(city, table, {"$filter": f"Datastream/unitOfMeasurement/k{i} eq 'x'", "$top": "1"})
    assert len(table.columns) == KEPT_COLUMNS
    assert collection(city, table, {"$filter": "Datastream/unitOfMeasurement/symbol eq '°C'", "$count": "true",
                                    "$top": "0"})["@iot.count"] == 12 * STEPS
