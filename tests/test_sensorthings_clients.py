"""Third-party clients against a real ``metaseoul serve``: Fraunhofer's frost-sta-client pages, filters,
orders and expands through every entity set; and spec-driven requests (plain HTTP, following the
SensorThings 1.1 document) walk from the service root through every selfLink and navigationLink."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import frost_sta_client as fsc
import httpx
import pytest

from metaseoul.backend.citydata import SETS, STEP_SECONDS, STEPS
from metaseoul.backend.staquery import MAX_TOP

PATH = "/sensorthings/v1.1"
SPOTS, KINDS = 12, 6
DAOS = {"Things": "things", "Locations": "locations", "HistoricalLocations": "historical_locations",
        "Datastreams": "datastreams", "Sensors": "sensors", "ObservedProperties": "observed_properties",
        "Observations": "observations", "FeaturesOfInterest": "features_of_interest"}
EXPANSIONS = {  # every navigation property of each entity set, nested where a client would
    "Things": "Locations,HistoricalLocations,Datastreams($expand=ObservedProperty;$select=name)",
    "Locations": "Things($select=id,name),HistoricalLocations",
    "HistoricalLocations": "Thing,Locations",
    "Datastreams": "Thing/Locations,Sensor,ObservedProperty,Observations($top=3;$orderby=phenomenonTime desc)",
    "Sensors": "Datastreams($top=2)",
    "ObservedProperties": "Datastreams($select=name;$expand=Thing)",
    "Observations": "Datastream($select=id,unitOfMeasurement),FeatureOfInterest",
    "FeaturesOfInterest": "Observations($top=2;$count=true)",
}


def service(server) -> fsc.SensorThingsService:
    return fsc.SensorThingsService(server.url + PATH)


def all_ids(listing) -> list[int]:
    """The ids of every entity of a listing, following its nextLinks (as the library iterates)."""
    return [entity.id for entity in listing]


def during_one_step(collect):
    """What ``collect`` gathers, from within one 10-minute step (the observations move on with the
    step, so paging across a step change sees another window of the day): tried again if it spans one."""
    for _attempt in range(2):
        step = time.time() // STEP_SECONDS
        got = collect()
        if time.time() // STEP_SECONDS == step:
            return got
    pytest.fail("two step changes in a row while paging")


def test_frost_client_pages_through_all_observations(server):
    sta = service(server)
    count = httpx.get(server.url + PATH + "/Observations", params={"$top": "0", "$count": "true"}).json()["@iot.count"]
    ids = during_one_step(lambda: all_ids(sta.observations().query().list()))
    assert count == len(ids) == len(set(ids)) == SPOTS * KINDS * STEPS


def test_frost_client_is_paged_by_the_server_when_it_asks_for_more_than_the_maximum(server):
    def collect():
        listing = sta.observations().query().top(5 * MAX_TOP).orderby("result").list()
        first_page = len(listing.entities)
        results = [o.result for o in listing]
        return first_page, results
    sta = service(server)
    first_page, results = during_one_step(collect)
    assert first_page == MAX_TOP, "one page holds at most the maximum"
    assert len(results) == SPOTS * KINDS * STEPS and results == sorted(results, reverse=True)  # FROST sends "DESC"


@pytest.mark.parametrize("entity_set", list(SETS))
def test_frost_client_lists_filters_and_expands_every_entity_set(server, entity_set):
    sta = service(server)
    dao = getattr(sta, DAOS[entity_set])
    listing = dao().query().top(2).expand(EXPANSIONS[entity_set]).list()
    entities = listing.entities
    if entity_set == "HistoricalLocations":  # the hot spots do not move
        assert entities == []
        return
    assert len(entities) == 2 and all(e.self_link.startswith(server.url + PATH) for e in entities)
    first = entities[0]
    key = ("result", first.result) if entity_set == "Observations" else ("name", first.name)
    value = "'" + key[1].replace("'", "''") + "'" if isinstance(key[1], str) else key[1]
    matched = dao().query().filter(f"{key[0]} eq {value} and id eq {first.id}").list().entities
    assert [e.id for e in matched] == [first.id]
    assert dao().find(first.id).id == first.id


def test_frost_client_reads_expanded_and_navigated_entities(server):
    sta = service(server)
    plaza = sta.things().query().filter("name eq 'Seoul Plaza'").expand(EXPANSIONS["Things"]).list().entities[0]
    assert plaza.properties["scene"] == "city-hall"
    assert plaza.locations.entities[0].location["coordinates"][1] == pytest.approx(37.56556)
    streams = plaza.datastreams.entities
    assert len(streams) == KINDS and streams[0].observed_property.name == "Congestion level"
    assert streams[0].name == "Seoul Plaza: Congestion level" and streams[0].description is None, \
        "$select=name applies to the expanded Datastreams"
    stream = sta.datastreams().query().expand(EXPANSIONS["Datastreams"]).top(1).list().entities[0]
    assert stream.thing.name == "Seoul Plaza" and stream.thing.locations.entities
    assert stream.sensor.name and stream.unit_of_measurement.name == "level"
    newest = [o.phenomenon_time for o in stream.observations.entities]
    assert len(newest) == 3 and newest == sorted(newest, reverse=True)
    through = plaza.get_datastreams().query().orderby("name", "ASC").list().entities
    assert [s.name for s in through] == sorted(s.name for s in streams)
    observation = sta.observations().query().expand(EXPANSIONS["Observations"]).top(1).list().entities[0]
    assert observation.datastream.id == 1 and observation.feature_of_interest.name == "Seoul Plaza"


def test_frost_client_errors_name_the_unknown_property(server):
    with pytest.raises(Exception) as refused:
        service(server).observations().query().filter("temperature gt 3").list()
    assert "temperature" in str(refused.value) or "400" in str(refused.value)
    answer = httpx.get(server.url + PATH + "/Observations", params={"$filter": "temperature gt 3"})
    assert answer.status_code == 400 and "'temperature'" in answer.json()["message"]


# --- spec-driven: the SensorThings 1.1 document, plain HTTP ------------------------------------

def absolute(link: str, server) -> str:
    parts = urlsplit(link)
    assert parts.scheme == "http" and parts.netloc == urlsplit(server.url).netloc, f"{link} is not absolute"
    return link


def test_the_service_root_states_what_it_serves(server):
    root = httpx.get(server.url + PATH).json()
    assert {entry["name"] for entry in root["value"]} == set(SETS)
    for entry in root["value"]:
        assert httpx.get(absolute(entry["url"], server)).status_code == 200, entry
    conformance = root["serverSettings"]["conformance"]
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel" in conformance
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities" in conformance
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete" not in conformance, "read-only"
    subset = next(value for key, value in root["serverSettings"].items() if key != "conformance")
    assert subset["readOnly"] is True and "HistoricalLocations" in subset["alwaysEmpty"]


def test_every_self_link_and_navigation_link_resolves(server):
    with httpx.Client(timeout=30) as http:
        for entity_set in SETS:
            page = http.get(server.url + PATH + f"/{entity_set}", params={"$top": "2"}).json()
            for entity in page["value"]:
                again = http.get(absolute(entity["@iot.selfLink"], server))
                assert again.status_code == 200 and again.json()["@iot.id"] == entity["@iot.id"]
                links = {k: v for k, v in entity.items() if k.endswith("@iot.navigationLink")}
                assert {k.split("@")[0] for k in links} == set(SETS[entity_set].navigation)
                for name, link in links.items():
                    answer = http.get(absolute(link, server))
                    assert answer.status_code == 200, (name, link, answer.text[:200])
                    body = answer.json()
                    assert "value" in body if SETS[entity_set].navigation[name.split("@")[0]][1] else "@iot.id" in body


def test_next_links_are_absolute_and_lead_on(server):
    page = httpx.get(server.url + PATH + "/Datastreams(1)/Observations", params={"$top": "100"}).json()
    seen = [o["@iot.id"] for o in page["value"]]
    rest = httpx.get(absolute(page["@iot.nextLink"], server)).json()
    seen += [o["@iot.id"] for o in rest["value"]]
    assert "@iot.nextLink" not in rest and len(seen) == len(set(seen)) == STEPS


def test_links_use_the_public_url_behind_a_proxy(backend_process, monkeypatch):
    monkeypatch.setenv("METASEOUL_PUBLIC_URL", "https://city.example.org/seoul/")
    running = backend_process.start()
    page = httpx.get(running.url + PATH + "/Things", params={"$top": "1"}).json()
    assert page["value"][0]["@iot.selfLink"] == "https://city.example.org/seoul/sensorthings/v1.1/Things(1)"
    assert page["@iot.nextLink"].startswith("https://city.example.org/seoul/sensorthings/v1.1/Things?")


def test_serve_refuses_a_public_url_that_is_no_web_address(tmp_path):
    refused = subprocess.run([sys.executable, "-m", "metaseoul", "serve", "--data", str(tmp_path / "data"),
                              "--public-url", "ftp://city.example.org"], capture_output=True, text=True, timeout=60,
                             check=False, env=dict(os.environ, METASEOUL_LANG="en"))
    assert refused.returncode != 0 and "--public-url must be an http or https address" in refused.stderr
    assert "Traceback" not in refused.stderr
