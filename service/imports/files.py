"""The files of a bundle: their columns, keys, references and the record resource each one feeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import create_model
from sqlmodel import SQLModel

from service.core.models import Code, ExternalId, ShortText
from service.employers.service import RESOURCE as EMPLOYERS
from service.followups.models import FollowupMonth
from service.followups.service import RESOURCE as FOLLOWUPS
from service.market_signals.models import Period
from service.market_signals.service import RESOURCE as MARKET_SIGNALS
from service.openings.service import RESOURCE as OPENINGS
from service.placements.service import RESOURCE as PLACEMENTS
from service.records.resource import Resource
from service.trainees.service import RESOURCE as TRAINEES


@dataclass(frozen=True)
class BundleFile:
    """One CSV file of the bundle contract."""

    name: str
    resource: Resource
    columns: dict[str, str]  # column -> cell kind, in the contract's order (then optional extras)
    key: tuple[str, ...]
    key_types: dict[str, Any]
    references: dict[str, str] = field(default_factory=dict)  # column -> file it refers to
    list_references: dict[str, str] = field(default_factory=dict)  # list column -> file (warn when unknown)
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> stored fields computed from it
    key_defaults: dict[str, Any] = field(default_factory=dict)
    # Columns that are records of their own, not fields of the file's record, each with the file whose ids its
    # value names (trainees.csv's confirmed_journeys: her confirmed journeys, by opening).
    companions: dict[str, str] = field(default_factory=dict)
    # Money columns a bundle may name without a currency (amounts in its site's currency), by the stored field they
    # fill: a file gives one name of each pair, and a site whose money is not rupees must use the neutral one.
    neutral: dict[str, str] = field(default_factory=dict)  # stored column -> neutral name

    @property
    def row_model(self) -> type[SQLModel]:
        return _row_model(self)

    def required_columns(self) -> list[str]:
        model = self.row_model
        return [name for name in self.columns if name in model.model_fields and model.model_fields[name].is_required()]

    @property
    def record_columns(self) -> dict[str, str]:
        """The columns stored on the file's own record (every column but the companions)."""
        return {name: kind for name, kind in self.columns.items() if name not in self.companions}


_ROW_MODELS: dict[str, type[SQLModel]] = {}


def _row_model(spec: BundleFile) -> type[SQLModel]:
    """The resource's create model plus its key fields: one row of the file, validated at once."""
    if spec.name not in _ROW_MODELS:
        # Any: the names are field names, but create_model's keyword parameters also take its __options__.
        fields: dict[str, Any] = {name: (kind, spec.key_defaults.get(name, ...))
                                  for name, kind in spec.key_types.items()}
        _ROW_MODELS[spec.name] = create_model(f"{spec.resource.create.__name__}Row", __base__=spec.resource.create,
                                              **fields)
    return _ROW_MODELS[spec.name]


_PLACE = {"district": "text", "lat": "float", "lon": "float"}

EMPLOYERS_FILE = BundleFile(
    name="employers.csv", resource=EMPLOYERS,
    columns={"external_id": "text", "name": "text", "sector": "text", **_PLACE, "vetted": "bool", "vetted_on": "date"},
    key=("external_id",), key_types={"external_id": ExternalId}, derived={"district": ("lat", "lon")})

TRAINEES_FILE = BundleFile(
    name="trainees.csv", resource=TRAINEES,
    columns={"external_id": "text", "partner_org": "text", "cohort": "text", "status": "text", **_PLACE,
             "skills": "skills", "languages": "list", "education": "text", "preferred_sectors": "list",
             "max_commute_minutes": "int", "willing_to_relocate": "bool", "night_shift_ok": "bool",
             "has_dependents": "bool", "attendance_rate": "float", "expected_wage_inr": "int",
             "excluded_employers": "list", "excluded_districts": "list", "available_from": "date",
             "is_survivor": "bool", "training_track": "text", "training_commute_minutes": "int",
             "confirmed_journeys": "journeys", "trainer_consent": "bool"},
    key=("external_id",), key_types={"external_id": ExternalId},
    list_references={"excluded_employers": "employers.csv"}, derived={"district": ("lat", "lon")},
    companions={"confirmed_journeys": "openings.csv"}, neutral={"expected_wage_inr": "expected_wage"})

OPENINGS_FILE = BundleFile(
    name="openings.csv", resource=OPENINGS,
    columns={"external_id": "text", "employer_external_id": "text", "title": "text", "occupation": "text",
             "sector": "text", "required_skills": "required_skills", **_PLACE, "monthly_wage_inr": "int",
             "positions": "int", "shift": "text", "accommodation_provided": "bool", "transport_provided": "bool",
             "languages_required": "list", "status": "text", "posted_on": "date", "closes_on": "date",
             "wage_category": "text"},
    key=("external_id",), key_types={"external_id": ExternalId}, references={"employer_external_id": "employers.csv"},
    derived={"district": ("lat", "lon"), "occupation": ("occupation_code", "sector")},
    neutral={"monthly_wage_inr": "monthly_wage"})

PLACEMENTS_FILE = BundleFile(
    name="placements.csv", resource=PLACEMENTS,
    columns={"external_id": "text", "trainee_external_id": "text", "opening_external_id": "text",
             "started_on": "date", "ended_on": "date"},
    key=("external_id",), key_types={"external_id": ExternalId},
    references={"trainee_external_id": "trainees.csv", "opening_external_id": "openings.csv"})

FOLLOWUPS_FILE = BundleFile(
    name="followups.csv", resource=FOLLOWUPS,
    columns={"placement_external_id": "text", "month": "int", "checked_on": "date", "employed": "bool",
             "monthly_wage_inr": "int", "wellbeing": "int", "risk_flag": "bool", "commute_minutes": "int"},
    key=("placement_external_id", "month"), key_types={"placement_external_id": ExternalId, "month": FollowupMonth},
    references={"placement_external_id": "placements.csv"}, neutral={"monthly_wage_inr": "monthly_wage"})

MARKET_SIGNALS_FILE = BundleFile(
    name="market_signals.csv", resource=MARKET_SIGNALS,
    columns={"district": "text", "occupation": "text", "period": "period", "postings": "int", "source": "text"},
    key=("district", "occupation", "period", "source"),
    key_types={"district": Code, "occupation": ShortText, "period": Period, "source": ShortText},
    derived={"occupation": ("occupation_code",)}, key_defaults={"source": ""})

# In the order they are written: every file only refers to files before it.
BUNDLE_FILES: tuple[BundleFile, ...] = (EMPLOYERS_FILE, TRAINEES_FILE, OPENINGS_FILE, PLACEMENTS_FILE,
                                        FOLLOWUPS_FILE, MARKET_SIGNALS_FILE)
BY_NAME = {spec.name: spec for spec in BUNDLE_FILES}
