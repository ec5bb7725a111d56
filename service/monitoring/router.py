"""GET /metrics, for Prometheus: readable with an admin key, or from the loopback address without one when
`JOBMATCH_METRICS_ALLOW_LOOPBACK=true`. Outside /v1 and the OpenAPI document, like the health probes."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request, Response
from sqlalchemy.engine import Engine

from service.auth import policy
from service.auth import service as keys
from service.auth.gate import bearer_token
from service.core.errors import Forbidden, Unauthorized
from service.core.metrics import Metrics

router = APIRouter()


def _is_loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:  # not an address (a test client's name)
        return False


def _check_reader(request: Request, engine: Engine) -> None:
    """Unauthorized or Forbidden unless this request may read the metrics."""
    if request.app.state.settings.metrics_allow_loopback and _is_loopback(request):
        return
    token = bearer_token(request.scope)
    if token is None:
        raise Unauthorized("Send an admin API key as 'Authorization: Bearer <key>' to read the metrics.")
    with engine.connect() as connection:
        key = keys.authenticate(connection=connection, raw_key=token).key
    request.state.key_prefix, request.state.role = key.prefix, key.role  # for the access log
    if not policy.allows(key, "metrics:read"):
        raise Forbidden(f"The '{key.role}' role may not read the metrics.")


@router.get("/metrics", include_in_schema=False)
def read_metrics(request: Request) -> Response:
    """Every metric in Prometheus' text format."""
    _check_reader(request, request.app.state.engine)
    metrics: Metrics = request.app.state.metrics
    body, media_type = metrics.exposition(request.headers.get("accept"))
    return Response(body, media_type=media_type)
