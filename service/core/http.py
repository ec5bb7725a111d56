"""HTTP pieces every record route shares: the external id in a path, and ETag / If-Match for optimistic
concurrency."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Path
from pydantic import WithJsonSchema

from service.core.errors import PreconditionFailed

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$",
                                     description="The programme's external id.")]

IF_MATCH_PATTERN = r'^(\*|(W/)?"[0-9]{1,18}")$'
IF_MATCH_DESCRIPTION = "ETag of the version the change is based on; 412 when stale."
# None when the header is absent; documented as a plain string, since a header is present or absent, never null.
IfMatch = Annotated[str | None, Header(pattern=IF_MATCH_PATTERN, description=IF_MATCH_DESCRIPTION),
                    WithJsonSchema({"type": "string", "pattern": IF_MATCH_PATTERN,
                                    "description": IF_MATCH_DESCRIPTION})]


def parse_if_match(value: str | None) -> int | None:
    """The row version an If-Match header names ('*' or absent: any)."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise PreconditionFailed(f"If-Match must be an ETag this API gave out, like '\"3\"'; got {value!r}.")
    return int(text)


def etag(record: Any) -> str:
    """The ETag of a stored record or its public view: its row version."""
    return f'"{record.version}"'
