"""Who may do what: the one table of permissions, action -> roles.

Every /v1 route declares the action it performs (`service.auth.deps.Permission`); a key may call it when its role
is granted that action here. Which rows a key may see is each domain's own answer (its `scope` module); another
party's record answers 404, never confirming that it exists."""

from __future__ import annotations

from service.auth.models import ApiKey

ADMIN, COORDINATOR, EMPLOYER, BATCH = "admin", "coordinator", "employer", "batch"
STAFF = frozenset({ADMIN, COORDINATOR})

PERMISSIONS: dict[str, frozenset[str]] = {
    # Records: read = list and get; write = PUT, PATCH and DELETE.
    "trainee:read": frozenset({ADMIN, COORDINATOR, BATCH}),
    "trainee:write": STAFF,
    "employer:read": frozenset({ADMIN, COORDINATOR, BATCH}),
    "employer:write": STAFF,
    "opening:read": frozenset({ADMIN, COORDINATOR, EMPLOYER, BATCH}),
    "opening:write": frozenset({ADMIN, COORDINATOR, EMPLOYER}),
    "placement:read": frozenset({ADMIN, COORDINATOR, BATCH}),
    "placement:write": STAFF,
    "followup:read": frozenset({ADMIN, COORDINATOR, BATCH}),
    "followup:write": STAFF,
    "market_signal:read": frozenset({ADMIN, COORDINATOR, BATCH}),
    "market_signal:write": STAFF,
    # Everything else the API does.
    "import:create": STAFF,
    "import:read": STAFF,
    "job_posting:create": frozenset({ADMIN, COORDINATOR, EMPLOYER}),
    "consent:read": STAFF,
    "consent:write": STAFF,
    "journey:read": STAFF,
    "journey:write": STAFF,
    "match:read": STAFF,
    "match:preview": STAFF,
    "candidate:read": frozenset({ADMIN, COORDINATOR, EMPLOYER}),
    "market:read": frozenset({ADMIN, COORDINATOR, BATCH}),
    "trainer_candidate:read": STAFF,  # and a coordinator for her own partner only (service/cohorts/service.py)
    "match_run:read": frozenset({ADMIN, COORDINATOR, BATCH}),
    "proposal:decide": STAFF,
    "audit:read": frozenset({ADMIN}),
    "key:read": frozenset({ADMIN}),
    "key:write": frozenset({ADMIN}),
    "metrics:read": frozenset({ADMIN}),  # GET /metrics, outside /v1 (service/monitoring/router.py)
    # Not routes: what a key may do within a route it may call.
    "candidate:identify": frozenset({ADMIN, COORDINATOR, BATCH}),  # her id, score factors and reasons
    "candidate:choose_day": frozenset({ADMIN, COORDINATOR, BATCH}),  # as_of other than today (site time)
    "match_run:read_survivors": frozenset({ADMIN}),  # the survivors' aggregate of a run's fairness report
}


def roles_for(action: str) -> frozenset[str]:
    """The roles granted an action; an action missing from the table is a programming error."""
    if action not in PERMISSIONS:
        raise ValueError(f"No permission '{action}' in service/auth/policy.py.")
    return PERMISSIONS[action]


def allows(key: ApiKey, action: str) -> bool:
    """Whether this key's role is granted the action."""
    return key.role in roles_for(action)


# A trainee's sensitive fields: where she lives, whom and where she must never be sent, her survivor status and
# her consents. The one rule for who may read them is `sensitive_fields`.
SENSITIVE_TRAINEE_FIELDS = frozenset({"lat", "lon", "excluded_employers", "excluded_districts", "is_survivor",
                                      "consents"})


def sensitive_fields(key: ApiKey, *, partner_org: str | None) -> frozenset[str]:
    """Which sensitive fields of a trainee of this partner a key may read: all of them for admins and her own
    partner's coordinators, none for anyone else (batch, employers, other partners)."""
    if key.role == ADMIN or (key.role == COORDINATOR and key.partner_org is not None
                             and key.partner_org == partner_org):
        return SENSITIVE_TRAINEE_FIELDS
    return frozenset()
