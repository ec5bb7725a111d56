"""The nightly assignment: exactness against independent optima, limits, ties, greedy baseline, alternatives."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from matching import assignment
from matching.assignment import (
    ASSIGNED,
    LOST_TO_CAPACITY,
    NO_FEASIBLE_OPENING,
    AssignmentResult,
    greedy_assignment,
    keep_top_k,
    ranked_alternatives,
    solve_assignment,
    unassigned_reasons,
)

SCALE = 1_000_000


# --------------------------------------------------------------------------- independent references


def random_instance(rng: np.random.Generator, *, ties: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = int(rng.integers(3, 13))
    m = int(rng.integers(2, 7))
    density = rng.uniform(0.15, 0.9)
    mask = rng.random((n, m)) < density
    t, o = np.nonzero(mask)
    s = rng.uniform(0.0, 1.0, t.size)
    s = np.maximum(np.round(s, 1), 0.1) if ties else np.maximum(s, 1e-3)
    c = rng.integers(0, 4, m)
    return t.astype(np.int64), o.astype(np.int64), s, c


def dp_optimum(t: np.ndarray, o: np.ndarray, w: np.ndarray, c: np.ndarray) -> float:
    """Exact optimum by dynamic programming over trainees, state = places left per opening."""
    trainees = sorted(set(t.tolist()))
    options = {i: [(int(j), w[k]) for k, (ii, j) in enumerate(zip(t.tolist(), o.tolist())) if ii == i]
               for i in trainees}

    @cache
    def best(pos: int, room: tuple[int, ...]) -> float:
        if pos == len(trainees):
            return 0
        value = best(pos + 1, room)  # she stays unassigned
        for j, weight in options[trainees[pos]]:
            if room[j] > 0:
                rest = room[:j] + (room[j] - 1,) + room[j + 1:]
                value = max(value, weight + best(pos + 1, rest))
        return value

    return best(0, tuple(int(x) for x in c))


def milp_optimum(t: np.ndarray, o: np.ndarray, s: np.ndarray, c: np.ndarray) -> float:
    """Exact optimum of the real-valued problem with HiGHS (binary variables, zero gap)."""
    if t.size == 0:
        return 0.0
    n, m, p = int(t.max()) + 1, c.size, t.size
    cols = np.arange(p)
    rows = csr_matrix((np.ones(2 * p), (np.concatenate([t, n + o]), np.concatenate([cols, cols]))),
                      shape=(n + m, p))
    upper = np.concatenate([np.ones(n), c.astype(float)])
    res = milp(-s, constraints=[LinearConstraint(rows, -np.inf, upper)], integrality=np.ones(p),
               bounds=Bounds(0, 1), options={"mip_rel_gap": 0.0})
    assert res.status == 0
    return float(s @ np.rint(res.x))


def check_feasible(result: AssignmentResult, t: np.ndarray, o: np.ndarray, s: np.ndarray, c: np.ndarray) -> None:
    assert result.trainee.shape == result.opening.shape == result.score.shape
    assert np.all(np.diff(result.trainee) > 0), "sorted by trainee, at most one proposal each"
    counts = np.bincount(result.opening, minlength=c.size) if result.size else np.zeros(c.size, int)
    assert np.all(counts <= c), "capacity exceeded"
    given_pairs = {(int(a), int(b)): float(x) for a, b, x in zip(t, o, s)}
    for a, b, x in zip(result.trainee, result.opening, result.score):
        assert (int(a), int(b)) in given_pairs, "a pair that was not given"
        assert given_pairs[(int(a), int(b))] == x
    assert result.objective == pytest.approx(float(np.sum(result.score)), abs=1e-12)


def integer_weight(result: AssignmentResult, scale: int = SCALE) -> int:
    return int(np.rint(result.score * scale).astype(np.int64).sum())


# --------------------------------------------------------------------------- exactness


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
def test_exact_equals_dynamic_programme_on_random_small_instances(ties: bool) -> None:
    rng = np.random.default_rng(20260301 + ties)
    for _ in range(150):
        t, o, s, c = random_instance(rng, ties=ties)
        result = solve_assignment(t, o, s, c)
        check_feasible(result, t, o, s, c)
        assert result.status == "optimal" and result.solver == "ortools-min-cost-flow"
        w = np.rint(s * SCALE).astype(np.int64)
        assert integer_weight(result) == dp_optimum(t, o, w, c)  # exact for the integer weights
        n = int(t.max()) + 1 if t.size else 1
        assert abs(result.objective - dp_optimum(t, o, s, c)) <= 1e-6 * n


def test_exact_equals_independent_milp() -> None:
    rng = np.random.default_rng(7)
    for _ in range(80):
        t, o, s, c = random_instance(rng)
        result = solve_assignment(t, o, s, c)
        n = int(t.max()) + 1 if t.size else 1
        assert abs(result.objective - milp_optimum(t, o, s, c)) <= 1e-6 * n


@settings(max_examples=60, deadline=None, database=None)
@given(st.data())
def test_exact_property(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 8))
    m = data.draw(st.integers(1, 5))
    cells = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), unique=True, max_size=n * m))
    t = np.array([a for a, _ in cells], dtype=np.int64)
    o = np.array([b for _, b in cells], dtype=np.int64)
    s = np.array(data.draw(st.lists(st.sampled_from([0.05, 0.2, 0.25, 0.5, 0.7, 0.9, 1.0]),
                                    min_size=len(cells), max_size=len(cells))), dtype=float)
    c = np.array(data.draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)), dtype=np.int64)
    result = solve_assignment(t, o, s, c, n_trainees=n)
    check_feasible(result, t, o, s, c)
    assert integer_weight(result) == dp_optimum(t, o, np.rint(s * SCALE).astype(np.int64), c)
    greedy = greedy_assignment(t, o, s, c)
    check_feasible(greedy, t, o, s, c)
    assert integer_weight(greedy) <= integer_weight(result)


def test_coarse_scale_is_exact_for_its_own_weights() -> None:
    rng = np.random.default_rng(3)
    for _ in range(40):
        t, o, s, c = random_instance(rng)
        result = solve_assignment(t, o, s, c, scale=10)
        assert integer_weight(result, 10) == dp_optimum(t, o, np.rint(s * 10).astype(np.int64), c)


# --------------------------------------------------------------------------- greedy baseline


def test_greedy_never_beats_exact() -> None:
    rng = np.random.default_rng(11)
    for k in range(200):
        t, o, s, c = random_instance(rng, ties=k % 2 == 1)
        exact = solve_assignment(t, o, s, c)
        greedy = greedy_assignment(t, o, s, c)
        check_feasible(greedy, t, o, s, c)
        assert greedy.solver == "greedy"
        assert integer_weight(greedy) <= integer_weight(exact)
        assert greedy.objective <= exact.objective + 1e-6 * (int(t.max()) + 1 if t.size else 1)


def test_greedy_is_strictly_worse_when_her_best_is_another_ones_only_option() -> None:
    # trainee 0: opening 0 (0.9) or opening 1 (0.8); trainee 1: only opening 0 (0.85); one place each.
    t, o, s, c = np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([0.9, 0.8, 0.85]), np.array([1, 1])
    greedy = greedy_assignment(t, o, s, c)
    exact = solve_assignment(t, o, s, c)
    assert greedy.trainee.tolist() == [0] and greedy.opening.tolist() == [0]
    assert greedy.objective == pytest.approx(0.9)
    assert exact.trainee.tolist() == [0, 1] and exact.opening.tolist() == [1, 0]
    assert exact.objective == pytest.approx(1.65)


# --------------------------------------------------------------------------- determinism and ties


def test_same_inputs_give_identical_arrays_whatever_the_pair_order() -> None:
    rng = np.random.default_rng(5)
    n, m, k = 400, 60, 12
    t = np.repeat(np.arange(n), k)
    o = np.concatenate([rng.choice(m, k, replace=False) for _ in range(n)])
    s = np.round(rng.beta(2, 5, t.size), 2).clip(0.01, 1)  # many equal scores
    c = rng.integers(0, 4, m)
    first = solve_assignment(t, o, s, c)
    again = solve_assignment(t.copy(), o.copy(), s.copy(), c.copy())
    perm = rng.permutation(t.size)
    shuffled = solve_assignment(t[perm], o[perm], s[perm], c)
    for other in (again, shuffled):
        for field in ("trainee", "opening", "score"):
            assert np.array_equal(getattr(first, field), getattr(other, field))
        assert first.objective == other.objective
    g1, g2 = greedy_assignment(t, o, s, c), greedy_assignment(t[perm], o[perm], s[perm], c)
    assert np.array_equal(g1.trainee, g2.trainee) and np.array_equal(g1.opening, g2.opening)
    assert integer_weight(g1) <= integer_weight(first)


@pytest.mark.parametrize("solve", [solve_assignment, greedy_assignment], ids=["exact", "greedy"])
def test_equal_scores_go_to_the_lower_trainee_index(solve) -> None:
    t, o, s, c = np.array([5, 2, 9]), np.array([0, 0, 0]), np.array([0.6, 0.6, 0.6]), np.array([1])
    result = solve(t, o, s, c)
    assert result.trainee.tolist() == [2] and result.opening.tolist() == [0]


@pytest.mark.parametrize("solve", [solve_assignment, greedy_assignment], ids=["exact", "greedy"])
def test_equal_scores_give_her_the_lower_opening_index(solve) -> None:
    t, o, s, c = np.array([0, 0, 0]), np.array([4, 1, 3]), np.array([0.7, 0.7, 0.7]), np.array([1, 1, 1, 1, 1])
    result = solve(t, o, s, c)
    assert result.trainee.tolist() == [0] and result.opening.tolist() == [1]


def test_ties_never_cost_objective() -> None:
    # all scores equal: any maximum-cardinality assignment is optimal; the lower indices are chosen
    t = np.array([0, 0, 1, 1, 2, 2, 3])
    o = np.array([0, 1, 0, 1, 0, 1, 1])
    s = np.full(t.size, 0.5)
    result = solve_assignment(t, o, s, np.array([1, 1]))
    assert result.objective == pytest.approx(1.0)
    assert result.trainee.tolist() == [0, 1] and sorted(result.opening.tolist()) == [0, 1]


# --------------------------------------------------------------------------- edge cases


def test_zero_capacity_openings_are_never_used() -> None:
    t, o, s = np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), np.array([0.99, 0.3, 0.95, 0.9])
    c = np.array([0, 2, 0])
    for result in (solve_assignment(t, o, s, c), greedy_assignment(t, o, s, c)):
        assert result.opening.tolist() == [1, 1]
        assert result.trainee.tolist() == [0, 1]
    none = solve_assignment(t, o, s, np.zeros(3, np.int64))
    assert none.size == 0 and none.objective == 0.0 and none.status == "optimal"


def test_empty_input() -> None:
    empty = np.zeros(0, np.int64)
    for result in (solve_assignment(empty, empty, np.zeros(0), np.array([2, 1])),
                   solve_assignment(empty, empty, np.zeros(0), empty),
                   greedy_assignment(empty, empty, np.zeros(0), empty)):
        assert result.size == 0 and result.objective == 0.0
        assert result.trainee.dtype == np.int64 and result.score.dtype == np.float64
    alt = ranked_alternatives(empty, empty, np.zeros(0))
    assert all(a.size == 0 for a in alt)
    assert keep_top_k(empty, empty, np.zeros(0), 3).size == 0


def test_more_places_than_trainees_places_everyone_at_her_best() -> None:
    t, o, s = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([0.4, 0.6, 0.9, 0.2])
    result = solve_assignment(t, o, s, np.array([5, 5]))
    assert result.opening.tolist() == [1, 0]


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (([0, 0], [1, 1], [0.5, 0.4], [1, 1]), {}, "duplicate"),
    (([1, 0, 1], [0, 0, 0], [0.5, 0.4, 0.3], [1]), {}, "duplicate"),
    (([0, 1], [0], [0.5, 0.4], [1]), {}, "aligned"),
    (([0], [0], [1.5], [1]), {}, "probabilities"),
    (([0], [0], [float("nan")], [1]), {}, "probabilities"),
    (([0], [3], [0.5], [1]), {}, "capacity entry"),
    (([0], [0], [0.5], [-1]), {}, "non-negative"),
    (([-1], [0], [0.5], [1]), {}, "non-negative"),
    (([0.0], [0], [0.5], [1]), {}, "integer"),
    (([4], [0], [0.5], [1]), {"n_trainees": 4}, "out of range"),
    (([0], [0], [0.5], [1]), {"scale": 0}, "scale"),
    (([0], [0], [0.5], [1]), {"scale": 10**18}, "too large"),
])
def test_bad_input_is_refused(args, kwargs, message: str) -> None:
    arrays = [np.asarray(a) for a in args]
    with pytest.raises(ValueError, match=message):
        solve_assignment(*arrays, **kwargs)


# --------------------------------------------------------------------------- fallback and integer range


def test_milp_fallback_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assignment, "_min_cost_flow", None)
    rng = np.random.default_rng(17)
    for k in range(40):
        t, o, s, c = random_instance(rng, ties=k % 2 == 1)
        result = solve_assignment(t, o, s, c)
        assert result.solver == "scipy-highs" and result.status == "optimal"
        check_feasible(result, t, o, s, c)
        assert integer_weight(result) == dp_optimum(t, o, np.rint(s * SCALE).astype(np.int64), c)
    # the same lower-index preference as the flow solver
    tie = solve_assignment(np.array([5, 2, 9]), np.array([0, 0, 0]), np.full(3, 0.6), np.array([1]))
    assert tie.trainee.tolist() == [2]


def test_milp_safety_net_when_the_relaxation_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize

    class Failed:
        status = 4
        x = None

    monkeypatch.setattr(assignment, "_min_cost_flow", None)
    monkeypatch.setattr(scipy.optimize, "linprog", lambda *args, **kwargs: Failed())
    rng = np.random.default_rng(19)
    for _ in range(10):
        t, o, s, c = random_instance(rng)
        result = solve_assignment(t, o, s, c)
        check_feasible(result, t, o, s, c)
        assert integer_weight(result) == dp_optimum(t, o, np.rint(s * SCALE).astype(np.int64), c)


def test_out_of_range_costs_fall_back_to_bare_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    solves: list[int] = []
    base = assignment._min_cost_flow.SimpleMinCostFlow

    class Counting(base):  # type: ignore[misc, valid-type]
        def solve(self):
            status = super().solve()
            solves.append(int(status.value) if hasattr(status, "value") else int(status))
            return status

    class Module:
        SimpleMinCostFlow = Counting

    monkeypatch.setattr(assignment, "_min_cost_flow", Module)
    monkeypatch.setattr(assignment, "_HEADROOMS", (1, None))  # first try deliberately above the limit
    # nine trainees, one place: enough pairs for a tie-break bonus that pushes the largest cost past the limit
    t, o, c = np.arange(9), np.zeros(9, np.int64), np.array([1])
    s = np.array([0.3, 0.9, 0.6, 0.9, 0.1, 0.2, 0.5, 0.8, 0.7])
    scale = assignment._cost_budget(9 + 1 + 1, 8)  # the largest scale accepted for 11 nodes
    result = solve_assignment(t, o, s, c, scale=scale)
    assert result.trainee.tolist() == [1] and result.status == "optimal"
    codes = [int(getattr(x, "value", x)) for x in (base.BAD_COST_RANGE, base.OPTIMAL)]
    assert solves == codes


def test_nightly_shaped_instance_beats_greedy() -> None:
    rng = np.random.default_rng(23)
    n, m, k = 3000, 500, 20
    t = np.repeat(np.arange(n), k)
    o = np.concatenate([rng.choice(m, k, replace=False) for _ in range(n)])
    s = rng.beta(2, 5, t.size).clip(1e-3, 1)
    c = rng.integers(1, 4, m)
    exact, greedy = solve_assignment(t, o, s, c, n_trainees=n), greedy_assignment(t, o, s, c)
    assert np.all(np.diff(exact.trainee) > 0)
    assert np.all(np.bincount(exact.opening, minlength=m) <= c)
    assert greedy.objective < exact.objective
    assert exact.size == min(n, int(c.sum()))  # every place filled: each opening has many candidates


# --------------------------------------------------------------------------- alternatives, pruning, reasons


def naive_ranking(t, o, s, excluded=frozenset(), top=None):
    rows = {}
    for a, b, x in zip(t.tolist(), o.tolist(), s.tolist()):
        if (a, b) not in excluded:
            rows.setdefault(a, []).append((-x, b))
    out = []
    for a in sorted(rows):
        for r, (negx, b) in enumerate(sorted(rows[a])[:top], start=1):
            out.append((a, b, -negx, r))
    return out


def test_ranked_alternatives_exclude_the_proposal_and_rank_by_score() -> None:
    rng = np.random.default_rng(31)
    for _ in range(30):
        t, o, s, c = random_instance(rng, ties=True)
        proposal = solve_assignment(t, o, s, c)
        for top in (1, 2, 5):
            at, ao, as_, ar = ranked_alternatives(t, o, s, top=top, exclude=proposal)
            excluded = set(zip(proposal.trainee.tolist(), proposal.opening.tolist()))
            assert not excluded & set(zip(at.tolist(), ao.tolist()))
            assert list(zip(at.tolist(), ao.tolist(), as_.tolist(), ar.tolist())) == naive_ranking(
                t, o, s, excluded, top)
            assert ar.min(initial=1) >= 1 and ar.max(initial=top) <= top


def test_ranked_alternatives_without_exclusion_and_ties() -> None:
    t = np.array([1, 1, 1, 0, 1])
    o = np.array([3, 0, 2, 5, 1])
    s = np.array([0.5, 0.5, 0.9, 0.1, 0.2])
    at, ao, as_, ar = ranked_alternatives(t, o, s, top=3)
    assert at.tolist() == [0, 1, 1, 1]
    assert ao.tolist() == [5, 2, 0, 3]  # 0.9, then the tie 0.5/0.5 by lower opening
    assert ar.tolist() == [1, 1, 2, 3]
    assert as_.tolist() == [0.1, 0.9, 0.5, 0.5]
    only = AssignmentResult(np.array([0]), np.array([5]), np.array([0.1]), 0.1, "test", "optimal")
    at, ao, _, ar = ranked_alternatives(t, o, s, top=2, exclude=only)
    assert at.tolist() == [1, 1] and ao.tolist() == [2, 0] and ar.tolist() == [1, 2]


def test_keep_top_k_keeps_each_trainees_best_pairs() -> None:
    rng = np.random.default_rng(41)
    for _ in range(30):
        t, o, s, _ = random_instance(rng, ties=True)
        perm = rng.permutation(t.size)
        t, o, s = t[perm], o[perm], s[perm]
        for k in (0, 1, 2, 10):
            idx = keep_top_k(t, o, s, k)
            assert np.all(np.diff(idx) > 0)
            kept = sorted(zip(t[idx].tolist(), o[idx].tolist()))
            expected = sorted((a, b) for a, b, _, _ in naive_ranking(t, o, s, top=k)) if k else []
            assert kept == expected


def test_unassigned_reasons() -> None:
    t, o, s = np.array([0, 1, 3, 3]), np.array([0, 0, 1, 0]), np.array([0.9, 0.5, 0.4, 0.3])
    result = solve_assignment(t, o, s, np.array([1, 0]))
    reasons = unassigned_reasons(5, t, result)
    assert reasons.dtype == np.int8
    assert reasons.tolist() == [ASSIGNED, LOST_TO_CAPACITY, NO_FEASIBLE_OPENING, LOST_TO_CAPACITY,
                                NO_FEASIBLE_OPENING]
    mask = np.array([True, True, False, True, False])
    assert np.array_equal(unassigned_reasons(5, mask, result), reasons)
