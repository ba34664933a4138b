"""Checking a city backend before the citizen relies on it: its discovery document must answer.

The launcher asks ``GET {url}/.well-known/metaseoul`` and needs JSON naming the backend and the
contract version it speaks; every other outcome becomes one sentence saying what went wrong.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from metaseoul.i18n import _

EMBEDDED = "embedded"
CONTRACT_MAJOR = 1
DISCOVERY_PATH = "/.well-known/metaseoul"


@dataclass(frozen=True)
class BackendCheck:
    ok: bool
    reason: str  # what went wrong, or the backend's name when ok
    url: str


def normalise(url: str) -> str:
    url = url.strip()
    if url and "://" not in url:
        url = "https://" + url
    return url.rstrip("/")


def check_backend(url: str, timeout: float = 5.0) -> BackendCheck:
    url = normalise(url)
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return BackendCheck(False, _("This is not a web address (expected something like https://city.example)."), url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        return BackendCheck(False, _("This is not a web address (expected something like https://city.example)."), url)
    where = parts.netloc
    try:
        with urllib.request.urlopen(url + DISCOVERY_PATH, timeout=timeout) as response:
            body = response.read(1_000_000)
    except (ValueError, http.client.HTTPException) as exc:  # InvalidURL, bad ports, broken replies
        return BackendCheck(False, _("{where} cannot be reached: {problem}").format(where=where, problem=exc), url)
    except urllib.error.HTTPError as exc:
        return BackendCheck(False, _("{where} answered {code}: it does not offer a metaseoul backend.").format(
            where=where, code=exc.code), url)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (socket.timeout, TimeoutError)):
            return BackendCheck(False, _("{where} did not answer within {seconds} seconds.").format(
                where=where, seconds=int(timeout)), url)
        if isinstance(exc.reason, socket.gaierror):
            return BackendCheck(False, _("No server called {host} could be found.").format(host=parts.hostname), url)
        return BackendCheck(False, _("Nobody answers at {where}.").format(where=where), url)
    except (TimeoutError, socket.timeout):
        return BackendCheck(False, _("{where} did not answer within {seconds} seconds.").format(
            where=where, seconds=int(timeout)), url)
    try:
        doc = json.loads(body)
    except ValueError:
        return BackendCheck(False, _("{where} answered, but not with a discovery document (JSON).").format(
            where=where), url)
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) or "contract_version" not in doc:
        return BackendCheck(False, _("{where}'s discovery document lacks a name or a contract_version.").format(
            where=where), url)
    major = str(doc["contract_version"]).split(".")[0]
    if major != str(CONTRACT_MAJOR):
        return BackendCheck(False, _("{where} speaks contract version {version}; this client speaks {mine}.").format(
            where=where, version=doc["contract_version"], mine=CONTRACT_MAJOR), url)
    return BackendCheck(True, doc["name"], url)


@dataclass(frozen=True)
class SignIn:
    ok: bool
    reason: str  # what went wrong, or the bearer token when ok


def sign_in(url: str, name: str, password: str, timeout: float = 10.0) -> SignIn:
    """Ask the backend for a bearer token; every failure is one sentence for the citizen."""
    try:
        with urllib.request.urlopen(url + DISCOVERY_PATH, timeout=timeout) as response:
            doc = json.loads(response.read(1_000_000))
        if "accounts" not in doc.get("capabilities", []):
            return SignIn(False, _("This backend has no accounts: continue as a guest."))
        request = urllib.request.Request(
            url + doc.get("endpoints", {}).get("auth", "/auth") + "/token",
            data=json.dumps({"name": name, "password": password}).encode(),
            headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return SignIn(True, json.loads(response.read())["access_token"])
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            return SignIn(False, _("Wrong user name or password."))
        if exc.code == 429:
            wait = exc.headers.get("Retry-After", "")
            minutes = max(1, -(-int(wait) // 60)) if wait.isdigit() else 15
            return SignIn(False, _("Too many attempts: wait {minutes} min, then try again.").format(minutes=minutes))
        return SignIn(False, _("The backend answered {code}.").format(code=exc.code))
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError):
        return SignIn(False, _("Nobody answers at {where}.").format(where=urllib.parse.urlsplit(url).netloc))
