"""Control characters in the query or path, and NUL anywhere in a JSON body, are refused before any route
reads them."""

from __future__ import annotations

from fastapi import Request

from service.core.errors import InvalidInput
from service.core.models import CONTROL

REASON = "control characters are not allowed"


async def refuse_control_characters(request: Request) -> None:
    """A NUL or other control character in the query or path is a 422 (PostgreSQL cannot store or compare NUL;
    nothing legitimate puts one there). Typed body fields are checked by the string types in
    service/core/models.py; NUL is refused in every JSON body, free-form ones (JSON-LD) included."""
    errors = [{"loc": ["query", name], "reason": REASON}
              for name, value in request.query_params.multi_items() if CONTROL.search(name) or CONTROL.search(value)]
    errors += [{"loc": ["path", name], "reason": REASON}
               for name, value in request.path_params.items() if isinstance(value, str) and CONTROL.search(value)]
    if "json" in request.headers.get("content-type", "") and b"\\u0000" in await request.body():
        errors.append({"loc": ["body"], "reason": "NUL characters are not allowed"})
    if errors:
        raise InvalidInput("The request does not match the API's schema.", errors=errors)
