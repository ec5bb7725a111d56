"""Amounts, durations and scores as a coordinator reads them: one home, matching.formatting."""

from __future__ import annotations

import math
from types import SimpleNamespace

from matching.formatting import (
    SCORE_MEANINGS,
    format_duration,
    format_money,
    format_site_money,
    round_factors,
    round_score,
    score_kind,
)
from matching.outcome_model import OutcomeModel
from matching.safety import format_duration as safety_format_duration
from matching.safety import format_money as safety_format_money
from matching.scoring import WeightedScorer


def test_site_money_uses_the_site_symbol_and_grouping() -> None:
    india = SimpleNamespace(currency_symbol="₹", country="IN")
    elsewhere = SimpleNamespace(currency_symbol="Rs ", country="NP")
    assert format_site_money(india, 115000) == "₹1,15,000"
    assert format_site_money(elsewhere, 115000) == "Rs 115,000"
    assert format_site_money(india, float("nan")) == "unknown"
    assert format_money(-1234567, "₹") == "-₹12,34,567"


def test_durations_are_no_more_precise_than_the_estimate() -> None:
    assert format_duration(3.2) == "3 min"
    assert format_duration(0.2) == "1 min"
    assert format_duration(37) == "35 min"
    assert format_duration(200) == "3.5 hours"


def test_the_safety_module_re_exports_the_one_formatter() -> None:
    assert safety_format_money is format_money and safety_format_duration is format_duration


def test_scores_and_factors_show_three_decimals_and_never_a_negative_zero() -> None:
    assert round_score(0.7627861319775612) == 0.763
    assert round_score(-0.0) == 0.0 and math.copysign(1, round_score(-0.0)) == 1
    assert math.copysign(1, round_score(-0.0004)) == 1  # rounds to zero: shown as 0.0, not -0.0
    assert round_factors({"attendance": 0.039999999999999925, "shift": -0.0, "commute": -0.29912}) == {
        "attendance": 0.04, "shift": 0.0, "commute": -0.299}
    assert "-0.0" not in repr(round_factors({"shift": -0.0, "wage": -1e-9}))


def test_a_score_is_a_probability_only_from_a_trained_outcome_model() -> None:
    assert score_kind("outcome-2026-11-01-0123456789") == "retention_probability"
    for version in (WeightedScorer.version, OutcomeModel.version, None, "something-else"):
        assert score_kind(version) == "relative_score", version
    assert "12 months" in SCORE_MEANINGS["retention_probability"]
    assert "not a probability" in SCORE_MEANINGS["relative_score"]
