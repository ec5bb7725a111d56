"""Which proposals of a run a key may see and decide: a coordinator only her partner's trainees'."""

from __future__ import annotations

from typing import Any

from service.auth.models import ApiKey
from service.nightly.models import Proposal


def visible(key: ApiKey) -> list[Any]:
    """SQL conditions restricting proposals to the rows this key may see."""
    return [Proposal.partner_org == key.partner_org] if key.role == "coordinator" else []
