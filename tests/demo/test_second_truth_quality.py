"""Quality smoke test on the second truth: what the scorers rank first, the truth rates higher, even when the
world is not the additive one the default generator draws (a small world; the full figures are in
``make bench-quality``)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from demo import TruthModel, generate_bundle
from matching.engine import MatchEngine
from matching.outcome_data import build_training_set, read_bundle_records
from matching.outcome_model import OutcomeModel
from matching.reference import default_data_dir, load_site, load_taxonomy
from matching.tables import OpeningTable, TraineeTable

NUMBERS = ("lat", "lon", "expected_wage_inr", "attendance_rate", "monthly_wage_inr")


def _raw(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["external_id"]: row for row in csv.DictReader(handle)}


def _columns(rows: list[dict[str, str]]) -> dict[str, np.ndarray]:
    return {k: np.array([float(r[k]) if k in NUMBERS else r[k] for r in rows]) for k in rows[0]}


@pytest.fixture(scope="module")
def allowed_pairs(tmp_path_factory):
    """Every allowed job-ready x open pair of a small world drawn from the second truth: the weighted score, the
    score of the outcome model trained on its (selected) history, and the truth."""
    taxonomy = load_taxonomy(default_data_dir() / "taxonomy.json")
    site = load_site(default_data_dir() / "sites" / "west_bengal")
    bundle = tmp_path_factory.mktemp("second_truth") / "bundle"
    generate_bundle(bundle, seed=5, trainees=1500, openings=300, truth="interactions")
    truth = TruthModel.load(bundle)
    records = read_bundle_records(bundle, taxonomy=taxonomy)
    engine = MatchEngine(taxonomy=taxonomy, site=site)
    history = build_training_set(engine=engine, trainees=records.trainees, openings=records.openings,
                                 employers=records.employers, placements=records.placements,
                                 followups=records.followups, as_of=truth.reference_date)
    model = OutcomeModel().fit(history)
    trainees = TraineeTable.from_records([r for r in records.trainees if r["status"] == "job_ready"],
                                         taxonomy=taxonomy, site=site)
    openings = OpeningTable.from_records([r for r in records.openings if r["status"] == "open"],
                                         employers=records.employers, taxonomy=taxonomy, site=site)
    t_idx = np.repeat(np.arange(len(trainees)), len(openings))
    o_idx = np.tile(np.arange(len(openings)), len(trainees))
    weighted = engine.score_pairs(trainees, t_idx, openings, o_idx, as_of=truth.reference_date)
    t_idx, o_idx = t_idx[weighted.allowed], o_idx[weighted.allowed]
    trained = MatchEngine(taxonomy=taxonomy, site=site, scorer=model).score_pairs(
        trainees, t_idx, openings, o_idx, as_of=truth.reference_date)
    raw_t, raw_o, raw_e = _raw(bundle / "trainees.csv"), _raw(bundle / "openings.csv"), _raw(bundle / "employers.csv")
    o_rows = [raw_o[openings.external_id[j]] for j in o_idx]
    o_cols = _columns(o_rows)
    o_cols["vetted"] = np.array([raw_e[r["employer_external_id"]]["vetted"] for r in o_rows])
    true_p = truth.retention_probability(_columns([raw_t[trainees.external_id[i]] for i in t_idx]), o_cols)
    return {"weighted": weighted.score[weighted.allowed], "trained": trained.score, "truth": true_p}


@pytest.mark.parametrize("scorer", ["weighted", "trained"])
def test_scores_agree_with_the_second_truth_on_allowed_pairs(allowed_pairs, scorer):
    score, true_p = allowed_pairs[scorer], allowed_pairs["truth"]
    assert true_p.size > 1000  # enough allowed pairs to measure (the qualification rule leaves about 1,600)
    auc = roc_auc_score(true_p > np.median(true_p), score)
    rho = spearmanr(score, true_p).statistic
    print(f"\nsecond truth, {true_p.size} allowed pairs, {scorer}: AUC against the truth above its median {auc:.3f},"
          f" Spearman {rho:.3f}")
    assert auc > 0.65
    assert rho > 0.4
