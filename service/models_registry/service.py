"""Saving trained models with skops (never pickle), loading them with an explicit trusted-types list, and
promoting a version to active."""

from __future__ import annotations

import builtins
import hashlib
import io
import logging
import zipfile
from collections.abc import Sequence
from typing import Any

import skops.io as sio
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.commute import DEFAULT_COMMUTE_MODEL, CommuteModel
from matching.demand import NeutralDemand
from matching.scoring import WeightedScorer
from service.core.errors import NotFound
from service.models_registry import repository
from service.models_registry.models import ModelKind, ModelVersion
from service.records import changes

log = logging.getLogger("jobmatch.models")
_LOADED: dict[str, Any] = {}  # version -> loaded model (artefacts never change once stored)


def trusted_types(kind: str) -> builtins.list[str]:
    """The types a model of this kind may contain: its module's own list, nothing guessed from the file."""
    if kind == "outcome":
        from matching.outcome_model import TRUSTED_TYPES
    elif kind == "commute":
        from matching.commute_calibration import TRUSTED_TYPES
    else:
        from matching.demand_model import TRUSTED_TYPES
    return [*TRUSTED_TYPES]


def fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def dumps(model: Any) -> bytes:
    """skops bytes with fixed timestamps and entry order, so the same model always gives the same checksum."""
    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sio.dumps(model))) as source, \
            zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(name))
    return packed.getvalue()


def save(*, session: Session, kind: ModelKind, model: Any, as_of: Any, data_fingerprint: str,
         metrics: dict[str, Any], note: str = "") -> ModelVersion:
    """Store a trained model; training the same data again finds the same version instead of a duplicate."""
    artefact = dumps(model)
    checksum = hashlib.sha256(artefact).hexdigest()
    version = f"{kind}-{as_of}-{data_fingerprint[:10]}"
    existing = repository.find(session=session, version=version)
    if existing is not None:
        return existing
    row = ModelVersion(kind=kind, version=version, as_of=as_of, data_fingerprint=data_fingerprint,
                       artefact_sha256=checksum, metrics=metrics, artefact=artefact, note=note)
    repository.add(session=session, row=row)
    return row


def promote(*, session: Session, version: str) -> ModelVersion:
    """Make a version the active one of its kind; every worker picks it up before its next answer."""
    row = repository.find(session=session, version=version)
    if row is None:
        raise NotFound(f"No model version {version}.")
    repository.activate(session=session, row=row)
    changes.record(session=session, entity="model", external_ids=[version])
    return row


def load(row: ModelVersion) -> Any:
    """The model of a stored version, checked against its checksum and loaded with the trusted types only."""
    if row.version not in _LOADED:
        if hashlib.sha256(row.artefact).hexdigest() != row.artefact_sha256:
            raise ValueError(f"model {row.version}: artefact checksum mismatch")
        model = sio.loads(row.artefact, trusted=trusted_types(row.kind))
        if hasattr(model, "version"):
            model.version = row.version
        _LOADED[row.version] = model
    return _LOADED[row.version]


def active_models(*, db: Engine) -> tuple[Any, Any, CommuteModel, dict[str, str]]:
    """(scorer, demand signal, commute model, versions): the active models, or the transparent defaults (the
    weighted score, neutral demand, the fixed commute rates)."""
    scorer: Any = WeightedScorer()
    demand: Any = NeutralDemand()
    commute = DEFAULT_COMMUTE_MODEL
    versions = {"outcome": scorer.version, "demand": "neutral", "commute": commute.version}
    with Session(db) as session:
        for row in repository.active(session=session):
            try:
                model = load(row)
            except Exception:  # a bad artefact must not take matching down: fall back, loudly
                log.exception("model could not be loaded; using the default", extra={"version": row.version})
                continue
            if row.kind == "outcome":
                scorer, versions["outcome"] = model, row.version
            elif row.kind == "commute":
                commute, versions["commute"] = model.commute_model(row.version), row.version
            else:
                demand, versions["demand"] = model, row.version
    return scorer, demand, commute, versions


def list(*, session: Session) -> Sequence[ModelVersion]:
    """Every stored version, newest first."""
    return repository.newest_first(session=session)
