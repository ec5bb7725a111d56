"""API keys over the API, for admins: list, create (the key is in the answer, once), revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from service.auth import service
from service.auth.deps import CurrentKey, Permission
from service.auth.models import ApiKeyPublic, Role
from service.core.errors import problem_responses
from service.core.models import MAX_ID, Code, ExternalId, Instant, ShortText
from service.keys import bindings
from service.records.unit_of_work import SessionDep

router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=problem_responses(401, 403, 422, 429))


def _bound(role: str, field: str) -> dict:
    """JSON Schema: this role's key needs `field`; every other role's key must leave it out (or null)."""
    return {"if": {"properties": {"role": {"const": role}}},
            "then": {"required": [field], "properties": {field: {"type": "string"}}},
            "else": {"properties": {field: {"type": "null"}}}}


class ApiKeyCreate(BaseModel):
    # The binding rules, in the schema too, so that a client (and a fuzzer) knows which bodies are valid.
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "allOf": [_bound("employer", "employer_external_id"), _bound("coordinator", "partner_org")]})

    role: Role
    name: ShortText = ""
    employer_external_id: ExternalId | None = None
    partner_org: Code | None = None
    expires_at: Instant | None = None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself; shown only in this answer.")


class ApiKeysPublic(BaseModel):
    data: list[ApiKeyPublic]
    count: int


@router.get("", response_model=ApiKeysPublic, summary="List API keys (never the keys themselves)",
            dependencies=[Permission("key:read")])
def list_keys(session: SessionDep) -> Any:
    rows = service.list(session=session)
    return ApiKeysPublic(data=[ApiKeyPublic.model_validate(row) for row in rows], count=len(rows))


@router.post("", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED, summary="Create an API key",
             dependencies=[Permission("key:write")])
def create_key(body: ApiKeyCreate, session: SessionDep) -> Any:
    key, raw = service.create(session=session, **body.model_dump(), check_binding=bindings.check)
    return ApiKeyCreated(**ApiKeyPublic.model_validate(key).model_dump(), key=raw)


@router.delete("/{key_id}", status_code=204, summary="Revoke an API key (never the last working admin key)",
               responses=problem_responses(404, 409), dependencies=[Permission("key:write")])
def revoke_key(key_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, caller: CurrentKey) -> None:
    service.revoke(session=session, key_id=key_id, caller=caller)
