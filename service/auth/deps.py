"""FastAPI dependencies of authentication and authorisation, named once: the calling key, and the permission a
route declares (`dependencies=[Permission("trainee:read")]`)."""

# No `from __future__ import annotations`: FastAPI reads the signature of `RequirePermission.__call__`, and an
# instance has no module globals to resolve string annotations in.

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.routing import BaseRoute

from service.auth import policy
from service.auth.gate import authenticated_key
from service.auth.models import ApiKey
from service.core.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer jm_...`")


async def get_current_key(request: Request,
                          _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> ApiKey:
    """The key the authentication gate resolved before the body was read (`_credentials` only documents the
    scheme in OpenAPI): never a second lookup."""
    key = authenticated_key(request.scope)
    if key is None:  # only a route outside /v1 could get here; the gate covers every /v1 path
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
    return key


CurrentKey = Annotated[ApiKey, Depends(get_current_key)]


class RequirePermission:
    """A route's permission check: the calling key's role must be granted the route's action."""

    def __init__(self, action: str) -> None:
        policy.roles_for(action)  # an unknown action fails when the route is declared, not when it is called
        self.action = action

    async def __call__(self, key: CurrentKey) -> ApiKey:
        if not policy.allows(key, self.action):
            raise Forbidden(f"The '{key.role}' role may not use this route.")
        return key

    def __repr__(self) -> str:
        return f"Permission({self.action!r})"


def Permission(action: str) -> Any:  # capitalised: used like FastAPI's Depends, which it returns
    """The dependency a route declares for the action it performs, e.g. `dependencies=[Permission("trainee:read")]`."""
    return Depends(RequirePermission(action))


def permission_of(route: APIRoute) -> str | None:
    """The action a route declares (None: it declares none)."""
    found = [dependency.call.action for dependency in route.dependant.dependencies
             if isinstance(dependency.call, RequirePermission)]
    return found[0] if len(found) == 1 else None


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, also those of included routers (FastAPI keeps an included router whole)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def check_permissions(routes: Iterable[BaseRoute]) -> None:
    """Fail closed at start: every /v1 route declares exactly one permission."""
    missing = [f"{sorted(route.methods or ())} {route.path}" for route in api_routes(routes)
               if route.path.startswith("/v1") and permission_of(route) is None]
    if missing:
        raise RuntimeError(f"Routes without exactly one Permission dependency: {', '.join(missing)}")
