"""Market-demand model: rolling-origin backtest against seasonal naive and the last-12-month mean.

    python benchmarks/demand_backtest.py [--bundle data/demo] [--origins 6] [--generate 1 2 3] [--stack 10]

For the shipped demo bundle (or ``--bundle``) prints the WAPE table per horizon
and overall for the model and both baselines, the per-sector WAPE, the fit time,
and, where the bundle carries its hidden truth, the WAPE of an oracle that is
given the true seasonal profiles and growth rates (what the best possible model
of this kind could reach) and how well the model's growth rates agree with the
true ones. ``--generate`` does the same on freshly generated bundles (one per
seed); ``--stack K`` times the fit on K generated bundles stacked into one
(districts renamed per bundle), about 180 x K series. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from matching.backtest import METHODS, BacktestReport, rolling_origin_backtest
from matching.demand_model import DemandForecaster, SignalFrame, period_index
from matching.reference import load_taxonomy


def _truth(bundle: Path):
    if not (bundle / "_truth" / "truth.json").is_file():
        return None
    from demo.truth import TruthModel
    return TruthModel.load(bundle)


class OracleForecaster(DemandForecaster):
    """Told the true seasonal profiles and growth rates; only the level is estimated (from all history)."""

    def __init__(self, *, truth=None, signals=None, **kwargs):
        super().__init__(**kwargs)
        self.truth = truth
        self.signals = signals

    def fit(self, signals, *, sector_of, own_openings=None, as_of_period=None):
        super().fit(signals, sector_of=sector_of, as_of_period=as_of_period)
        seasons = self.truth.params.get("seasonality", {})
        for i, sector in enumerate(self.sectors_):
            if sector in seasons:
                profile = np.asarray(seasons[sector], dtype=float)
                self.seasonal_[i] = profile / np.exp(np.log(profile).mean())
        growth = np.array([self.truth.demand_growth(d, o) for d, o in self.series_])
        self.trend_ = np.log1p(growth) / 12.0
        self.trend_var_ = np.zeros_like(self.trend_)
        frame = signals.until(as_of_period) if as_of_period else signals
        last = period_index(self.last_period_)
        first = int(frame.period.min())
        y, observed = frame.dense(self.series_, first, last)
        months = np.arange(first, last + 1)
        shape = (self.seasonal_[self.series_sector_][:, months % 12]
                 * np.exp(self.trend_[:, None] * (months - last)[None, :]))
        self.level_ = y.sum(axis=1) / np.where(observed, shape, 0.0).sum(axis=1)
        return self


def _growth_agreement(model: DemandForecaster, truth) -> str:
    from scipy.stats import spearmanr

    true = np.array([truth.demand_growth(d, o) for d, o in model.series_])
    large = model.level_ >= 8
    rho_all = spearmanr(model.growth_, true).statistic
    rho_large = spearmanr(model.growth_[large], true[large]).statistic
    mae = float(np.abs(model.growth_ - true).mean())
    return (f"growth vs truth: Spearman {rho_all:.2f} (all {model.n_series_} series), {rho_large:.2f} "
            f"({int(large.sum())} series with >= 8 postings/month); mean abs error {100 * mae:.1f} points/yr")


def _per_sector(report: BacktestReport) -> str:
    lines = [f"{'sector':<18} {'points':>7} " + " ".join(f"{m:>18}" for m in METHODS)]
    for sector, values in report.per_sector.items():
        lines.append(f"{sector:<18} {int(values['points']):>7} "
                     + " ".join(f"{values[m]:>18.3f}" for m in METHODS))
    return "\n".join(lines)


def run_bundle(bundle: Path, sector_of: dict[str, str], origins: int, title: str) -> None:
    frame = SignalFrame.from_csv(bundle / "market_signals.csv")
    print(f"\n== {title}: {len(frame)} rows, {len(frame.series())} series, {frame.first_period}..{frame.last_period}")
    report = rolling_origin_backtest(frame, sector_of=sector_of, origins=origins)
    print(report.table())
    print()
    print(_per_sector(report))
    times = []
    for _ in range(7):
        started = time.perf_counter()
        model = DemandForecaster().fit(frame, sector_of=sector_of)
        times.append(time.perf_counter() - started)
    print(f"\nfull fit ({model.n_series_} series, {len(frame)} rows): median {1000 * statistics.median(times):.1f} ms "
          f"over {len(times)} fits; predict 6 months: ", end="")
    started = time.perf_counter()
    model.predict()
    print(f"{1000 * (time.perf_counter() - started):.1f} ms")
    truth = _truth(bundle)
    if truth is not None:
        oracle = rolling_origin_backtest(frame, sector_of=sector_of, origins=origins,
                                         model_factory=lambda: OracleForecaster(truth=truth))
        print(f"oracle (true seasonality and growth): WAPE {oracle.wape['model']:.3f}, "
              f"{oracle.improvement:.1f}% better than seasonal naive (the model: {report.wape['model']:.3f}, "
              f"{report.improvement:.1f}%)")
        print(_growth_agreement(model, truth))


def run_stack(k: int, sector_of: dict[str, str]) -> None:
    from demo.generator import generate_bundle

    records: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, k + 1):
            out = Path(tmp) / f"b{seed}"
            generate_bundle(out, seed=seed, trainees=300, openings=40)
            frame = SignalFrame.from_csv(out / "market_signals.csv")
            records.extend({"district": f"{d}#{seed}", "occupation": o, "period": f"{p // 12:04d}-{p % 12 + 1:02d}",
                            "postings": v}
                           for d, o, p, v in zip(frame.district.tolist(), frame.occupation.tolist(),
                                                 frame.period.tolist(), frame.postings.tolist()))
    started = time.perf_counter()
    stacked = SignalFrame.from_records(records)
    read = time.perf_counter() - started
    times = []
    for _ in range(3):
        started = time.perf_counter()
        model = DemandForecaster().fit(stacked, sector_of=sector_of)
        times.append(time.perf_counter() - started)
    print(f"\n== {k} bundles stacked: {len(stacked)} rows, {model.n_series_} series; building the frame "
          f"{1000 * read:.0f} ms, fit median {1000 * statistics.median(times):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=REPO / "data" / "demo")
    parser.add_argument("--origins", type=int, default=6)
    parser.add_argument("--generate", type=int, nargs="*", default=[], metavar="SEED",
                        help="also backtest freshly generated bundles with these seeds")
    parser.add_argument("--stack", type=int, default=0, metavar="K",
                        help="time the fit on K generated bundles stacked into one")
    args = parser.parse_args()
    taxonomy = load_taxonomy(REPO / "data" / "taxonomy.json")
    sector_of = {code: occupation.sector for code, occupation in taxonomy.occupations.items()}
    run_bundle(args.bundle, sector_of, args.origins, str(args.bundle))
    if args.generate:
        from demo.generator import generate_bundle

        with tempfile.TemporaryDirectory() as tmp:
            for seed in args.generate:
                out = Path(tmp) / f"seed{seed}"
                generate_bundle(out, seed=seed, trainees=300, openings=40)
                run_bundle(out, sector_of, args.origins, f"generated bundle, seed {seed}")
    if args.stack:
        run_stack(args.stack, sector_of)


if __name__ == "__main__":
    main()
