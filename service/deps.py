"""FastAPI dependencies, named once: the session, the caller's key, paging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from service.auth import policy
from service.auth.gate import authenticated_key
from service.auth.models import ApiKey
from service.core.config import Settings
from service.core.errors import Forbidden, Unauthorized
from service.core.models import Page
from service.reference import Reference

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer jm_...`")


async def get_settings_dep(request: Request) -> Settings:  # async: no thread hop for a plain read
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


async def get_reference(request: Request) -> Reference:
    return request.app.state.reference


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
ReferenceDep = Annotated[Reference, Depends(get_reference)]


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


async def get_page(request: Request,
             offset: Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")] = 0,
             limit: Annotated[int | None, Query(ge=1, le=100_000, description="Rows to return; larger values are "
                                                "capped at the service's maximum page size (500 by default).")] = None
             ) -> Page:
    settings: Settings = request.app.state.settings
    chosen = settings.default_page_size if limit is None else limit
    return Page(offset=offset, limit=min(chosen, settings.max_page_size))


PageDep = Annotated[Page, Depends(get_page)]
