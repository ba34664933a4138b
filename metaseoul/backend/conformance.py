"""``metaseoul check-backend``: does a city backend keep the contract?

Reads the backend's discovery document, then runs the checks of every capability it advertises:
answers against the contract's schemas, required endpoints, Open311 semantics, SensorThings query
options, rejection of bad tokens and bad input, and, with ``--write``, the checks that create data
(complaint idempotency, booking races, two realtime clients). Exit 0 only if every check passes.
"""

from __future__ import annotations

import json
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from importlib import resources
from urllib.parse import urlsplit

import httpx
import jsonschema

WRITING = "writes"
LOGIN_ATTEMPTS = 10  # wrong passwords the login throttle check sends before it expects a 429
RACERS = 2  # citizens racing for a slot: registrations are rate-limited, and each holds a few bookings at most
WRONG_VALUES = {"number": "not-a-number", "datetime": "yesterday", "singlevaluelist": "no-such-key-of-metaseoul",
                "multivaluelist": "no-such-key-of-metaseoul"}  # a value of no GeoReport v2 datatype it names


def xml_answer(answer: httpx.Response, root: str, status: int = 200) -> ET.Element:
    """The root element of a GeoReport v2 XML answer: UTF-8 with its declaration, no DOCTYPE (so
    no entities to expand), well-formed, with ``status`` and the root element ``root``."""
    assert answer.status_code == status, f"{answer.url.path} answered {answer.status_code}, not {status}"
    kind = answer.headers.get("content-type", "").split(";")[0].strip()
    assert kind in ("text/xml", "application/xml"), f"{answer.url.path} answered {kind!r}, not text/xml"
    assert answer.content.lstrip().startswith(b"<?xml"), f"{answer.url.path} has no XML declaration"
    assert b"<!DOCTYPE" not in answer.content, f"{answer.url.path} has a DOCTYPE"
    try:
        element = ET.fromstring(answer.content)
    except ET.ParseError as exc:
        raise AssertionError(f"{answer.url.path} is not well-formed XML: {exc}") from None
    assert element.tag == root, f"{answer.url.path} has the root element {element.tag!r}, not {root!r}"
    return element


STA_CLASSES = "http://www.opengis.net/spec/iot_sensing/1.1/req/"
STA_NAVIGATION = {  # SensorThings 1.1's entity sets and the navigation properties their entities have
    "Things": {"Locations", "HistoricalLocations", "Datastreams"}, "Locations": {"Things", "HistoricalLocations"},
    "HistoricalLocations": {"Thing", "Locations"}, "Datastreams": {"Thing", "Sensor", "ObservedProperty", "Observations"},
    "Sensors": {"Datastreams"}, "ObservedProperties": {"Datastreams"}, "Observations": {"Datastream", "FeatureOfInterest"},
    "FeaturesOfInterest": {"Observations"}}


def absolute(link: str) -> str:
    """SensorThings links are absolute URLs (clients such as frost-sta-client cannot follow a path)."""
    parts = urlsplit(link)
    assert parts.scheme in ("http", "https") and parts.netloc, f"{link[:100]!r} is not an absolute URL"
    return link


def retry_after(answer: httpx.Response) -> None:
    """A 429 must say when to try again, in whole seconds."""
    value = answer.headers.get("retry-after", "")
    assert value.isdigit() and int(value) > 0, f"a 429 came with Retry-After {value!r}, not a number of seconds"


@dataclass
class Result:
    capability: str
    check: str
    passed: bool
    detail: str = ""


def contract(name: str = "openapi.json") -> dict:
    return json.loads((resources.files("metaseoul.backend") / "contract" / name).read_text("utf-8"))


def server_frames(asyncapi: dict) -> dict[str, str]:
    """Frame type → payload schema name, for every frame the AsyncAPI document says a backend sends."""
    components = asyncapi["components"]
    kinds = {}
    for ref in asyncapi["operations"]["sendToClient"]["messages"]:
        schema = components["messages"][ref["$ref"].rsplit("/", 1)[1]]["payload"]["$ref"].rsplit("/", 1)[1]
        kinds[components["schemas"][schema]["properties"]["type"]["const"]] = schema
    return kinds


def frame_conforms(message: dict, asyncapi: dict) -> None:
    """Raise jsonschema.ValidationError unless ``message`` is a frame the realtime contract allows."""
    schema = server_frames(asyncapi).get(message.get("type"))
    if schema is None:
        raise jsonschema.ValidationError(f"frame type {message.get('type')!r} is not in the realtime contract")
    jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": asyncapi["components"]}
                                    ).validate(message)


