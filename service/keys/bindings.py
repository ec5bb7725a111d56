"""A key is bound only to an employer that exists, or to a partner the programme's trainees name."""

from __future__ import annotations

from sqlmodel import Session, select

from service.core.errors import Unresolvable
from service.employers.models import Employer
from service.trainees.models import Trainee


def check(*, session: Session, employer_external_id: str | None, partner_org: str | None) -> None:
    """Unresolvable (422) when the employer is not stored, or no trainee belongs to the partner."""
    if employer_external_id and session.exec(select(Employer.id).where(
            Employer.external_id == employer_external_id)).first() is None:
        raise Unresolvable(f"No employer '{employer_external_id}': create the employer before its key.",
                           errors=[{"loc": ["body", "employer_external_id"], "reason": "no such employer"}])
    if partner_org and session.exec(select(Trainee.id).where(Trainee.partner_org == partner_org).limit(1)
                                    ).first() is None:
        raise Unresolvable(f"No trainee belongs to partner '{partner_org}': partners are known by their trainees; "
                           "import or create one (with an admin key) before the partner's key.",
                           errors=[{"loc": ["body", "partner_org"], "reason": "no such partner"}])


def known_partners(*, session: Session) -> list[str]:
    """The partner organisations a key can be bound to: those the stored trainees name."""
    return sorted(p for p in session.exec(select(Trainee.partner_org).distinct()).all() if p)
