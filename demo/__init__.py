"""Synthetic demo data: a reproducible bundle of trainees, employers, openings,
placement history, follow-ups and market signals, with its hidden true outcome
model (``_truth/truth.json``) for the quality benchmarks."""

from demo.generator import BUNDLE_FILES, generate_bundle
from demo.truth import TruthModel

__all__ = ["BUNDLE_FILES", "TruthModel", "generate_bundle"]
