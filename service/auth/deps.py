"""FastAPI dependencies of authentication, named once: the calling key, and the role check of a route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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


async def authorize(request: Request, key: CurrentKey) -> ApiKey:
    """The one check every /v1 route passes: may this key's role call this route at all?"""
    route = request.scope.get("route")
    roles = policy.allowed_roles(request.method, getattr(route, "path", ""))
    if roles is None or key.role not in roles:
        raise Forbidden(f"The '{key.role}' role may not use this route.")
    return key


Authorized = Depends(authorize)