class Checker:
    def __init__(self, url: str, write: bool = False, moderator: str | None = None, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.write = write
        self.moderator = moderator  # "NAME:PASSWORD" of a moderator account, for the moderation checks
        self.http = httpx.Client(timeout=timeout)
        self.schemas = contract()["components"]
        self.results: list[Result] = []
        self.discovery: dict = {}

    # --- helpers -----------------------------------------------------------------------------
    def conforms(self, value, schema: str) -> None:
        jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": self.schemas},
                                        format_checker=jsonschema.FormatChecker()).validate(value)

    def endpoint(self, name: str, default: str) -> str:
        return self.url + self.discovery.get("endpoints", {}).get(name, default)

    def run(self, capability: str, name: str, check: Callable[[], None], writes: bool = False) -> None:
        if writes and not self.write:
            self.results.append(Result(capability, name, True, "skipped: needs --write"))
            return
        try:
            check()
        except (AssertionError, jsonschema.ValidationError, httpx.HTTPError, ValueError, KeyError,
                IndexError, TypeError) as exc:
            message = exc.message if isinstance(exc, jsonschema.ValidationError) else str(exc)
            self.results.append(Result(capability, name, False, (message or type(exc).__name__)[:300]))
        else:
            self.results.append(Result(capability, name, True))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.http.get(url, **kwargs)

    # --- the checks --------------------------------------------------------------------------
    def check_all(self) -> list[Result]:
        def discovery():
            answer = self.get(self.url + "/.well-known/metaseoul")
            assert answer.status_code == 200, f"discovery answered {answer.status_code}"
            self.discovery = answer.json()
            self.conforms(self.discovery, "Discovery")

        self.run("discovery", "discovery document", discovery)
        if not self.results[-1].passed:
            return self.results
        self.run("discovery", "errors are JSON and a 405 allows every method of its path", self.errors)
        offered = set(self.discovery["capabilities"])
        for capability, checks in (("accounts", self.accounts), ("complaints", self.complaints),
                                   ("city-data", self.city_data), ("reservations", self.reservations),
                                   ("content", self.content), ("realtime", self.realtime),
                                   ("moderation", self.moderation)):
            if capability in offered:
                checks()
        return self.results

    def errors(self) -> None:
        """What the router answers by itself keeps the contract too: JSON, and an Allow naming every method."""
        self.json_error("GET", self.url + "/metaseoul-conformance-nothing-here", 404)
        self.allows("DELETE", self.url + "/.well-known/metaseoul", {"GET"})
        if "reservations" in self.discovery.get("capabilities", []):
            self.allows("PUT", self.endpoint("reservations", "/reservations/v1") + "/bookings", {"GET", "POST"})

    def json_error(self, method: str, url: str, status: int) -> httpx.Response:
        answer = self.http.request(method, url)
        assert answer.status_code == status, f"{method} {url} answered {answer.status_code}, not {status}"
        kind = answer.headers.get("content-type", "").split(";")[0]
        assert kind == "application/json", f"{method} {url} answered {kind!r}, not JSON"
        answer.json()
        return answer

    def allows(self, method: str, url: str, methods: set[str]) -> None:
        """``method`` on ``url`` is a JSON 405 whose Allow holds at least ``methods``."""
        allow = self.json_error(method, url, 405).headers.get("allow", "")
        missing = methods - {m.strip() for m in allow.split(",")}
        assert not missing, f"{method} {url}: Allow {allow!r} leaves out {', '.join(sorted(missing))}"

    def guest(self) -> dict:
        answer = self.http.post(self.endpoint("auth", "/auth") + "/guest")
        assert answer.status_code == 201, f"guest session answered {answer.status_code}"
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def accounts(self) -> None:
        self.run("accounts", "guest session token", lambda: self.conforms(
            self.http.post(self.endpoint("auth", "/auth") + "/guest").json(), "Token"))

        def bad_tokens():
            for header in ({}, {"Authorization": "Bearer not-a-token"}):
                answer = self.get(self.endpoint("reservations", "/reservations/v1") + "/bookings", headers=header)
                assert answer.status_code == 401, f"a bad token got {answer.status_code}, not 401"
        self.run("accounts", "bad tokens rejected", bad_tokens)
        self.run("accounts", "repeated wrong passwords answered 429 with Retry-After", self.login_throttled,
                 writes=True)

    def citizen(self) -> tuple[dict, dict]:
        """A throwaway registered account: its credentials and the Authorization header of its token."""
        credentials = {"name": f"conformance-{uuid.uuid4().hex[:10]}", "password": uuid.uuid4().hex}
        answer = self.http.post(self.endpoint("auth", "/auth") + "/register", json=credentials)
        assert answer.status_code == 201, f"registering a throwaway account answered {answer.status_code}"
        token = self.http.post(self.endpoint("auth", "/auth") + "/token", json=credentials)
        assert token.status_code == 200, f"signing in a new account answered {token.status_code}"
        return credentials, {"Authorization": f"Bearer {token.json()['access_token']}"}

    def login_throttled(self) -> None:
        """Guessing one account's password is slowed down: after a few failures it answers 429 with
        Retry-After (integer seconds), and so does the right password until then."""
        credentials, _headers = self.citizen()
        url = self.endpoint("auth", "/auth") + "/token"
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            answer = self.http.post(url, json=credentials | {"password": "wrong-" + uuid.uuid4().hex})
            if answer.status_code == 429:
                break
            assert answer.status_code == 401, f"wrong password {attempt} got {answer.status_code}, not 401 or 429"
        else:
            raise AssertionError(f"{LOGIN_ATTEMPTS} wrong passwords in a row and never a 429")
        retry_after(answer)
        right = self.http.post(url, json=credentials)
        assert right.status_code == 429, f"the right password during the lock-out got {right.status_code}, not 429"
        retry_after(right)

    def complaints(self) -> None:
        base = self.endpoint("open311", "/open311/v2")
        state: dict = {}

        def services():
            listing = self.get(base + "/services.json").json()
            assert listing, "no services"
            for service in listing:
                self.conforms(service, "Service")
            state["code"] = listing[0]["service_code"]
            state["definitions"] = {s["service_code"]: self.get(base + f"/services/{s['service_code']}.json").json()
                                    for s in listing}
            for definition in state["definitions"].values():
                self.conforms(definition, "ServiceDefinition")
        self.run("complaints", "services and definitions", services)
        self.run("complaints", "XML answers (services, a definition, requests, errors) parse and match the JSON",
                 lambda: self.open311_xml(base, state))
        self.run("complaints", "an unknown jurisdiction_id refused (400 or 404)", lambda: self.jurisdiction(base))

        def bad_input():
            answer = self.http.post(base + "/requests.json", data={"service_code": "no-such-service-" + uuid.uuid4().hex,
                                                                   "api_key": self.open311_key(state)})
            assert answer.status_code == 400, f"an unknown service got {answer.status_code}, not 400"
            assert answer.json()[0]["description"], "the Open311 error has no description"
            big = self.http.post(base + "/requests.json", content=b"x" * 200_000,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
            assert big.status_code in (400, 413), f"an oversized request got {big.status_code}"
        self.run("complaints", "malformed and oversized input refused", bad_input)

        def idempotent():
            key = uuid.uuid4().hex
            form = self.complaint(state, "metaseoul conformance check") | {"attribute[scene_id]": "city-hall"}
            first = self.http.post(base + "/requests.json", data=form, headers={"Idempotency-Key": key})
            again = self.http.post(base + "/requests.json", data=form, headers={"Idempotency-Key": key})
            assert (first.status_code, again.status_code) == (201, 200), \
                f"a submission and its retry got {first.status_code} and {again.status_code}, not 201 and 200"
            self.conforms(first.json(), "Submitted")
            ident = first.json()[0]["service_request_id"]
            assert again.json()[0]["service_request_id"] == ident, "a retry with the same key made a second request"
            stored = self.get(base + f"/requests/{ident}.json").json()
            self.conforms(stored[0], "Request")
            assert stored[0]["attributes"].get("scene_id") == "city-hall", "the in-world spot was not kept"
        self.run("complaints", "submission is idempotent and readable", idempotent, writes=True)
        self.run("complaints", "empty and malformed Idempotency-Key refused",
                 lambda: self.malformed_keys(base, state), writes=True)
        self.run("complaints", "an Idempotency-Key reused with another body refused (409)",
                 lambda: self.key_reused(base, state), writes=True)
        self.run("complaints", "a submission without a usable api_key refused (403)",
                 lambda: self.api_key_refused(base, state), writes=True)
        self.run("complaints", "attribute values held to their datatypes and returned in them",
                 lambda: self.attribute_types(base, state), writes=True)
        self.run("complaints", "media_url kept, a non-http one and another jurisdiction refused",
                 lambda: self.media_and_jurisdiction(base, state), writes=True)

    def open311_key(self, state: dict) -> str:
        """The api_key complaints are filed with: a guest session's bearer token, asked for once."""
        if "key" not in state:
            state["key"] = self.guest()["Authorization"].split(" ", 1)[1]
        return state["key"]

    def complaint(self, state: dict, description: str) -> dict:
        return {"service_code": state["code"], "lat": "37.56556", "long": "126.97806", "description": description,
                "api_key": self.open311_key(state)}

    def malformed_keys(self, base: str, state: dict) -> None:
        for shown, key in (("an empty key", b""), ("a key of 256 characters", b"k" * 256),
                           ("a key outside printable ASCII", "ключ-é".encode())):
            answer = self.http.post(base + "/requests.json", data=self.complaint(state, "conformance check"),
                                    headers={"Idempotency-Key": key})
            assert answer.status_code == 400, f"{shown} got {answer.status_code}, not 400"
            assert answer.json()[0]["description"], "the Open311 error has no description"

    def key_reused(self, base: str, state: dict) -> None:
        key, other = uuid.uuid4().hex, f"conformance check, another body {uuid.uuid4().hex}"
        first = self.http.post(base + "/requests.json", data=self.complaint(state, "conformance check"),
                               headers={"Idempotency-Key": key})
        assert first.status_code == 201, f"a new key got {first.status_code}, not 201"
        ident = first.json()[0]["service_request_id"]
        changed = self.http.post(base + "/requests.json", data=self.complaint(state, other),
                                 headers={"Idempotency-Key": key})
        assert changed.status_code == 409, f"the key reused with another body got {changed.status_code}, not 409"
        same = self.http.post(base + "/requests.json", data=self.complaint(state, "conformance check"),
                              headers={"Idempotency-Key": key})
        assert same.status_code == 200, f"the key reused with the same body got {same.status_code}, not 200"
        assert same.json()[0]["service_request_id"] == ident, "the same key and body gave another request"
        stored = self.get(base + f"/requests/{ident}.json").json()[0]
        assert stored["description"] == "conformance check", "the first request was changed by the second"
        self.not_filed(base, state, other)

    def not_filed(self, base: str, state: dict, description: str) -> None:
        listed = self.get(base + "/requests.json", params={"service_code": state["code"]}).json()
        assert all(r["description"] != description for r in listed), f"{description!r} was filed all the same"

    def open311_xml(self, base: str, state: dict) -> None:
        """GeoReport v2's base format: each endpoint's XML says what its JSON says."""
        codes = [s.findtext("service_code") for s in xml_answer(self.get(base + "/services.xml"), "services")]
        assert codes == list(state["definitions"]), f"services.xml lists {codes}, services.json {list(state['definitions'])}"
        code = state["code"]
        definition = xml_answer(self.get(base + f"/services/{code}.xml"), "service_definition")
        shown = [(a.findtext("code"), a.findtext("datatype")) for a in definition.iter("attribute")]
        expected = [(a["code"], a["datatype"]) for a in state["definitions"][code]["attributes"]]
        assert shown == expected, f"services/{code}.xml defines {shown}, the JSON {expected}"
        idents = [r["service_request_id"] for r in self.get(base + "/requests.json").json()[:5]]
        listed = xml_answer(self.get(base + "/requests.xml", params={"service_request_id": ",".join(idents)}
                                     if idents else None), "service_requests")
        found = [r.findtext("service_request_id") for r in listed.iter("request")]
        assert sorted(found) == sorted(idents), f"requests.xml gives {found}, requests.json {idents}"
        error = xml_answer(self.get(base + f"/services/no-such-service-{uuid.uuid4().hex}.xml"), "errors", 404)
        assert error.findtext("error/code") and error.findtext("error/description"), "the XML error has no code or description"

    def jurisdiction(self, base: str) -> None:
        answer = self.get(base + "/services.json", params={"jurisdiction_id": "no-such-jurisdiction.invalid"})
        assert answer.status_code in (400, 404), f"an unknown jurisdiction_id got {answer.status_code}, not 400 or 404"
        assert answer.json()[0]["description"], "the Open311 error has no description"

    def api_key_refused(self, base: str, state: dict) -> None:
        for shown, key in (("without an api_key", None), ("with an unknown api_key", "not-a-key-" + uuid.uuid4().hex)):
            description = f"conformance check {shown} {uuid.uuid4().hex}"
            form = {k: v for k, v in (self.complaint(state, description) | {"api_key": key}).items() if v is not None}
            answer = self.http.post(base + "/requests.json", data=form)
            assert answer.status_code == 403, f"a submission {shown} got {answer.status_code}, not 403"
            assert answer.json()[0]["description"], "the Open311 error has no description"
            self.not_filed(base, state, description)

    def attribute_types(self, base: str, state: dict) -> None:
        """Every datatype the definitions use refuses a value not of it; a number comes back a number."""
        for code, definition in state["definitions"].items():
            form = self.complaint(state, "conformance check") | {"service_code": code}
            for attribute in definition["attributes"]:
                wrong = WRONG_VALUES.get(attribute["datatype"])
                if wrong:
                    name = f"attribute[{attribute['code']}]" + ("[]" if attribute["datatype"] == "multivaluelist" else "")
                    answer = self.http.post(base + "/requests.json", data=form | {name: wrong})
                    assert answer.status_code == 400, f"{code}: {name}={wrong} got {answer.status_code}, not 400"
        form = self.complaint(state, "conformance check") | {"attribute[x]": "12.5"}
        answer = self.http.post(base + "/requests.json", data=form)
        assert answer.status_code == 201, f"attribute[x]=12.5 got {answer.status_code}, not 201"
        stored = self.get(base + f"/requests/{answer.json()[0]['service_request_id']}.json").json()[0]
        assert stored["attributes"].get("x") == 12.5, f"attribute[x]=12.5 came back as {stored['attributes'].get('x')!r}"

    def media_and_jurisdiction(self, base: str, state: dict) -> None:
        url = f"https://example.org/metaseoul-conformance-{uuid.uuid4().hex}.jpg"
        answer = self.http.post(base + "/requests.json", data=self.complaint(state, "conformance check") | {"media_url": url})
        assert answer.status_code == 201, f"a complaint with a media_url got {answer.status_code}, not 201"
        stored = self.get(base + f"/requests/{answer.json()[0]['service_request_id']}.json").json()[0]
        assert stored.get("media_url") == url, f"media_url came back as {stored.get('media_url')!r}"
        for field, value, allowed in (("media_url", "javascript:alert(1)", (400,)),
                                      ("jurisdiction_id", "no-such-jurisdiction.invalid", (400, 404))):
            answer = self.http.post(base + "/requests.json", data=self.complaint(state, "conformance check") | {field: value})
            assert answer.status_code in allowed, f"{field}={value} got {answer.status_code}, not {allowed}"

    def city_data(self) -> None:
        base = self.endpoint("sensorthings", "/sensorthings/v1.1")
        for name, check in (("service root: every entity set and serverSettings.conformance", self.sta_root),
                            ("Things, $top, $count and absolute self and next links", self.sta_paging),
                            ("$filter, $orderby and bad options", self.sta_filters),
                            ("$orderby direction in any case (asc, ASC, Asc)", self.sta_orderby_case),
                            ("$top over the maximum paged by the server, not refused", self.sta_server_paging),
                            ("every navigationLink of every entity set resolves", self.sta_navigation),
                            ("$select and nested $expand", self.sta_select_expand),
                            ("unknown properties in $filter, $orderby and $select refused (400)", self.sta_unknown)):
            self.run("city-data", name, lambda check=check: check(base))

    def sta_root(self, base: str) -> None:
        root = self.get(base).json()
        missing = set(STA_NAVIGATION) - {entry["name"] for entry in root["value"]}
        assert not missing, f"the service root lacks {sorted(missing)}"
        for entry in root["value"]:
            absolute(entry["url"])
        conformance = root.get("serverSettings", {}).get("conformance")
        assert isinstance(conformance, list), "the service root has no serverSettings.conformance list (STA 1.1)"
        for needed in ("datamodel", "resource-path/resource-path-to-entities"):
            assert STA_CLASSES + needed in conformance, f"serverSettings.conformance lacks {STA_CLASSES + needed}"

    def sta_paging(self, base: str) -> None:
        page = self.get(base + "/Things", params={"$count": "true", "$top": "2"}).json()
        self.conforms(page, "EntityPage")
        assert page["@iot.count"] >= 10, "fewer than 10 hot spots"
        assert len(page["value"]) == 2 and "@iot.nextLink" in page, "$top or nextLink not honoured"
        for thing in page["value"]:
            again = self.get(absolute(thing["@iot.selfLink"])).json()
            assert again["@iot.id"] == thing["@iot.id"], f"{thing['@iot.selfLink']} is another entity"
        nxt = self.get(absolute(page["@iot.nextLink"])).json()
        assert nxt["value"] and nxt["value"][0]["@iot.id"] != page["value"][0]["@iot.id"], "nextLink repeats"

    def sta_filters(self, base: str) -> None:
        stream = self.get(base + "/Datastreams", params={"$top": "1"}).json()["value"][0]["@iot.id"]
        rows = self.get(base + f"/Datastreams({stream})/Observations", params={"$top": "1000"}).json()["value"]
        assert rows, "no observations"
        for row in rows[:5]:
            self.conforms(row, "Observation")
        middle = sorted(r["result"] for r in rows)[len(rows) // 2]
        picked = self.get(base + f"/Datastreams({stream})/Observations",
                          params={"$filter": f"result gt {middle}", "$top": "1000"}).json()["value"]
        assert all(r["result"] > middle for r in picked), "$filter on result not honoured"
        ordered = self.get(base + f"/Datastreams({stream})/Observations",
                           params={"$orderby": "phenomenonTime desc", "$top": "3"}).json()["value"]
        stamps = [r["phenomenonTime"] for r in ordered]
        assert stamps == sorted(stamps, reverse=True), "$orderby not honoured"
        bad = self.get(base + "/Things", params={"$filter": "name zz 1"})
        assert bad.status_code == 400, f"a broken $filter got {bad.status_code}, not 400"

    def sta_orderby_case(self, base: str) -> None:
        """Clients spell the direction as they like: FROST's sends "DESC" unless told otherwise."""
        names = {}
        for direction in ("asc", "ASC", "Asc", "DESC"):
            answer = self.get(base + "/Things", params={"$orderby": f"name {direction}", "$top": "100"})
            assert answer.status_code == 200, f"$orderby=name {direction} got {answer.status_code}"
            names[direction] = [t["name"] for t in answer.json()["value"]]
        assert names["asc"] == names["ASC"] == names["Asc"] == sorted(names["asc"]), "asc in another case differs"
        assert names["DESC"] == names["asc"][::-1], "$orderby=name DESC is not the reverse order"

    def sta_server_paging(self, base: str) -> None:
        """A $top larger than the backend serves at once is answered with a page and a nextLink."""
        answer = self.get(base + "/Observations", params={"$top": "1000000", "$count": "true"})
        assert answer.status_code == 200, f"$top=1000000 got {answer.status_code}, not a page"
        page = answer.json()
        if len(page["value"]) < page["@iot.count"]:
            assert "@iot.nextLink" in page, "a page short of $top and of the count has no nextLink"
            ids = {o["@iot.id"] for o in page["value"]}
            rest = self.get(absolute(page["@iot.nextLink"])).json()["value"]
            assert rest and rest[0]["@iot.id"] not in ids, "the nextLink repeats the first page"

    def sta_navigation(self, base: str) -> None:
        for name, navigation in STA_NAVIGATION.items():
            found = self.get(base + f"/{name}", params={"$top": "1"}).json()["value"]
            if not found:  # HistoricalLocations of things that never move
                continue
            links = {k.split("@")[0]: v for k, v in found[0].items() if k.endswith("@iot.navigationLink")}
            assert navigation <= set(links), f"{name} lack navigation links {sorted(navigation - set(links))}"
            for link in links.values():
                answer = self.get(absolute(link))
                assert answer.status_code == 200, f"{link} answered {answer.status_code}"
                body = answer.json()
                assert "value" in body or "@iot.id" in body, f"{link} is neither a collection nor an entity"

    def sta_select_expand(self, base: str) -> None:
        page = self.get(base + "/Things", params={"$top": "1", "$select": "name", "$expand":
                                                  "Datastreams($expand=ObservedProperty;$select=name)"})
        assert page.status_code == 200, f"$select with a nested $expand got {page.status_code}"
        thing = page.json()["value"][0]
        assert "name" in thing and "description" not in thing, "$select=name not honoured"
        assert thing["Datastreams"], "the Datastreams were not expanded"
        for stream in thing["Datastreams"]:
            assert "name" in stream and "description" not in stream, "the nested $select=name not honoured"
            assert stream["ObservedProperty"]["name"], "the nested $expand=ObservedProperty not honoured"

    def sta_unknown(self, base: str) -> None:
        """A misspelt property is an error, not an empty answer that looks like no data."""
        for option, value in (("$filter", "noSuchProperty eq 1"), ("$orderby", "noSuchProperty"),
                              ("$select", "noSuchProperty")):
            answer = self.get(base + "/Things", params={option: value})
            assert answer.status_code == 400, f"{option}={value} got {answer.status_code}, not 400"

    def reservations(self) -> None:
        base = self.endpoint("reservations", "/reservations/v1")
        day = (date.today() + timedelta(days=400)).isoformat()  # far enough to be empty
        state: dict = {}

        def slots():
            services = self.get(base + "/services").json()
            assert services, "nothing to reserve"
            free = []
            for service in services:
                found = self.get(base + f"/services/{service['code']}/slots", params={"date": day}).json()
                for slot in found:
                    self.conforms(slot, "Slot")
                free += [s for s in found if s["remaining"] > 0]
            assert free, "no free slot"
            state["slot"] = min(free, key=lambda s: s["remaining"])  # the race needs few people: each books few
        self.run("reservations", "services and slots", slots)

        def race():
            """A guest is refused; two citizens send more requests at once than there are places."""
            slot = state["slot"]
            by_guest = self.http.post(base + "/bookings", json={"slot_id": slot["slot_id"]}, headers=self.guest())
            assert by_guest.status_code == 403, f"a guest booking got {by_guest.status_code}, not 403"
            people = [self.citizen()[1] for _ in range(RACERS)]
            tries = [people[i % RACERS] for i in range(slot["remaining"] + 5)]
            with ThreadPoolExecutor(max_workers=len(tries)) as pool:
                codes = list(pool.map(lambda h: self.http.post(base + "/bookings", json={"slot_id": slot["slot_id"]},
                                                               headers=h).status_code, tries))
            assert codes.count(201) == slot["remaining"], f"{codes.count(201)} bookings for {slot['remaining']} places"
            assert codes.count(409) == len(tries) - slot["remaining"], f"the overflow got {codes}, not 409s"
        self.run("reservations", "guests cannot book; concurrent bookings never overbook", race, writes=True)

    def content(self) -> None:
        def catalogue():
            import hashlib

            listing = self.get(self.endpoint("content", "/content/v1") + "/scenes").json()
            assert listing, "no scenes"
            for entry in listing:
                self.conforms(entry, "SceneEntry")
            entry = listing[0]
            data = self.get(self.url + entry["url"] if entry["url"].startswith("/") else entry["url"]).content
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], "the download does not match its sha256"
        self.run("content", "catalogue and downloads", catalogue)

    def realtime(self) -> None:
        from websockets.sync.client import connect

        url = self.endpoint("realtime", "/realtime/v1").replace("http", "ws", 1)
        asyncapi = contract("asyncapi.json")

        def receive(socket, kind: str, timeout: float = 5.0) -> dict:
            """The next frame of ``kind``; every frame on the way must keep the contract."""
            deadline = time.monotonic() + timeout
            while True:
                message = json.loads(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
                frame_conforms(message, asyncapi)
                if message.get("type") == kind:
                    return message

        def join(socket, scene: str, name: str, **extra) -> dict:
            token = extra.pop("token", None) or self.guest()["Authorization"].split(" ", 1)[1]
            socket.send(json.dumps({"type": "hello", "token": token, "scene": scene, "name": name, **extra}))
            return receive(socket, "welcome") | {"token": token}

        def bad_token():
            with connect(url, open_timeout=10) as socket:
                socket.send(json.dumps({"type": "hello", "token": "not-a-token", "scene": "city-hall"}))
                assert receive(socket, "error")["code"] == 401, "a bad token was not refused"
        self.run("realtime", "bad token refused on connect", bad_token)

        def two_clients():
            scene = "conformance-" + uuid.uuid4().hex[:8]
            with connect(url, open_timeout=10) as a, connect(url, open_timeout=10) as b:
                join(a, scene, "A")
                join(b, scene, "B")
                assert receive(a, "presence")["joined"], "no presence"
                a.send(json.dumps({"type": "pose", "p": [1.0, 2.0, 0.0], "h": 90}))
                assert receive(b, "poses")["poses"][0]["p"] == [1.0, 2.0, 0.0], "the pose did not arrive"
                a.send(json.dumps({"type": "chat", "text": "hello"}))
                assert receive(b, "chat")["text"] == "hello", "the chat did not arrive"
                a.send(json.dumps({"type": "emote", "name": self.discovery.get("emotes", ["wave"])[0]}))
                receive(b, "emote")
                a.send(json.dumps({"type": "ping", "t": 1}))
                assert receive(a, "pong")["t"] == 1, "the heartbeat was not answered"
                a.send("not json")
                assert receive(a, "error")["code"] == 400, "a malformed frame was not answered with an error"
                a.send("x" * (int(self.discovery.get("limits", {}).get("frame_bytes", 4096)) + 1))
                assert receive(a, "error")["code"] == 400, "an oversized frame was not answered with an error"
        self.run("realtime", "presence, poses, chat, emotes, heartbeat, bad frames", two_clients, writes=True)

        def filter_and_reports():
            scene = "conformance-" + uuid.uuid4().hex[:8]
            with connect(url, open_timeout=10) as a, connect(url, open_timeout=10) as b:
                welcome_a = join(a, scene, "A")
                join(b, scene, "B")
                a.send(json.dumps({"type": "chat", "text": "you idiot 바보"}, ensure_ascii=False))
                said = receive(b, "chat")["text"]
                assert "idiot" not in said.lower() and "바보" not in said, f"unfiltered: {said!r}"
                b.send(json.dumps({"type": "report", "target": welcome_a["session"], "reason": "conformance check"}))
                receive(b, "reported")
        self.run("realtime", "word filter masks, reports are taken", filter_and_reports, writes=True)

        def resume():
            scene = "conformance-" + uuid.uuid4().hex[:8]
            with connect(url, open_timeout=10) as b:
                first = connect(url, open_timeout=10)
                welcome = join(first, scene, "A")
                join(b, scene, "B")
                receive(first, "presence")
                first.socket.shutdown(2)  # the network drops: no closing handshake
                first.socket.close()
                b.send(json.dumps({"type": "chat", "text": "while you were away"}))
                receive(b, "chat")
                with connect(url, open_timeout=10) as again:
                    back = join(again, scene, "A", token=welcome["token"], resume=welcome["resume"], since=welcome["seq"])
                    assert back["resumed"] and back["session"] == welcome["session"], "the place was not resumed"
                    assert receive(again, "chat")["text"] == "while you were away", "missed chat was not replayed"
        self.run("realtime", "resume after a dropped connection", resume, writes=True)

    def moderation(self) -> None:
        base = self.endpoint("moderation", "/moderation/v1")

        def citizens_refused():
            for path in ("/reports", "/audit"):
                answer = self.get(base + path, headers=self.guest())
                assert answer.status_code == 403, f"a citizen reading {path} got {answer.status_code}, not 403"
            answer = self.http.post(base + "/actions", headers=self.guest(),
                                    json={"action": "ban", "subject": "someone", "reason": "check"})
            assert answer.status_code == 403, f"a citizen banning got {answer.status_code}, not 403"
        self.run("moderation", "citizens cannot moderate", citizens_refused)

        if self.moderator is None:
            self.results.append(Result("moderation", "moderator actions", True, "skipped: needs --moderator"))
            return
        name, _, password = self.moderator.partition(":")

        def actions():
            from websockets.sync.client import connect

            answer = self.http.post(self.endpoint("auth", "/auth") + "/token", json={"name": name, "password": password})
            assert answer.status_code == 200, f"signing in as {name} answered {answer.status_code}"
            staff = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            url = self.endpoint("realtime", "/realtime/v1").replace("http", "ws", 1)
            scene = "conformance-" + uuid.uuid4().hex[:8]
            with connect(url, open_timeout=10) as socket:
                token = self.guest()["Authorization"].split(" ", 1)[1]
                socket.send(json.dumps({"type": "hello", "token": token, "scene": scene, "name": "Target"}))
                session = json.loads(socket.recv(timeout=10))["session"]
                for action in ("warn", "mute", "kick"):
                    done = self.http.post(base + "/actions", headers=staff, json={
                        "action": action, "session": session, "reason": "conformance check", "minutes": 1})
                    assert done.status_code == 201, f"{action} answered {done.status_code}"
                    self.conforms(done.json(), "AuditEntry")
                alert = self.http.post(base + "/announcements", headers=staff, json={
                    "level": "info", "scene": scene, "text": {"ko": "점검", "en": "conformance check"}})
                assert alert.status_code == 201, f"an announcement answered {alert.status_code}"
            audit = self.get(base + "/audit", headers=staff).json()
            assert {"warn", "mute", "kick"} <= {e["action"] for e in audit}, "the actions are not in the audit log"
        self.run("moderation", "moderator actions", actions, writes=True)


def table(results: list[Result]) -> str:
    width = max(len(f"{r.capability}: {r.check}") for r in results)
    lines = []
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        note = f"  ({r.detail})" if r.detail else ""
        label = f"{r.capability}: {r.check}"
        lines.append(f"{mark}  {label:<{width}}{note}".rstrip())
    return "\n".join(lines)


def report(results: list[Result]) -> dict:
    return {"passed": all(r.passed for r in results), "checks": [asdict(r) for r in results]}
