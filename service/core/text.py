"""Query and path strings with control characters are refused before any route reads them."""

from __future__ import annotations

from fastapi import Request

from service.core.errors import InvalidInput
from service.core.models import CONTROL

REASON = "control characters are not allowed"


async def refuse_control_characters(request: Request) -> None:
    """A NUL or other control character in the query or path is a 422 (PostgreSQL cannot store or compare NUL;
    nothing legitimate puts one there). Typed body fields are checked by the string types in
    service/core/models.py (a free-form JSON-LD posting stores only fields validated by those types)."""
    errors = [{"loc": ["query", name], "reason": REASON}
              for name, value in request.query_params.multi_items() if CONTROL.search(name) or CONTROL.search(value)]
    errors += [{"loc": ["path", name], "reason": REASON}
               for name, value in request.path_params.items() if isinstance(value, str) and CONTROL.search(value)]
    if errors:
        raise InvalidInput("The request does not match the API's schema.", errors=errors)
