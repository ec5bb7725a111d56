"""FastAPI dependencies of the bottom layer, named once: settings, reference data, paging."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from service.core.config import Settings
from service.core.models import Page
from service.core.reference import Reference


async def get_settings_dep(request: Request) -> Settings:  # async: no thread hop for a plain read
    return request.app.state.settings


async def get_reference(request: Request) -> Reference:
    return request.app.state.reference


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ReferenceDep = Annotated[Reference, Depends(get_reference)]


async def get_page(request: Request,
                   offset: Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")] = 0,
                   limit: Annotated[int | None, Query(ge=1, le=100_000, description="Rows to return; larger values "
                                                      "are capped at the service's maximum page size (500 by "
                                                      "default).")] = None) -> Page:
    settings: Settings = request.app.state.settings
    chosen = settings.default_page_size if limit is None else limit
    return Page(offset=offset, limit=min(chosen, settings.max_page_size))


PageDep = Annotated[Page, Depends(get_page)]
