"""Rolling-origin backtest of the demand model: WAPE, baselines, and the accuracy floor on the demo data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.backtest import (
    METHODS,
    BacktestReport,
    last_12_month_mean,
    rolling_origin_backtest,
    seasonal_naive,
    wape,
)
from matching.demand_model import DemandForecaster, SignalFrame, period_index, period_label
from matching.reference import load_taxonomy

REPO = Path(__file__).resolve().parents[2]
NAN = float("nan")


@pytest.fixture(scope="module")
def sector_of() -> dict[str, str]:
    taxonomy = load_taxonomy(REPO / "data" / "taxonomy.json")
    return {code: occupation.sector for code, occupation in taxonomy.occupations.items()}


@pytest.fixture(scope="module")
def demo() -> SignalFrame:
    return SignalFrame.from_csv(REPO / "data" / "demo" / "market_signals.csv")


def test_wape() -> None:
    assert wape([10, 20, 30], [10, 20, 30]) == 0.0
    assert wape([10, 10], [5, 20]) == pytest.approx(15 / 20)
    assert np.isnan(wape([0, 0], [1, 2]))
    with pytest.raises(ValueError):
        wape([1, 2], [1])


def test_seasonal_naive_takes_the_same_month_a_year_earlier() -> None:
    history = np.arange(1.0, 25.0)  # 24 months, values 1..24; the origin holds 24
    assert seasonal_naive(history, 3).tolist() == [13.0, 14.0, 15.0]
    assert seasonal_naive(history, 14).tolist()[-2:] == [13.0, 14.0]  # beyond a year: the last cycle again
    gappy = history.copy()
    gappy[12] = NAN  # the month a year before the first target is missing: two years before
    assert seasonal_naive(gappy, 1).tolist() == [1.0]
    short = np.array([4.0, NAN, 6.0])  # no year of history: the recent mean
    assert seasonal_naive(short, 2).tolist() == [5.0, 5.0]


def test_last_12_month_mean_skips_missing_months() -> None:
    history = np.array([100.0] * 6 + [1.0, 2.0, NAN, 3.0] + [NAN] * 8)
    assert last_12_month_mean(history, 2).tolist() == [2.0, 2.0]
    assert last_12_month_mean(np.array([NAN] * 12 + [7.0] + [NAN] * 12), 1).tolist() == [7.0]
    with pytest.raises(ValueError):
        last_12_month_mean([], 1)


def test_backtest_floor_on_demo_data(demo: SignalFrame, sector_of: dict[str, str]) -> None:
    """The model must beat seasonal naive by at least 25 % (overall WAPE over the rolling origins)."""
    report = rolling_origin_backtest(demo, sector_of=sector_of)
    assert isinstance(report, BacktestReport)
    assert report.origins == ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04")
    assert report.horizons == (1, 2, 3, 4, 5, 6)
    assert report.n_points == sum(report.n_points_by_horizon.values()) > 5000
    assert report.improvement >= 25.0, report.table()
    assert report.wape["model"] < report.wape["last_12_month_mean"] < report.wape["seasonal_naive"]
    for h in report.horizons:  # better than seasonal naive at every horizon
        assert report.wape_by_horizon["model"][h] < 0.85 * report.wape_by_horizon["seasonal_naive"][h]
    assert 0.75 <= report.coverage <= 0.95  # 80 % intervals
    table = report.table()
    assert "all" in table and "seas.naive" in table
    assert report.as_dict()["improvement_over_seasonal_naive_pct"] == pytest.approx(report.improvement)


class _SpyModel(DemandForecaster):
    seen: list[tuple[str | None, int]] = []

    def fit(self, signals, *, sector_of, own_openings=None, as_of_period=None):
        _SpyModel.seen.append((as_of_period, int(signals.period.max())))
        return super().fit(signals, sector_of=sector_of, own_openings=own_openings, as_of_period=as_of_period)


def test_each_origin_fits_only_on_its_past(demo: SignalFrame, sector_of: dict[str, str]) -> None:
    _SpyModel.seen = []
    report = rolling_origin_backtest(demo, sector_of=sector_of, origins=["2025-06", "2025-09"], horizons=(1, 3),
                                     model_factory=_SpyModel)
    assert [as_of for as_of, _ in _SpyModel.seen] == ["2025-06", "2025-09"]
    assert report.origins == ("2025-06", "2025-09") and report.horizons == (1, 3)
    assert set(report.n_points_by_horizon) == {1, 3}
    # the model's answer at an origin does not change when everything after it is scrambled
    cut = period_index("2025-09")
    scrambled = SignalFrame(demo.district, demo.occupation, demo.period,
                            np.where(demo.period > cut, 0.0, demo.postings))
    a = DemandForecaster().fit(demo, sector_of=sector_of, as_of_period="2025-09").predict()
    b = DemandForecaster().fit(scrambled, sector_of=sector_of, as_of_period="2025-09").predict()
    assert a == b


def test_a_perfect_seasonal_world() -> None:
    """Exact repeating seasonal series with no noise: seasonal naive is exact and the model nearly so."""
    profile = np.array([5, 5, 6, 5, 5, 5, 5, 8, 12, 14, 6, 5], dtype=float)
    rows = [{"district": f"D{d}", "occupation": "tailor", "period": period_label(period_index("2023-01") + t),
             "postings": profile[t % 12] * (d + 1)} for d in range(4) for t in range(36)]
    report = rolling_origin_backtest(rows, sector_of={"tailor": "apparel"}, origins=3, step=2)
    assert report.origins == ("2025-02", "2025-04", "2025-06")
    assert report.wape["seasonal_naive"] == 0.0
    assert report.wape["model"] < 0.02
    assert set(report.wape) == set(METHODS)


def test_origins_must_leave_history(demo: SignalFrame, sector_of: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="no history"):
        rolling_origin_backtest(demo, sector_of=sector_of, origins=[demo.first_period])
