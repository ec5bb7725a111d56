"""Confirming a trainee's journey to an opening's workplace, reading her confirmed journeys, and removing one.

Only programme staff who may read her record do this (admins, her own partner's coordinators); another key
learns nothing (404, as for an unknown trainee). Every write goes through the one write path: a new version,
the change log (her row in the match index is reloaded, so the next answer uses the confirmed time) and the
audit log under her pseudonym."""

from __future__ import annotations

import builtins

from sqlmodel import Session

from service.audit import service as audit
from service.auth.models import ApiKey
from service.core.clock import site_today
from service.core.errors import NotFound
from service.core.reference import Reference
from service.journeys import repository
from service.journeys.models import ConfirmedJourney, ConfirmedJourneyBody
from service.openings.models import Opening
from service.records import crud
from service.trainees import repository as trainees
from service.trainees.models import Trainee

LABEL = "confirmed journey"


def _trainee(session: Session, trainee_external_id: str, caller: ApiKey) -> Trainee:
    """Her record, if this key may see it (404 otherwise, as for an unknown id)."""
    return crud.get(session=session, table=Trainee, key={"external_id": trainee_external_id}, label="trainee",
                    conditions=trainees.visible(caller))


def _journey(session: Session, trainee: Trainee, opening_external_id: str) -> ConfirmedJourney:
    found = repository.find(session=session, trainee_external_id=trainee.external_id,
                            opening_external_id=opening_external_id)
    if found is None:
        raise NotFound(f"No confirmed journey for trainee {trainee.external_id} to opening {opening_external_id}.")
    return found


def list(*, session: Session, trainee_external_id: str, caller: ApiKey) -> builtins.list[ConfirmedJourney]:
    """Her confirmed journeys, by opening (a read of her record, audited as one)."""
    trainee = _trainee(session, trainee_external_id, caller)
    audit.record(session=session, caller=caller, action="read", entity="trainee", external_ids=[trainee.external_id])
    return [*repository.list_of_trainee(session=session, trainee_external_id=trainee.external_id)]


def get(*, session: Session, trainee_external_id: str, opening_external_id: str, caller: ApiKey
        ) -> ConfirmedJourney:
    """Her confirmed journey to one opening (audited as a read of her record)."""
    trainee = _trainee(session, trainee_external_id, caller)
    journey = _journey(session, trainee, opening_external_id)
    audit.record(session=session, caller=caller, action="read", entity="trainee", external_ids=[trainee.external_id])
    return journey


def confirm(*, session: Session, reference: Reference, trainee_external_id: str, opening_external_id: str,
            body: ConfirmedJourneyBody, if_match: int | None, caller: ApiKey) -> tuple[ConfirmedJourney, bool]:
    """Record (or replace) the journey time confirmed for her to an opening; returns it and whether it is new."""
    trainee = _trainee(session, trainee_external_id, caller)
    if crud.find(session=session, table=Opening, key={"external_id": opening_external_id}) is None:
        raise NotFound(f"No opening with external_id={opening_external_id}.")
    values = {"minutes": body.minutes, "confirmed_by": body.confirmed_by,
              "confirmed_on": body.confirmed_on or site_today(reference.site.timezone)}
    return crud.upsert(session=session, table=ConfirmedJourney, label=LABEL, if_match=if_match, values=values,
                       key={"trainee_external_id": trainee.external_id, "opening_external_id": opening_external_id})


def remove(*, session: Session, trainee_external_id: str, opening_external_id: str, if_match: int | None,
           caller: ApiKey) -> None:
    """Remove a confirmed journey: the estimate applies to that opening again."""
    trainee = _trainee(session, trainee_external_id, caller)
    crud.delete(session=session, row=_journey(session, trainee, opening_external_id), label=LABEL, if_match=if_match)
