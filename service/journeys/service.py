"""Confirming a trainee's journey to an opening's workplace, reading her confirmed journeys, and removing one.

Only programme staff who may read her record do this (admins, her own partner's coordinators); another key
learns nothing (404, as for an unknown trainee). Every write goes through the one write path: a new version,
the change log (her row in the match index is reloaded, so the next answer uses the confirmed time) and the
audit log under her pseudonym."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from service.audit import service as audit
from service.auth.models import ApiKey
from service.core.clock import site_today
from service.core.errors import NotFound
from service.core.reference import Reference
from service.journeys import repository
from service.journeys.models import ConfirmedJourney, ConfirmedJourneyBody
from service.openings.models import Opening
from service.records import crud, writes
from service.records.unit_of_work import today
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


@dataclass
class ReplacedJourneys:
    """What replacing trainees' confirmed journeys did, in journeys."""

    inserted: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


def replace_confirmed(*, session: Session, journeys: Mapping[str, Mapping[str, int]], confirmed_by: str
                      ) -> ReplacedJourneys:
    """Make each trainee's confirmed journeys exactly those given ({trainee: {opening: minutes}}; an empty mapping
    removes hers), through the write path: a new journey is confirmed today by `confirmed_by`, a changed time
    too, an unchanged one keeps its day and who confirmed it. The trainees and openings must exist."""
    done = ReplacedJourneys()
    if not journeys:
        return done
    stored: dict[tuple[str, str], dict] = {
        (row["trainee_external_id"], row["opening_external_id"]): row
        for row in repository.rows_of_trainees(session=session, trainee_external_ids=builtins.list(journeys))}
    day = today(session)
    inserts, changes = [], []
    for trainee, wanted in journeys.items():
        for opening, minutes in wanted.items():
            current = stored.pop((trainee, opening), None)
            fields = {"minutes": int(minutes), "confirmed_on": day, "confirmed_by": confirmed_by}
            if current is None:
                inserts.append({"trainee_external_id": trainee, "opening_external_id": opening, **fields})
            elif current["minutes"] != int(minutes):
                changes.append((current, fields))
            else:
                done.unchanged += 1
    removals = [row for key, row in stored.items() if key[0] in journeys]
    writes.insert_many(session=session, table=ConfirmedJourney, rows=inserts, action="import")
    writes.update_many(session=session, table=ConfirmedJourney, changes_by_row=changes, action="import")
    writes.delete_many(session=session, table=ConfirmedJourney, rows=removals, action="delete")
    done.inserted, done.updated, done.removed = len(inserts), len(changes), len(removals)
    return done
