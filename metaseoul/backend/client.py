"""Talking to a city backend over HTTP: discovery, guest sessions and civil complaints (Open311)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import httpx

from metaseoul.backend.routes.open311 import PATH as OPEN311

REFUSALS = (400, 413, 422)  # the complaint itself is wrong: sending it again cannot help


class BackendUnavailable(Exception):
    """The backend did not answer, or failed: worth trying again later."""


class RateLimited(BackendUnavailable):
    """The backend answered 429: over a limit of its abuse policy; ``retry_after`` is how many
    seconds it asks to wait (its Retry-After header) before trying again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(Exception):
    """The backend answered 403: it will not serve this caller (a ban, a missing role); the message
    is the backend's reason. Trying again does not help."""


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
    def __init__(self, base_url: str, timeout: float = 10.0, token: str | None = None):
        """``token``: a signed-in citizen's bearer token, the api_key complaints are filed with; without
        one, the client asks for a guest session's when it first files one (guest tokens are limited
        per address, so keep one client rather than making one per complaint)."""
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(timeout=timeout)
        self.token = token
        self.guest: str | None = None

    def discover(self) -> dict:
        return self._call("GET", "/.well-known/metaseoul").json()

    def scenes(self, content: str = "/content/v1") -> list[dict]:
        """The backend's scene catalogue: id, version, sha256, size, languages, url."""
        return self._call("GET", f"{content}/scenes").json()

    def guest_session(self, auth: str = "/auth", device_key: str | None = None) -> dict:
        """A guest session (no personal data): its ``access_token`` and ``expires_in`` seconds.
        ``device_key`` is a random id the device keeps (16 to 64 letters, digits, - or _), so that a
        moderator's ban reaches this device's next guest sessions rather than everyone at its address."""
        headers = {"X-Device-Key": device_key} if device_key else {}
        return self._call("POST", f"{auth}/guest", headers=headers).json()

    def guest_token(self, auth: str = "/auth", device_key: str | None = None) -> str:
        """A guest session's bearer token (see guest_session)."""
        return self.guest_session(auth, device_key)["access_token"]

    def submit(self, complaint: Complaint, idempotency_key: str) -> str:
        """File ``complaint`` with this client's token as its api_key; the same key always yields the
        same service request id. A guest token the backend no longer takes (403: expired, or its
        database was replaced) is replaced once; the idempotency key makes the second try safe."""
        try:
            response = self._file(complaint, idempotency_key)
        except Forbidden:
            if self.guest is None:  # the citizen's own token, or no guest session given (a ban): nothing to renew
                raise
            self.guest = None
            response = self._file(complaint, idempotency_key)
        try:
            return str(response.json()[0]["service_request_id"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise BackendUnavailable(f"{self.base_url} confirmed in an unreadable form") from None

    def _file(self, complaint: Complaint, idempotency_key: str) -> httpx.Response:
        return self._call("POST", f"{OPEN311}/requests.json", data=complaint.form() | {"api_key": self._api_key()},
                          headers={"Idempotency-Key": idempotency_key})

    def _api_key(self) -> str:
        """The citizen's token, else this client's guest token (asked for now if it has none)."""
        if self.token is None and self.guest is None:
            try:
                self.guest = self.guest_token()
            except (ComplaintRejected, ValueError, KeyError, TypeError) as exc:  # not the complaint's fault
                raise BackendUnavailable(f"{self.base_url} gave no usable guest session: {exc}") from None
        return self.token if self.token is not None else self.guest

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
        if response.status_code == 429:
            wait = response.headers.get("retry-after", "")
            raise RateLimited(f"{self.base_url} asks to wait: {_problem(response)}", int(wait) if wait.isdigit() else 60)
        if response.status_code == 403:
            raise Forbidden(_problem(response))
        if response.status_code >= 300:  # moved, wrong address, server trouble: try later
            raise BackendUnavailable(f"{self.base_url} answered {response.status_code}: {_problem(response)}")
        return response

    def close(self) -> None:
        self.http.close()


def _problem(response: httpx.Response) -> str:
    """The message of the contract's Problem answer, else the start of whatever came."""
    try:
        return str(response.json()["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
