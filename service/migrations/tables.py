"""Every table, imported in one place so that metadata and migrations see them all."""

from service.audit.models import AuditEvent, AuditPurge, AuditSubject
from service.auth.models import ApiKey, SignedInSession
from service.consents.models import Consent
from service.core.rate_counters import RateBucket
from service.core.secrets import ServiceSecret
from service.employers.models import Employer
from service.followups.models import Followup
from service.idempotency.models import IdempotencyRecord
from service.imports.models import ImportAttempt
from service.journeys.models import ConfirmedJourney
from service.market_signals.models import MarketSignal
from service.matches.models import CandidateHandle
from service.models_registry.models import ModelVersion
from service.nightly.models import FairnessReport, MatchRun, Proposal
from service.openings.models import Opening
from service.placements.models import Placement
from service.records.models import Change
from service.trainees.models import Trainee

__all__ = ["ApiKey", "AuditEvent", "AuditPurge", "AuditSubject", "CandidateHandle", "Change", "Consent",
           "ConfirmedJourney", "FairnessReport", "IdempotencyRecord", "ImportAttempt", "MatchRun", "ModelVersion",
           "Proposal", "RateBucket", "ServiceSecret", "SignedInSession", "Employer", "Followup", "MarketSignal",
           "Opening", "Placement", "Trainee"]
