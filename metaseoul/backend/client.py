"""Talking to a city backend over HTTP: discovery, guest sessions and civil complaints (Open311)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import httpx

from metaseoul.backend.routes.open311 import PATH as OPEN311

REFUSALS = (400, 413, 422)  # the complaint itself is wrong: sending it again cannot help


class BackendUnavailable(Exception):
    """The backend did not answer, or failed: worth trying again later."""


class ComplaintRejected(Exception):
    """The backend refused the complaint as it is (Open311 error description in the message)."""


@dataclass(frozen=True)
class Complaint:
    service_code: str
    description: str
    lat: float
    long: float
    scene_id: str | None = None
    x: float | None = None
    y: float | None = None
    z: float | None = None

    def form(self) -> dict[str, str]:
        fields = {"service_code": self.service_code, "description": self.description,
                  "lat": str(self.lat), "long": str(self.long)}
        for name in ("scene_id", "x", "y", "z"):
            value = getattr(self, name)
            if value is not None:
                fields[f"attribute[{name}]"] = str(value)
        return fields

    def to_json(self) -> dict:
        return asdict(self)


class BackendClient:
    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(timeout=timeout)

    def discover(self) -> dict:
        return self._call("GET", "/.well-known/metaseoul").json()

    def scenes(self, content: str = "/content/v1") -> list[dict]:
        """The backend's scene catalogue: id, version, sha256, size, languages, url."""
        return self._call("GET", f"{content}/scenes").json()

    def guest_token(self, auth: str = "/auth") -> str:
        """A guest session's bearer token (no personal data)."""
        return self._call("POST", f"{auth}/guest").json()["access_token"]

    def submit(self, complaint: Complaint, idempotency_key: str) -> str:
        """File ``complaint``; the same key always yields the same service request id."""
        response = self._call("POST", f"{OPEN311}/requests.json", data=complaint.form(),
                              headers={"Idempotency-Key": idempotency_key})
        try:
            return str(response.json()[0]["service_request_id"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise BackendUnavailable(f"{self.base_url} confirmed in an unreadable form") from None

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.http.request(method, self.base_url + path, **kwargs)
        except httpx.TransportError as exc:
            raise BackendUnavailable(f"{self.base_url}: {exc}") from None
        if response.status_code in REFUSALS:
            try:
                reason = response.json()[0]["description"]
            except (ValueError, KeyError, IndexError, TypeError):
                reason = response.text[:200]
            raise ComplaintRejected(reason)
        if response.status_code >= 300:  # busy (429), moved, wrong address, server trouble: try later
            raise BackendUnavailable(f"{self.base_url} answered {response.status_code}")
        return response

    def close(self) -> None:
        self.http.close()
