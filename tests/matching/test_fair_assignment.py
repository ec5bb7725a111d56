"""Group-fair assignment: a starved group is served, and the limits of the plain assignment still hold."""

from __future__ import annotations

import numpy as np
import pytest

from matching import fair_assignment
from matching.assignment import solve_assignment
from matching.fair_assignment import solve_fair_assignment, worst_share


def starving_instance():
    """Eight women, two groups, four places: group a scores higher everywhere, so the plain optimum takes only a."""
    trainee = np.repeat(np.arange(8), 2)
    opening = np.tile([0, 1], 8)
    score = np.where(trainee < 4, 0.9, 0.5) - 0.01 * opening
    capacity = np.array([2, 2])
    partner = np.array(["a"] * 4 + ["b"] * 4, dtype=object)
    return trainee, opening, score, capacity, partner


def check_limits(result, trainee, opening, capacity) -> None:
    allowed = set(zip(trainee.tolist(), opening.tolist()))
    assert set(zip(result.trainee.tolist(), result.opening.tolist())) <= allowed  # only safe pairs
    assert len(set(result.trainee.tolist())) == result.size  # one proposal per woman
    assert np.all(np.bincount(result.opening, minlength=capacity.size) <= capacity)


@pytest.mark.parametrize("mode", ["proportional", "maxmin"])
def test_a_starved_group_gets_its_share_at_a_price(mode):
    trainee, opening, score, capacity, partner = starving_instance()
    plain = solve_assignment(trainee, opening, score, capacity)
    assert set(partner[plain.trainee]) == {"a"}
    fair = solve_fair_assignment(trainee, opening, score, capacity, groups={"partner_org": partner}, mode=mode,
                                 alpha=1.0, epsilon=0.0)
    check_limits(fair.result, trainee, opening, capacity)
    assert list(partner[fair.result.trainee]).count("b") == 2 and fair.result.size == 4
    assert fair.price == pytest.approx(2 * 0.4, abs=1e-6) and not fair.relaxed
    proposed = np.zeros(8, bool)
    proposed[fair.result.trainee] = True
    assert worst_share(proposed, partner, np.ones(8, bool)) == ("a", 0.5)
    if mode == "maxmin":
        assert fair.best_worst_share == pytest.approx(0.5, abs=1e-5)


def test_a_group_without_safe_pairs_is_held_at_what_it_can_have():
    trainee, opening, score, capacity, partner = starving_instance()
    partner = np.append(partner, "c")  # a ninth woman, with no safe pair at all
    fair = solve_fair_assignment(trainee, opening, score, capacity, groups={"partner_org": partner}, mode="maxmin",
                                 epsilon=0.0)
    by_group = {target.group: target for target in fair.targets}
    assert by_group["c"].achievable == 0 and by_group["c"].target == 0
    assert by_group["b"].proposed == 2 and fair.best_worst_share == pytest.approx(0.5, abs=1e-5)


def test_floors_that_cannot_all_be_met_are_relaxed_not_refused():
    trainee, opening, score, capacity, partner = starving_instance()
    t, o, s = trainee, opening, score
    net = fair_assignment._network(t, o, s, capacity, 1_000_000)
    chosen = fair_assignment._fair_min_cost_flow(net, (partner == "b").astype(np.int64), np.array([3, 3]))
    assert int(chosen.sum()) == 4  # six asked, four places: every place used, three for one group and one other


def test_several_dimensions_are_solved_by_highs_within_the_limits():
    rng = np.random.default_rng(3)
    n, m = 40, 6
    mask = rng.random((n, m)) < 0.5
    trainee, opening = np.nonzero(mask)
    score = rng.uniform(0.2, 0.9, trainee.size) + np.where(trainee < 20, 0.1, 0.0)
    score = np.minimum(score, 1.0)
    capacity = rng.integers(1, 4, m)
    groups = {"partner_org": np.where(np.arange(n) < 20, "a", "b"),
              "has_dependents": np.where(np.arange(n) % 2 == 0, "yes", "no")}
    fair = solve_fair_assignment(trainee, opening, score, capacity, groups=groups, mode="proportional", alpha=0.9)
    assert fair.solver == fair_assignment.SOLVER_FAIR_MILP and fair.gap <= 1e-3
    check_limits(fair.result, trainee, opening, capacity)
    assert all(target.proposed >= target.target for target in fair.targets)
    assert fair.result.objective <= fair.unconstrained.objective + 1e-9


def test_without_ortools_highs_and_scipy_give_the_same_optimum_as_the_flow(monkeypatch):
    rng = np.random.default_rng(5)
    n, m = 30, 5
    trainee, opening = np.nonzero(rng.random((n, m)) < 0.6)
    score = rng.uniform(0.0, 1.0, trainee.size)
    capacity = rng.integers(1, 4, m)
    groups = {"district": np.array(["x", "y", "z"], dtype=object)[np.arange(n) % 3]}
    flow = solve_fair_assignment(trainee, opening, score, capacity, groups=groups, mode="maxmin")
    monkeypatch.setattr(fair_assignment, "_min_cost_flow", None)
    monkeypatch.setattr(fair_assignment, "_max_flow", None)  # feasibility by scipy's maximum flow
    highs = solve_fair_assignment(trainee, opening, score, capacity, groups=groups, mode="maxmin")
    assert highs.solver == fair_assignment.SOLVER_FAIR_MILP
    assert highs.result.objective == pytest.approx(flow.result.objective, abs=1e-3)
    assert highs.best_worst_share == pytest.approx(flow.best_worst_share)
    assert [t.achievable for t in highs.targets] == [t.achievable for t in flow.targets]


def test_maxmin_takes_one_dimension_and_only_the_named_modes():
    trainee, opening, score, capacity, partner = starving_instance()
    with pytest.raises(ValueError, match="one dimension"):
        solve_fair_assignment(trainee, opening, score, capacity, mode="maxmin",
                              groups={"partner_org": partner, "district": partner})
    with pytest.raises(ValueError, match="fairness mode"):
        solve_fair_assignment(trainee, opening, score, capacity, groups={"partner_org": partner}, mode="off")
