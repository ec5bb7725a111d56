"""The cohort plan (how many women to train in which track next) and the trainer pipeline (which graduates could
teach those cohorts), from the stored records, the demand model and the programme's rules."""

from __future__ import annotations

import datetime
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from matching.cohort_plan import TrackRecord, plan_cohorts
from matching.demand_model import DemandForecaster, ForecastRow
from matching.reference import Taxonomy, TrainerRules, load_trainer_rules, trainer_rules_path
from matching.trainer_pipeline import Graduate, months_between, rank_trainer_candidates
from service.audit import service as audit
from service.auth.models import ApiKey
from service.cohorts import repository
from service.cohorts.models import CohortPlanPublic, TrainerCandidatesPublic, TrainerOpening
from service.core.errors import NotFound, Unresolvable
from service.core.reference import Reference
from service.keys.sites import site_for

YEAR = datetime.timedelta(days=365)


@lru_cache(maxsize=8)
def load_rules(data_dir: Path, site: str, taxonomy: Taxonomy) -> TrainerRules:
    """The site's trainer rules (its own file, else the programme's), loaded and checked once."""
    return load_trainer_rules(trainer_rules_path(data_dir, site), taxonomy)


def served_site(*, session: Session, site: str | None, reference: Reference, caller: ApiKey | None) -> Reference:
    """The reference of the site asked for: served and one the key works in (404 otherwise); empty: the key's own,
    else the default site."""
    if caller is None:
        return reference.of(site) if site else reference
    return reference.of(site_for(session=session, key=caller, reference=reference, asked=site))


def resolve_partner(*, session: Session, partner: str | None, caller: ApiKey | None, required: bool = False
                    ) -> str | None:
    """The partner a request is for: a coordinator bound to a partner asks for her own only (hers when empty);
    another partner answers 404, as another party's record does."""
    own = caller.partner_org if caller is not None and caller.role == "coordinator" else None
    if own is not None and partner is not None and partner != own:
        raise NotFound(f"No partner '{partner}' for this key: it may ask for partner '{own}' only.")
    chosen = partner or own
    if chosen is None and required:
        raise Unresolvable("Name the partner organisation (partner=...).",
                           errors=[{"loc": ["query", "partner"], "reason": "required"}])
    if chosen is not None and chosen not in repository.list_partners(session=session):
        raise Unresolvable(f"No trainee belongs to partner '{chosen}'.",
                           errors=[{"loc": ["query", "partner"], "reason": "no such partner"}])
    return chosen


def _track_records(session: Session, partner: str | None, site: str, today: datetime.date
                   ) -> dict[str, TrackRecord]:
    counts: dict[str, dict[str, int]] = {}
    for track, status, recent, placed, n in repository.count_by_track(session=session, partner_org=partner,
                                                                       site=site, since=today - YEAR, until=today):
        entry = counts.setdefault(track, {"job_ready": 0, "in_training": 0, "graduates": 0, "placed": 0})
        if status in ("job_ready", "in_training"):
            entry[status] += n
        if recent and status in repository.GRADUATE_STATUSES:
            entry["graduates"] += n
            entry["placed"] += n if placed else 0
    return {track: TrackRecord(**entry) for track, entry in counts.items()}


def _forecasts(model: DemandForecaster | None, taxonomy: Taxonomy, months: int, districts: set[str] | None
               ) -> list[ForecastRow]:
    if model is None:
        return []
    series = [key for key in model.series_ if key[1] in taxonomy.trades
              and (districts is None or key[0] in districts)]
    return model.predict(horizon=months, series=series) if series else []


