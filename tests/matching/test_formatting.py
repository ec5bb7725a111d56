"""Amounts and durations as a coordinator reads them: one home, matching.formatting."""

from __future__ import annotations

from types import SimpleNamespace

from matching.formatting import format_duration, format_money, format_site_money
from matching.safety import format_duration as safety_format_duration
from matching.safety import format_money as safety_format_money


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
