"""Who is acting: the API key of a request (put on the request's state by the authentication gate), or nobody
for the CLI and scheduled jobs. Lower layers (records, audit) need only these few attributes."""

from __future__ import annotations

from typing import Any, Protocol

from starlette.types import Scope

STATE_KEY = "api_key"  # where the authenticated key is kept in the request's scope["state"]
CHANGE_SEEN = "change_id"  # scope["state"]: the newest change id when the gate read the key


class Actor(Protocol):
    """What the write path and the audit log read of an API key (read-only: any key model with these fits)."""

    @property
    def id(self) -> int | None: ...

    @property
    def prefix(self) -> str: ...

    @property
    def role(self) -> str: ...


def request_actor(scope: Scope) -> Any:
    """The key the gate authenticated for this request, if any."""
    return (scope.get("state") or {}).get(STATE_KEY)


def change_seen(scope: Scope) -> int | None:
    """The newest change id the gate read with the key (None: no key was read, as for the console)."""
    return (scope.get("state") or {}).get(CHANGE_SEEN)