def plan(*, session: Session, reference: Reference, data_dir: Path, model: DemandForecaster | None,
         model_version: str, site: str | None, partner: str | None, months: int, today: datetime.date,
         caller: ApiKey | None) -> CohortPlanPublic:
    """How many women to train in which track over the next months, and the trainers those cohorts need."""
    reference = served_site(session=session, site=site, reference=reference, caller=caller)
    chosen = resolve_partner(session=session, partner=partner, caller=caller)
    if chosen is not None and (reference.for_partner(chosen) or reference).code != reference.code:
        raise NotFound(f"No partner '{chosen}' in site '{reference.code}'.")
    rules = load_rules(data_dir, reference.code, reference.taxonomy)
    districts: set[str] | None = None
    where = f"{reference.site.name}"
    if chosen is not None:
        resolved = (reference.site.gazetteer.resolve(d) for d in
                    repository.list_partner_districts(session=session, partner_org=chosen))
        districts = {found.name for found in resolved if found is not None}
        where = f"{chosen}'s {len(districts)} district{'s' if len(districts) != 1 else ''}"
    trainer_roles = {r.trainer_occupation for r in rules.tracks.values() if r.trainer_occupation}
    planned = plan_cohorts(
        forecasts=_forecasts(model, reference.taxonomy, months, districts),
        records=_track_records(session, chosen, reference.code, today), rules=rules, taxonomy=reference.taxonomy,
        months=months, districts=districts, where=where,
        trainers_on_staff=repository.count_trainers_on_staff(session=session, partner_org=chosen,
                                                             occupations=trainer_roles))
    return CohortPlanPublic(site=reference.code, partner=chosen, months=months, model_version=model_version,
                            rules_version=rules.version, overall_placement_rate=planned.overall_placement_rate,
                            women_to_train=planned.women_to_train, data=planned.lines, trainers=planned.trainers,
                            count=len(planned.lines))


def resolve_track(*, reference: Reference, track: str) -> str:
    """A track's code, from its code or any spelling the taxonomy knows."""
    if track in reference.taxonomy.trades:
        return track
    found = reference.occupations.match(track)
    if found.code is None or found.code not in reference.taxonomy.trades:
        raise Unresolvable(f"'{track}' is not a training track of the taxonomy.",
                           errors=[{"loc": ["query", "track"], "reason": "unknown track"}])
    return found.code


def _graduates(session: Session, partner: str, track: str, statuses: tuple[str, ...], today: datetime.date
               ) -> list[Graduate]:
    rows = repository.list_consenting_graduates(session=session, partner_org=partner, track=track, statuses=statuses)
    ids = [row.external_id for row in rows]
    spans = repository.map_work_spans(session=session, trainee_external_ids=ids)
    year_done = repository.list_followup_year_completed(session=session, trainee_external_ids=ids)
    out = []
    for row in rows:
        worked = [(start.toordinal(), min(end or today, today).toordinal())
                  for start, end in spans.get(row.external_id, ()) if start <= today]
        levels: dict[str, int] = {}
        for item in row.skills or ():
            code = item.get("skill") if isinstance(item, dict) else None
            if isinstance(code, str):
                levels[code] = max(levels.get(code, 0), int(item.get("level") or 0))
        out.append(Graduate(external_id=row.external_id, track=row.training_track, status=row.status, levels=levels,
                            attendance=row.attendance_rate, months_in_job=months_between(worked),
                            followup_year_completed=row.external_id in year_done, open_risk_flag=row.risk_flag,
                            consented=row.trainer_consent, cohort=row.cohort))
    return out


def trainer_candidates(*, session: Session, reference: Reference, data_dir: Path, track: str,
                       partner: str | None, today: datetime.date, caller: ApiKey | None) -> TrainerCandidatesPublic:
    """A partner's consenting graduates of a track ranked for its trainer role by the programme's rules, with
    reasons, near misses with why not, and the partner's open openings for that role."""
    chosen = resolve_partner(session=session, partner=partner, caller=caller, required=True)
    assert chosen is not None  # required
    reference = reference.for_partner(chosen) or reference  # the partner's site: its rules and labels
    rules = load_rules(data_dir, reference.code, reference.taxonomy)
    code = resolve_track(reference=reference, track=track)
    track_rules = rules.for_track(code)
    shortlist = rank_trainer_candidates(_graduates(session, chosen, code, track_rules.eligibility.statuses, today),
                                        track=code, rules=track_rules, taxonomy=reference.taxonomy)
    shown = [c.external_id for c in (*shortlist.candidates, *shortlist.near_misses)]
    if shown:  # her id and how she fares are a read of her record
        audit.record(session=session, caller=caller, action="read", entity="trainee", external_ids=shown)
    trainer = track_rules.trainer_occupation
    openings = repository.list_trainer_openings(session=session, partner_org=chosen, occupation=trainer) \
        if trainer else []
    taxonomy = reference.taxonomy
    return TrainerCandidatesPublic(
        partner=chosen, track=code, track_name=taxonomy.occupations[code].name, trainer_occupation=trainer,
        trainer_occupation_name=taxonomy.occupations[trainer].name if trainer else None,
        openings=[TrainerOpening(external_id=o.external_id, title=o.title, district=o.district,
                                 positions=o.positions) for o in openings],
        data=shortlist.candidates, near_misses=shortlist.near_misses, count=len(shortlist.candidates))

