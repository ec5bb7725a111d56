"""Synthetic demo data: a reproducible bundle of trainees, employers, openings,
placement history, follow-ups and market signals, with its hidden true outcome
model (``_truth/truth.json``) for the quality benchmarks."""

from service.demo_data.generator import BUNDLE_FILES, generate_bundle
from service.demo_data.truth import TruthModel

__all__ = ["BUNDLE_FILES", "TruthModel", "generate_bundle"]
