"""The client's link to a city backend: the built-in one started on this computer when no address is
given (and stopped on exit), discovery, a session token, and the realtime room of the current scene.

A backend that does not answer stops the visit before the window opens, with a sentence that says
which address failed; one that drops later is reconnected to in the background.
"""

from __future__ import annotations

import os

from metaseoul.backend.client import BackendClient, BackendUnavailable, ComplaintRejected, Forbidden
from metaseoul.backend.embedded import EmbeddedBackend
from metaseoul.backend.realtime_client import RealtimeSession
from metaseoul.errors import BackendUnreachable
from metaseoul.i18n import _
from metaseoul.visit import guests

# A signed-in citizen's token and name, passed by the launcher in the environment (never on the command line).
TOKEN_VARIABLE, NAME_VARIABLE = "METASEOUL_TOKEN", "METASEOUL_NAME"


class CityLink:
    def __init__(self, url: str, discovery: dict, token: str, embedded: EmbeddedBackend | None, name: str,
                 refusal: str | None = None):
        self.url, self.discovery, self.token = url, discovery, token
        self.refusal = refusal  # why the backend gave no session (a ban): said once, the visit goes on alone
        self.embedded = embedded
        self.name = name
        self.realtime: RealtimeSession | None = None
        self._last_pose: tuple | None = None

    @classmethod
    def open(cls, url: str | None) -> CityLink:
        """Connect to ``url``, or start the built-in backend when it is None."""
        embedded = None
        if url is None:
            embedded = EmbeddedBackend.default()
            url = embedded.start()
        try:
            discovery, token, refusal = _discover(url)
        except BaseException:
            if embedded:  # whatever stopped the visit here (a signal too), the built-in backend stops with it
                embedded.stop()
            raise
        return cls(url, discovery, token, embedded, os.environ.get(NAME_VARIABLE) or _("guest"), refusal)

    @property
    def has_realtime(self) -> bool:
        return "realtime" in self.discovery.get("capabilities", []) and bool(self.token)

    def enter(self, scene: str) -> None:
        """Join the realtime room of ``scene`` (leaving the previous one)."""
        if self.realtime is not None:
            self.realtime.close()
            self.realtime = None
        if self.has_realtime:
            path = self.discovery.get("endpoints", {}).get("realtime", "/realtime/v1")
            self.realtime = RealtimeSession(self.url, self.token, scene, self.name, path=path).start()
            self._last_pose = None

    def send_pose(self, position: tuple[float, float, float], heading: float) -> None:
        """Tell the room where the citizen is, when that changed (to the centimetre and tenth of a degree)."""
        pose = (*(round(v, 2) for v in position), round(heading, 1))
        if self.realtime is not None and pose != self._last_pose:
            self._last_pose = pose
            self.realtime.send_pose(position, heading)

    def poll(self) -> tuple[list[str], list[dict]]:
        """What arrived: lines for the captions (chat, moderators' words, problems) and announcements
        and alerts for the alert panel."""
        lines, announcements = [], []
        if self.refusal:
            lines.append(_("The city backend refused this visit: {reason}").format(reason=self.refusal))
            self.refusal = None
        if self.realtime is None:
            return lines, announcements
        for event in self.realtime.poll():
            kind = event["type"]
            if kind == "chat":
                lines.append(chat_line(event))
            elif kind == "announcement":
                text = event.get("text")
                if isinstance(text, dict) and all(isinstance(text.get(k), str) and text[k] for k in ("ko", "en")):
                    announcements.append(event)  # one without both languages breaks the contract: dropped
            elif kind == "moderation":
                lines.append(_("A moderator: {reason}").format(reason=event["reason"]))
            elif kind == "refused":
                guests.forget(self.url)  # a kept guest token no longer taken: the next visit asks for a new one
                lines.append(_("The city backend refused this visit: {reason}").format(reason=event["message"]))
            elif kind == "error" and event.get("code") == 403:
                lines.append(_("Not sent: {reason}").format(reason=event["message"]))
        return lines, announcements

    def close(self) -> None:
        if self.realtime is not None:
            self.realtime.close()
        if self.embedded is not None:
            self.embedded.stop()


def chat_line(chat: dict) -> str:
    """A chat frame as a caption line; the backend's verified badge, never the typed name, says who
    speaks for the city."""
    badge = {"moderator": _("verified moderator"), "staff": _("verified city staff")}.get(chat.get("badge"))
    if badge:
        return _("{name} ({badge}): {text}").format(name=chat["name"], badge=badge, text=chat["text"])
    return f"{chat['name']}: {chat['text']}"


def _discover(url: str) -> tuple[dict, str, str | None]:
    """The backend's discovery document and a token: the launcher's, else a guest's where it has rooms;
    with the backend's reason when it refused this device a guest session."""
    client = BackendClient(url, timeout=10)
    try:
        discovery = client.discover()
        token = os.environ.get(TOKEN_VARIABLE, "")
        offered = discovery.get("capabilities", [])
        if not token and "realtime" in offered and "accounts" in offered:
            try:
                token = guests.guest_token(client, discovery.get("endpoints", {}).get("auth", "/auth"))
            except Forbidden as exc:
                return discovery, "", str(exc)
        return discovery, token, None
    except (BackendUnavailable, ComplaintRejected, Forbidden, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackendUnreachable(_(
            "the city backend at {url} is unreachable ({problem}); check the address and your connection, "
            "or choose the built-in backend").format(url=url, problem=exc)) from None
    finally:
        client.close()
