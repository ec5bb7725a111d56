"""The market-demand forecaster: shapes, determinism, no peeking, gaps, pooling, growth, persistence."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.demand import DemandSignal
from matching.demand_model import (
    TRUSTED_TYPES,
    DemandForecaster,
    ForecastRow,
    SignalFrame,
    period_index,
    period_label,
)
from matching.reference import load_taxonomy

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"


@pytest.fixture(scope="module")
def sector_of() -> dict[str, str]:
    taxonomy = load_taxonomy(REPO / "data" / "taxonomy.json")
    return {code: occupation.sector for code, occupation in taxonomy.occupations.items()}


@pytest.fixture(scope="module")
def demo() -> SignalFrame:
    return SignalFrame.from_csv(DEMO / "market_signals.csv")


@pytest.fixture(scope="module")
def demo_model(demo: SignalFrame, sector_of: dict[str, str]) -> DemandForecaster:
    return DemandForecaster().fit(demo, sector_of=sector_of)


# Two synthetic sectors: "peak" (postings double every March) and "flat".
PEAK = np.array([1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
PEAK = PEAK / np.exp(np.log(PEAK).mean())
SYNTH_SECTORS = {"peak_a": "peak", "peak_b": "peak", "flat_a": "flat", "flat_b": "flat"}
GROWTH = {"peak": 0.20, "flat": -0.10}


def synthetic(seed: int = 0, months: int = 36, districts: int = 8, start: str = "2023-01",
              gap_rate: float = 0.0, late: dict[tuple[str, str], int] | None = None,
              level: float = 20.0) -> list[dict]:
    """Poisson counts: level x yearly growth of the sector x seasonal profile of the sector."""
    rng = np.random.default_rng(seed)
    gaps = np.random.default_rng(seed + 1000)  # its own stream: the counts do not depend on the gaps
    first = period_index(start)
    rows = []
    for d in range(districts):
        for occupation, sector in SYNTH_SECTORS.items():
            base = level * rng.lognormal(0.0, 0.3)
            begin = (late or {}).get((f"D{d}", occupation), 0)
            for t in range(begin, months):
                p = first + t
                mean = base * (1 + GROWTH[sector]) ** (t / 12) * (PEAK[p % 12] if sector == "peak" else 1.0)
                count = int(rng.poisson(mean))
                if gaps.random() < gap_rate:
                    continue
                rows.append({"district": f"D{d}", "occupation": occupation, "period": period_label(p),
                             "postings": count, "source": "job_board"})
    return rows


# --------------------------------------------------------------------------- input


def test_periods_round_trip() -> None:
    assert period_index("2026-10") == 2026 * 12 + 9
    assert period_label(period_index("2026-01")) == "2026-01"
    assert period_index("2026-03-15") == period_index("2026-03")
    with pytest.raises(ValueError):
        period_index("2026-13")
    with pytest.raises(ValueError):
        period_index("March 2026")


def test_signal_frame_sums_sources_and_rejects_bad_rows() -> None:
    frame = SignalFrame.from_records([
        {"district": "Kolkata", "occupation": "cashier", "period": "2026-01", "postings": "4", "source": "a"},
        {"district": "Kolkata", "occupation": "cashier", "period": "2026-01", "postings": 3, "source": "b"},
        {"district": "Kolkata", "occupation": "cashier", "period": "2026-02", "postings": 1, "source": "a"},
    ])
    assert len(frame) == 2
    assert frame.postings.tolist() == [7.0, 1.0]
    with pytest.raises(ValueError, match="row 1"):
        SignalFrame.from_records([{"district": "Kolkata", "occupation": "cashier", "period": "2026-01",
                                   "postings": -1}])
    with pytest.raises(ValueError, match="row 1"):
        SignalFrame.from_records([{"district": "Kolkata", "occupation": "cashier", "period": "Jan"}])


# --------------------------------------------------------------------------- fit and predict


def test_fit_predict_shapes(demo: SignalFrame, demo_model: DemandForecaster) -> None:
    model = demo_model
    assert model.n_series_ == len(model.series_) == len(demo.series()) > 100
    assert model.last_period_ == "2026-10"
    for name in ("level_", "trend_", "growth_", "level_var_", "trend_var_", "n_observed_", "series_sector_"):
        assert getattr(model, name).shape == (model.n_series_,), name
    assert model.seasonal_.shape == (len(model.sectors_), 12)
    assert np.allclose(np.log(model.seasonal_).mean(axis=1), 0.0)
    rows = model.predict()
    assert len(rows) == model.n_series_ * 6
    assert all(isinstance(r, ForecastRow) for r in rows)
    assert [r.period for r in rows[:6]] == ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04"]
    values = np.array([[r.postings, r.lower, r.upper] for r in rows])
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (values[:, 1] <= values[:, 2]).all()
    busy = values[:, 0] > 3
    assert ((values[busy, 1] <= values[busy, 0]) & (values[busy, 0] <= values[busy, 2])).all()

    pair = model.series_[5]
    some = model.predict(horizon=2, series=[pair, ("Nowhere", "cashier")])
    assert [(r.district, r.occupation) for r in some] == [pair, pair]
    assert some[0] == rows[5 * 6]


def test_estimator_conventions(sector_of: dict[str, str]) -> None:
    model = DemandForecaster(horizon=3, shrinkage=0.5)
    assert model.get_params()["horizon"] == 3
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        model.predict()
    assert not [k for k in vars(model) if k.endswith("_")]  # __init__ only stores parameters
    rows = synthetic(districts=2)
    assert model.fit(rows, sector_of=SYNTH_SECTORS) is model
    with pytest.raises(ValueError, match="trend_damping"):
        DemandForecaster(trend_damping=1.5).fit(rows, sector_of=SYNTH_SECTORS)
    with pytest.raises(ValueError, match="no market signals"):
        DemandForecaster().fit(rows, sector_of=SYNTH_SECTORS, as_of_period="2000-01")


def test_deterministic(demo: SignalFrame, sector_of: dict[str, str]) -> None:
    records = [{"district": d, "occupation": o, "period": period_label(p), "postings": v}
               for d, o, p, v in zip(demo.district.tolist(), demo.occupation.tolist(), demo.period.tolist(),
                                     demo.postings.tolist())]
    first = DemandForecaster(random_state=0).fit(demo, sector_of=sector_of).predict()
    again = DemandForecaster(random_state=0).fit(demo, sector_of=sector_of).predict()
    other_seed = DemandForecaster(random_state=123).fit(demo, sector_of=sector_of).predict()
    random.Random(4).shuffle(records)
    shuffled = DemandForecaster(random_state=0).fit(records, sector_of=sector_of).predict()
    assert first == again == other_seed == shuffled


def test_no_peeking(demo: SignalFrame, sector_of: dict[str, str]) -> None:
    as_of = "2025-12"
    cut = period_index(as_of)
    full = DemandForecaster().fit(demo, sector_of=sector_of, as_of_period=as_of)
    truncated = DemandForecaster().fit(demo.until(as_of), sector_of=sector_of)
    later = demo.period > cut
    scrambled = SignalFrame(demo.district, demo.occupation, demo.period,
                            np.where(later, demo.postings * 10 + 99, demo.postings))
    tampered = DemandForecaster().fit(scrambled, sector_of=sector_of, as_of_period=as_of)
    assert full.last_period_ == as_of
    assert full.predict()[0].period == "2026-01"
    assert full.predict() == truncated.predict() == tampered.predict()


def test_gaps_are_missing_not_zero_and_late_starts_are_forecast() -> None:
    late = {("D0", "peak_a"): 28, ("D1", "flat_a"): 20}
    complete = DemandForecaster().fit(synthetic(seed=3, late=late), sector_of=SYNTH_SECTORS)
    gappy = DemandForecaster().fit(synthetic(seed=3, late=late, gap_rate=0.3), sector_of=SYNTH_SECTORS)
    assert gappy.series_ == complete.series_
    assert np.isfinite(gappy.level_).all() and np.isfinite(gappy.trend_).all()
    # dropping 30% of the months leaves the levels where they were (zero-filling would cut them by 30%)
    ratio = np.median(gappy.level_ / complete.level_)
    assert 0.9 < ratio < 1.1
    # the series that started 8 months before the end is forecast, with its sector's March peak
    row = gappy.series_.index(("D0", "peak_a"))
    assert gappy.n_observed_[row] <= 8
    forecast = {r.period: r.postings for r in gappy.predict(series=[("D0", "peak_a")], horizon=6)}
    assert forecast["2026-03"] > 1.6 * forecast["2026-02"]
    # its growth is borrowed from its district x sector and sector
    assert gappy.growth_[row] == pytest.approx(GROWTH["peak"], abs=0.06)


def test_min_history_drops_the_shortest_series() -> None:
    rows = synthetic(seed=1, districts=2, late={("D0", "flat_b"): 34})
    model = DemandForecaster(min_history=3).fit(rows, sector_of=SYNTH_SECTORS)
    assert ("D0", "flat_b") not in model.series_
    assert model.growth(np.array(["D0"]), np.array(["flat_b"])).tolist() == [0.0]
    assert ("D0", "flat_b") in DemandForecaster(min_history=2).fit(rows, sector_of=SYNTH_SECTORS).series_


def test_recovers_planted_seasonal_peak_and_trend() -> None:
    model = DemandForecaster().fit(synthetic(seed=11), sector_of=SYNTH_SECTORS)
    peak = model.seasonal_[model.sectors_.index("peak")]
    flat = model.seasonal_[model.sectors_.index("flat")]
    assert int(np.argmax(peak)) == 2  # March
    assert peak[2] == pytest.approx(PEAK[2], rel=0.1)
    assert np.abs(flat - 1.0).max() < 0.08
    by_sector = {s: model.growth_[model.series_sector_ == model.sectors_.index(s)] for s in ("peak", "flat")}
    assert np.median(by_sector["peak"]) == pytest.approx(0.20, abs=0.04)
    assert np.median(by_sector["flat"]) == pytest.approx(-0.10, abs=0.04)
    assert (by_sector["peak"] > 0).all() and (by_sector["flat"] < 0).all()


def test_pooling_steadies_short_noisy_series() -> None:
    late = {(f"D{d}", "peak_b"): 27 for d in range(8)}  # 9 months each
    rows = synthetic(seed=5, late=late, level=6.0)
    pooled = DemandForecaster().fit(rows, sector_of=SYNTH_SECTORS)
    alone = DemandForecaster(shrinkage=0.0).fit(rows, sector_of=SYNTH_SECTORS)
    rows_of = [pooled.series_.index((f"D{d}", "peak_b")) for d in range(8)]
    error_pooled = np.abs(pooled.growth_[rows_of] - GROWTH["peak"]).mean()
    error_alone = np.abs(alone.growth_[rows_of] - GROWTH["peak"]).mean()
    assert error_pooled < 0.5 * error_alone


def test_own_openings_are_optional_evidence(sector_of: dict[str, str], demo: SignalFrame) -> None:
    import csv

    with open(DEMO / "openings.csv", newline="", encoding="utf-8") as handle:
        openings = list(csv.DictReader(handle))
    plain = DemandForecaster().fit(demo, sector_of=sector_of, as_of_period="2026-04")
    informed = DemandForecaster().fit(demo, sector_of=sector_of, as_of_period="2026-04", own_openings=openings)
    ignored = DemandForecaster(own_openings_weight=0.0).fit(demo, sector_of=sector_of, as_of_period="2026-04",
                                                            own_openings=openings)
    assert informed.series_ == plain.series_
    assert np.abs(informed.growth_ - plain.growth_).max() < 0.1
    assert ignored.predict() == plain.predict()


# --------------------------------------------------------------------------- growth


def test_growth_is_a_demand_signal(demo_model: DemandForecaster) -> None:
    assert isinstance(demo_model, DemandSignal)
    d, o = demo_model.series_[0]
    out = demo_model.growth(np.array([d, "Nowhere", d]), np.array([o, o, "no_such_job"]))
    assert out.shape == (3,)
    assert out[0] == pytest.approx(demo_model.growth_[0])
    assert out[1] == 0.0 and out[2] == 0.0
    assert demo_model.get(d, o) == pytest.approx(out[0])
    with pytest.raises(ValueError):
        demo_model.growth(np.array([d]), np.array([o, o]))


def test_growth_agrees_with_the_true_growth_on_demo_data(demo_model: DemandForecaster) -> None:
    from demo.truth import TruthModel

    truth = TruthModel.load(DEMO)
    true = np.array([truth.demand_growth(d, o) for d, o in demo_model.series_])
    large = demo_model.level_ >= 8
    assert large.sum() >= 50
    assert spearmanr(demo_model.growth_[large], true[large]).statistic > 0.5
    assert np.mean(np.sign(demo_model.growth_[large]) == np.sign(true[large])) > 0.7


# --------------------------------------------------------------------------- persistence


def test_skops_round_trip(tmp_path: Path, demo_model: DemandForecaster) -> None:
    import skops.io as sio

    path = tmp_path / "demand.skops"
    sio.dump(demo_model, path)
    assert set(sio.get_untrusted_types(file=path)) <= set(TRUSTED_TYPES)
    loaded = sio.load(path, trusted=TRUSTED_TYPES)
    assert loaded.predict() == demo_model.predict()
    pairs = np.array(demo_model.series_, dtype=object)
    assert np.array_equal(loaded.growth(pairs[:, 0], pairs[:, 1]), demo_model.growth(pairs[:, 0], pairs[:, 1]))
    assert loaded.get_params() == demo_model.get_params()
