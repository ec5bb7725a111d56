"""Synthetic demo data: a reproducible bundle of trainees, employers, openings,
placement history, follow-ups and market signals, with its hidden true outcome
model (``_truth/truth.json``, in one of two forms: ``generate_bundle(truth=...)``)
and the world's true journeys (``_truth/journeys.*``) for the quality benchmarks."""

from demo.generator import BUNDLE_FILES, TRUTH_FORMS, generate_bundle
from demo.truth import TruthModel

__all__ = ["BUNDLE_FILES", "TRUTH_FORMS", "TruthModel", "generate_bundle"]
