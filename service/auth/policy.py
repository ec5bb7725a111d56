"""Who may do what: the one table of route permissions and the one place that scopes records to a key.

Every /v1 route is checked by `service.auth.deps.authorize` against `allowed_roles`; a route with no rule here is
refused to everyone (and the authorisation matrix test fails). Object scoping: a key sees only the records
`visible` allows; another party's record answers 404, never confirming that it exists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, select

from service.auth.models import ApiKey
from service.core.errors import Forbidden

READ, WRITE = "read", "write"
RW, R = frozenset({READ, WRITE}), frozenset({READ})

# Record resources: role -> actions. list/get are reads; put/patch/delete are writes.
RESOURCE_GRANTS: dict[str, dict[str, frozenset[str]]] = {
    "/v1/trainees": {"admin": RW, "coordinator": RW, "batch": R},
    "/v1/employers": {"admin": RW, "coordinator": RW, "batch": R},
    "/v1/openings": {"admin": RW, "coordinator": RW, "employer": RW, "batch": R},
    "/v1/placements": {"admin": RW, "coordinator": RW, "batch": R},
    "/v1/followups": {"admin": RW, "coordinator": RW, "batch": R},
    "/v1/market-signals": {"admin": RW, "coordinator": RW, "batch": R},
}

# Every other route, by method and path template.
ROUTE_GRANTS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/imports"): frozenset({"admin", "coordinator"}),
    ("GET", "/v1/audit"): frozenset({"admin"}),
    ("GET", "/v1/keys"): frozenset({"admin"}),
    ("POST", "/v1/keys"): frozenset({"admin"}),
    ("DELETE", "/v1/keys/{key_id}"): frozenset({"admin"}),
    ("POST", "/v1/job-postings"): frozenset({"admin", "coordinator", "employer"}),
    ("GET", "/v1/trainees/{external_id}/consents"): frozenset({"admin", "coordinator"}),
    ("POST", "/v1/trainees/{external_id}/consents"): frozenset({"admin", "coordinator"}),
    ("GET", "/v1/trainees/{external_id}/matches"): frozenset({"admin", "coordinator"}),
    ("POST", "/v1/matches/preview"): frozenset({"admin", "coordinator"}),
    ("GET", "/v1/openings/{external_id}/candidates"): frozenset({"admin", "coordinator", "employer"}),
    ("GET", "/v1/openings/{external_id}/candidates/{handle}"): frozenset({"admin", "coordinator", "employer"}),
    ("GET", "/v1/market/demand"): frozenset({"admin", "coordinator", "batch"}),
    ("GET", "/v1/market/training-priorities"): frozenset({"admin", "coordinator", "batch"}),
    ("GET", "/v1/match-runs"): frozenset({"admin", "coordinator", "batch"}),
    ("GET", "/v1/match-runs/{run_id}"): frozenset({"admin", "coordinator", "batch"}),
    ("GET", "/v1/match-runs/latest/proposals"): frozenset({"admin", "coordinator", "batch"}),
    ("POST", "/v1/proposals/{proposal_id}/accept"): frozenset({"admin", "coordinator"}),
    ("POST", "/v1/proposals/{proposal_id}/decline"): frozenset({"admin", "coordinator"}),
}

# Filled by the record router factory: (method, path) -> (resource prefix, action).
CRUD_ROUTES: dict[tuple[str, str], tuple[str, str]] = {}


def register_crud_route(method: str, path: str, prefix: str) -> None:
    """A record route made by the router factory; its roles come from RESOURCE_GRANTS."""
    CRUD_ROUTES[(method.upper(), path)] = (prefix, READ if method.upper() in ("GET", "HEAD") else WRITE)


def allowed_roles(method: str, path: str) -> frozenset[str] | None:
    """The roles that may call a route; None when the route has no rule (refused to all)."""
    method = "GET" if method.upper() == "HEAD" else method.upper()
    if (method, path) in ROUTE_GRANTS:
        return ROUTE_GRANTS[(method, path)]
    if (method, path) in CRUD_ROUTES:
        prefix, action = CRUD_ROUTES[(method, path)]
        return frozenset(role for role, actions in RESOURCE_GRANTS[prefix].items() if action in actions)
    return None


def visible(key: ApiKey, table: type) -> list[Any]:
    """SQL conditions restricting a table to the rows this key may see (empty: all rows).
    Erased trainees' anonymised stubs are statistics, not records: nobody reads them through the API."""
    from service.trainees.models import Trainee as _Trainee
    erased = [_Trainee.erased_at.is_(None)] if table is _Trainee else []
    return erased + _scoped(key, table)


