"""The fairness report: its sums on a hand-built case, and small cells suppressed."""

from __future__ import annotations

import numpy as np

from matching.fairness import FEWER, SUPPRESSED, fairness_report, sensitive_aggregate


def hand_built():
    """30 job-ready women and 2 not job-ready: 12 in north (6 proposed), 12 in south (9), 6 in east (3)."""
    district = np.array(["north"] * 12 + ["south"] * 12 + ["east"] * 6 + ["north", "south"], dtype=object)
    ready = np.array([True] * 30 + [False, False])
    proposed = np.zeros(32, bool)
    proposed[[0, 1, 2, 3, 4, 5]] = True
    proposed[12:21] = True
    proposed[[24, 25, 26]] = True
    proposed[30] = True  # not job-ready: never counted
    retention = np.where(proposed, 0.5, np.nan)
    retention[12:21] = 0.8
    return district, ready, proposed, retention


def test_shares_retention_and_expected_lasting_placements():
    district, ready, proposed, retention = hand_built()
    region = np.where(district == "east", "south", district)  # north 12 women (6 proposed), south 18 (12)
    report = fairness_report(groups={"region": region}, job_ready=ready, proposed=proposed, retention=retention)
    cells = {cell["group"]: cell for cell in report["dimensions"]["region"]}
    assert cells["north"] == {"group": "north", "women_job_ready": 12, "proposed": 6, "share_proposed": 0.5,
                              "mean_expected_retention": 0.5}
    assert cells["south"]["share_proposed"] == 0.667 and cells["south"]["mean_expected_retention"] == 0.725
    assert report["worst_share"]["region"] == {"group": "north", "share_proposed": 0.5}
    assert report["totals"] == {"women_job_ready": 30, "proposed": 18, "share_proposed": 0.6,
                                "expected_lasting_placements": round(9 * 0.5 + 9 * 0.8, 1),
                                "mean_expected_retention": 0.65}


def test_a_group_under_ten_women_is_suppressed_and_so_is_the_next_smallest():
    district, ready, proposed, retention = hand_built()
    report = fairness_report(groups={"district": district}, job_ready=ready, proposed=proposed, retention=retention)
    cells = {cell["group"]: cell for cell in report["dimensions"]["district"]}
    assert cells["east"] == {"group": "east", "women_job_ready": FEWER, "proposed": SUPPRESSED,
                             "share_proposed": SUPPRESSED, "mean_expected_retention": SUPPRESSED}
    # north and south both have 12: one of them goes too, or the totals would give east's counts away
    assert [cells[g]["proposed"] == SUPPRESSED for g in ("north", "south")].count(True) == 1
    assert {cells[g]["women_job_ready"] for g in ("north", "south")} == {12, SUPPRESSED}
    assert report["worst_share"]["district"]["share_proposed"] in (0.5, 0.75)


def test_the_sensitive_aggregate_is_suppressed_when_either_side_is_small():
    district, ready, proposed, retention = hand_built()
    few = np.zeros(32, bool)
    few[:5] = True
    hidden = sensitive_aggregate(member=few, job_ready=ready, proposed=proposed, retention=retention)
    assert hidden["members"]["proposed"] == SUPPRESSED and hidden["others"]["proposed"] == SUPPRESSED
    half = np.arange(32) % 2 == 0
    shown = sensitive_aggregate(member=half, job_ready=ready, proposed=proposed, retention=retention)
    assert shown["members"]["women_job_ready"] == 15 and shown["others"]["women_job_ready"] == 15
    assert shown["members"]["proposed"] + shown["others"]["proposed"] == 18
