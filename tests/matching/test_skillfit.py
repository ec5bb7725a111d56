"""Skill fit: partial levels, related skills, the share covered, and the three vectorised entry points."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matching.reference import Taxonomy
from matching.skillfit import RelatedSkills, skill_fit_one_opening, skill_fit_one_trainee, skill_fit_pairs


@pytest.fixture(scope="module")
def related(taxonomy: Taxonomy) -> RelatedSkills:
    return RelatedSkills.from_taxonomy(taxonomy)


def levels(taxonomy: Taxonomy, *rows: dict[str, int]) -> sp.csr_matrix:
    return sp.csr_matrix(np.vstack([taxonomy.skill_vector(r) for r in rows]).astype(np.int8))


def fit_one(taxonomy: Taxonomy, related: RelatedSkills, has: dict[str, int], needs: dict[str, int]):
    return skill_fit_one_trainee(levels(taxonomy, has)[0], levels(taxonomy, needs), related)


def test_meeting_every_requirement_is_a_full_fit(taxonomy: Taxonomy, related: RelatedSkills) -> None:
    result = fit_one(taxonomy, related, {"pos_billing": 3, "cash_handling": 2}, {"pos_billing": 2, "cash_handling": 2})
    assert result.fit.tolist() == [1.0]
    assert (result.n_required[0], result.n_met[0], result.n_partial[0]) == (2, 2, 0)


def test_a_lower_level_counts_partly(taxonomy: Taxonomy, related: RelatedSkills) -> None:
    result = fit_one(taxonomy, related, {"patient_care": 2}, {"patient_care": 3})
    assert result.fit[0] == pytest.approx(2 / 3)
    assert (result.n_met[0], result.n_partial[0]) == (0, 1)
    assert fit_one(taxonomy, related, {"patient_care": 1}, {"patient_care": 2}).fit[0] == pytest.approx(0.5)


def test_related_skills_earn_their_weight(taxonomy: Taxonomy, related: RelatedSkills) -> None:
    # machine stitching earns 0.6 towards hand stitching; hand stitching only 0.5 the other way
    towards_hand = fit_one(taxonomy, related, {"machine_stitching": 2}, {"hand_stitching": 2})
    towards_machine = fit_one(taxonomy, related, {"hand_stitching": 2}, {"machine_stitching": 2})
    assert towards_hand.fit[0] == pytest.approx(0.6)
    assert towards_machine.fit[0] == pytest.approx(0.5)
    assert (towards_hand.n_met[0], towards_hand.n_partial[0]) == (0, 1)
    # related credit is scaled by level too: level 1 of machine stitching towards hand stitching at level 2
    assert fit_one(taxonomy, related, {"machine_stitching": 1}, {"hand_stitching": 2}).fit[0] == pytest.approx(0.3)
    # the best source wins, and never beats holding the skill itself
    both = fit_one(taxonomy, related, {"machine_stitching": 2, "hand_stitching": 1}, {"hand_stitching": 2})
    assert both.fit[0] == pytest.approx(0.6)
    # unrelated skills earn nothing
    none = fit_one(taxonomy, related, {"cooking": 3}, {"pos_billing": 1})
    assert none.fit[0] == 0.0 and (none.n_met[0], none.n_partial[0]) == (0, 0)


def test_fit_is_the_share_covered(taxonomy: Taxonomy, related: RelatedSkills) -> None:
    result = fit_one(taxonomy, related, {"sales_selling": 2, "customer_communication": 2},
                     {"sales_selling": 2, "customer_communication": 2, "product_display": 1, "stock_handling": 1})
    # product display: 0.5 through sales; stock handling: nothing she holds earns credit towards it
    assert result.n_required[0] == 4 and result.n_met[0] == 2 and result.n_partial[0] == 1
    assert result.fit[0] == pytest.approx((1 + 1 + 0.5 + 0) / 4)


def test_nothing_required_fits_fully(taxonomy: Taxonomy, related: RelatedSkills) -> None:
    result = fit_one(taxonomy, related, {}, {})
    assert result.fit.tolist() == [1.0] and result.n_required.tolist() == [0]


def test_the_three_entry_points_agree(taxonomy: Taxonomy, related: RelatedSkills) -> None:
    rng = np.random.default_rng(4)
    n_skills = len(taxonomy.skill_index)
    trainees = sp.random(30, n_skills, density=0.1, random_state=5, format="csr",
                         data_rvs=lambda n: rng.integers(1, 4, n)).astype(np.int8)
    openings = sp.random(25, n_skills, density=0.08, random_state=6, format="csr",
                         data_rvs=lambda n: rng.integers(1, 4, n)).astype(np.int8)
    t_idx = np.repeat(np.arange(30), 25)
    o_idx = np.tile(np.arange(25), 30)
    pairs = skill_fit_pairs(trainees, t_idx, openings, o_idx, related)
    assert np.all((pairs.fit >= 0) & (pairs.fit <= 1))
    assert np.all(pairs.n_met + pairs.n_partial <= pairs.n_required)
    for t in range(30):
        one = skill_fit_one_trainee(trainees[t], openings, related)
        rows = slice(t * 25, (t + 1) * 25)
        assert np.allclose(one.fit, pairs.fit[rows])
        assert (one.n_met == pairs.n_met[rows]).all() and (one.n_partial == pairs.n_partial[rows]).all()
        assert (one.n_required == pairs.n_required[rows]).all()
    for o in range(25):
        one = skill_fit_one_opening(trainees, openings[o], related)
        assert np.allclose(one.fit, pairs.fit[o::25])
        assert (one.n_met == pairs.n_met[o::25]).all() and (one.n_partial == pairs.n_partial[o::25]).all()
    # subsets of rows
    some = np.array([3, 0, 3])
    assert np.allclose(skill_fit_one_trainee(trainees[1], openings, related, some).fit, pairs.fit[25 + some])
    assert np.allclose(skill_fit_one_opening(trainees, openings[2], related, some).fit, pairs.fit[some * 25 + 2])


def test_more_skill_never_lowers_the_fit(taxonomy: Taxonomy, related: RelatedSkills) -> None:
    rng = np.random.default_rng(9)
    n_skills = len(taxonomy.skill_index)
    required = sp.random(40, n_skills, density=0.1, random_state=2, format="csr",
                         data_rvs=lambda n: rng.integers(1, 4, n)).astype(np.int8)
    for _ in range(20):
        base = rng.integers(0, 4, n_skills) * (rng.random(n_skills) < 0.15)
        more = np.minimum(base + (rng.random(n_skills) < 0.2), 3)
        assert np.all(skill_fit_one_trainee(more, required, related).fit
                      >= skill_fit_one_trainee(base, required, related).fit - 1e-12)


def test_related_matrix_is_validated() -> None:
    with pytest.raises(ValueError):
        RelatedSkills(np.zeros((3, 3)))
    with pytest.raises(ValueError):
        RelatedSkills(np.eye(3)[:2])


def test_pairs_agree_whether_credit_is_tabulated_per_trainee_or_per_requirement(taxonomy: Taxonomy,
                                                                                 related: RelatedSkills) -> None:
    rng = np.random.default_rng(12)
    n_skills = len(taxonomy.skill_index)
    trainees = sp.random(40, n_skills, density=0.1, random_state=3, format="csr",
                         data_rvs=lambda n: rng.integers(1, 4, n)).astype(np.int8)
    openings = sp.random(300, n_skills, density=0.1, random_state=4, format="csr",
                         data_rvs=lambda n: rng.integers(1, 4, n)).astype(np.int8)
    few = np.repeat([5, 17], 300)                       # two trainees, many pairs each: tabulated
    many = rng.integers(0, 40, 300)                     # many trainees, one pair each: per requirement
    for t_idx, o_idx in ((few, np.tile(np.arange(300), 2)), (many, np.arange(300))):
        pairs = skill_fit_pairs(trainees, t_idx, openings, o_idx, related)
        for p in range(0, len(t_idx), 7):
            one = skill_fit_one_trainee(trainees[t_idx[p]], openings, related, o_idx[p:p + 1])
            assert pairs.fit[p] == pytest.approx(one.fit[0])
            assert (pairs.n_met[p], pairs.n_partial[p]) == (one.n_met[0], one.n_partial[0])