def _scoped(key: ApiKey, table: type) -> list[Any]:
    from service.employers.models import Employer
    from service.followups.models import Followup
    from service.openings.models import Opening
    from service.placements.models import Placement
    from service.trainees.models import Trainee

    if key.role == "coordinator":
        partner_trainees = select(Trainee.external_id).where(Trainee.partner_org == key.partner_org)
        if key.partner_org is None:
            return [false()] if table in (Trainee, Placement, Followup) else []
        if table is Trainee:
            return [Trainee.partner_org == key.partner_org]
        if table is Placement:
            return [Placement.trainee_external_id.in_(partner_trainees)]
        if table is Followup:
            placements = select(Placement.external_id).where(Placement.trainee_external_id.in_(partner_trainees))
            return [Followup.placement_external_id.in_(placements)]
    if key.role == "employer" and table is Opening:
        return [Opening.employer_external_id == key.employer_external_id]
    if key.role == "employer" and table is Employer:
        return [Employer.external_id == key.employer_external_id]
    if key.role == "employer":
        return [false()]
    return []


def namespace(key: ApiKey, table: type) -> str | None:
    """The external-id prefix under which a bound key creates new records of a table (None: no restriction).
    A key may create records only in its own namespace, so that creating an id it cannot see answers exactly as
    another party's existing id does (404), never telling which ids exist."""
    name = getattr(table, "__tablename__", "")
    if key.role == "employer" and name == "opening":
        return f"{key.employer_external_id}:"
    if key.role == "coordinator" and name in ("trainee", "placement"):
        return f"{key.partner_org}:"
    return None


def may_create(key: ApiKey, table: type, external_id: str) -> bool:
    """Whether a key may create a record of a table under this (unused) external id."""
    prefix = namespace(key, table)
    return prefix is None or (external_id.startswith(prefix) and len(external_id) > len(prefix))


def check_ownership(key: ApiKey, table: type, values: dict[str, Any]) -> None:
    """A key may only create or move records into its own scope."""
    name = getattr(table, "__tablename__", "")
    if key.role == "coordinator" and name == "trainee" and values.get("partner_org") != key.partner_org:
        raise Forbidden(f"This key works for partner '{key.partner_org}'; partner_org must be that.")
    if key.role == "employer" and name == "opening" and values.get("employer_external_id") != key.employer_external_id:
        raise Forbidden("An employer key may only post openings of its own employer.")


# A trainee's sensitive fields: where she lives, whom and where she must never be sent, her survivor status and
# her consents. The one rule for who may read them is `sensitive_fields`.
SENSITIVE_TRAINEE_FIELDS = frozenset({"lat", "lon", "excluded_employers", "excluded_districts", "is_survivor",
                                      "consents"})


def sensitive_fields(key: ApiKey, *, partner_org: str | None) -> frozenset[str]:
    """Which sensitive fields of a trainee of this partner a key may read: all of them for admins and her own
    partner's coordinators, none for anyone else (batch, employers, other partners)."""
    if key.role == "admin" or (key.role == "coordinator" and key.partner_org is not None
                               and key.partner_org == partner_org):
        return SENSITIVE_TRAINEE_FIELDS
    return frozenset()


def candidate_pool(key: ApiKey) -> list[Any]:
    """Which trainees a key may see as candidates for an opening: a coordinator only her partner's; admin, batch
    and employer keys every job-ready trainee (employers only ever in the anonymised view)."""
    from service.trainees.models import Trainee
    return visible(key, Trainee) if key.role == "coordinator" else [Trainee.erased_at.is_(None)]
