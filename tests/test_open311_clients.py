"""Open311 as a third-party client reads it: the ``georeport`` library (PyPI) against a real
``metaseoul serve``, in JSON and in XML, GeoReport v2's base format.

georeport 0.3.1 lists services, reads a definition and reads requests, all or one; it has no call
that files a request, so filing is done here as the spec describes it: a form-encoded POST to
requests.[format] with api_key and jurisdiction_id, sent with ``requests`` and read with
``xmltodict``, the libraries georeport itself uses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
import xmltodict
from georeport import GeoReport
from realtime_helpers import guest_token

JURISDICTION = "seoul.go.kr"
FORM = {"service_code": "illegal-parking", "lat": "37.5663", "long": "126.9779", "description": "Blocking the ramp",
        "jurisdiction_id": JURISDICTION, "attribute[blocking][]": ["crossing", "hydrant"],
        "attribute[vehicles]": "2", "attribute[scene_id]": "city-hall", "attribute[x]": "-12.5",
        "media_url": "https://example.org/photos/car.jpg"}


def file_request(root: str, form: str, fields: dict) -> requests.Response:
    """POST requests.[form] as GeoReport v2 has it: form-encoded, UTF-8."""
    return requests.post(f"{root}/requests.{form}", data=fields, timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


def filed_id(answer: requests.Response, form: str) -> str:
    if form == "json":
        return answer.json()[0]["service_request_id"]
    return xmltodict.parse(answer.content)["service_requests"]["request"]["service_request_id"]


@pytest.mark.parametrize("form", ["json", "xml"])
def test_georeport_lists_defines_files_and_reads(server, form):
    root, token = server.url + "/open311/v2", guest_token(server)
    client = GeoReport(root, jurisdiction=JURISDICTION, api_key=token, output_format=form)
    listed = client.get_service_list()
    assert {s["service_code"] for s in listed} >= {"noise", "illegal-parking", "street-light"}
    assert {s["metadata"] for s in listed} == ({True} if form == "json" else {"true"})
    definition = client.get_service_definition("illegal-parking")
    attributes = definition["attributes"] if form == "json" else definition["attributes"]["attribute"]
    blocking = next(a for a in attributes if a["code"] == "blocking")
    assert blocking["datatype"] == "multivaluelist"
    keys = [v["key"] for v in (blocking["values"] if form == "json" else blocking["values"]["value"])]
    assert {"crossing", "hydrant"} <= set(keys)

    answer = file_request(root, form, FORM | {"api_key": client.api_key})
    assert answer.status_code == 201, answer.text
    ident = filed_id(answer, form)
    one = client.get_service_request(ident)
    assert (one["service_request_id"], one["status"], one["media_url"]) == (ident, "open", FORM["media_url"])
    if form == "json":
        assert one["attributes"] == {"scene_id": "city-hall", "x": -12.5, "blocking": ["crossing", "hydrant"],
                                     "vehicles": 2.0}
        assert one["lat"] == 37.5663
    else:
        shown = {a["code"]: a["value"] for a in one["attributes"]["attribute"]}
        assert shown == {"scene_id": "city-hall", "x": "-12.5", "blocking": ["crossing", "hydrant"], "vehicles": "2.0"}
        assert one["lat"] == "37.5663"
    found = client.get_service_requests(service_code="illegal-parking", status="open")
    assert ident in [r["service_request_id"] for r in (found if isinstance(found, list) else [found])]


@pytest.mark.parametrize("form", ["json", "xml"])
def test_a_request_without_a_usable_api_key_is_refused_as_the_spec_says(server, form):
    root = server.url + "/open311/v2"
    for fields in (FORM, FORM | {"api_key": "not-a-key"}):
        answer = file_request(root, form, fields)
        assert answer.status_code == 403
        errors = answer.json() if form == "json" else xmltodict.parse(answer.content)["errors"]["error"]
        error = errors[0] if form == "json" else errors
        assert int(error["code"]) == 403 and "api_key" in error["description"]
    assert requests.get(f"{root}/requests.json", timeout=10).json() == [], "nothing filed"


def test_requests_xml_is_georeport_v2_xml(server):
    """The acceptance check: GET requests.xml answers GeoReport v2 XML, the same requests as the JSON."""
    root = server.url + "/open311/v2"
    filed = file_request(root, "json", FORM | {"api_key": guest_token(server), "description": "<b>&</b> 신고"})
    answer = requests.get(f"{root}/requests.xml", timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/xml; charset=utf-8"
    assert answer.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    tree = ET.fromstring(answer.content)
    [request] = tree.findall("request")
    assert tree.tag == "service_requests" and request.findtext("description") == "<b>&</b> 신고"
    [as_json] = requests.get(f"{root}/requests.json", timeout=10).json()
    for name in ("service_request_id", "status", "service_code", "service_name", "requested_datetime",
                 "updated_datetime", "media_url"):
        assert request.findtext(name) == as_json[name], name
    assert float(request.findtext("long")) == as_json["long"]
    assert as_json["service_request_id"] == filed.json()[0]["service_request_id"]
    missing = requests.get(f"{root}/services/dragons.xml", timeout=10)
    error = ET.fromstring(missing.content).find("error")
    assert missing.status_code == 404 and error.findtext("code") == "404" and "dragons" in error.findtext("description")
