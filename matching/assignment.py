"""The nightly assignment: at most one proposal per trainee, at most ``capacity[j]`` per opening.

Input is a sparse list of allowed (trainee, opening) pairs, already filtered by
the safety rules, each with a score ``p`` in [0, 1]: the estimated probability
that she is still in that job at 12 months. The assignment maximises the sum of
``p`` over the chosen pairs, i.e. the expected number of placements that last a
year.

Why min-cost flow is exact here
-------------------------------
The problem is a maximum-weight bipartite b-matching. Written as a network::

    trainee i (supply 1) --[cap 1, cost -w_ij]--> opening j --[cap c_j, cost 0]--> sink (demand n)
    trainee i            --[cap 1, cost 0]-------------------------------------->  sink   (stays unassigned)

every feasible flow is a valid assignment and vice versa (the bypass arc lets a
trainee stay unassigned at no cost, so the flow need not go through openings).
The constraint matrix of a network is a node-arc incidence matrix, which is
totally unimodular; with integer supplies and capacities every vertex of the
flow polytope is integral, so a min-cost flow algorithm (OR-Tools' cost-scaling
push-relabel, exact integer arithmetic) returns an integral flow that is optimal
over all assignments, not just over fractional ones. The costs must be integers,
hence the scaling below.

Scaling of p to integers
------------------------
``w_ij = round(p_ij * scale)`` (default ``scale = 10**6``). The solution is
exactly optimal for the integer weights. Each chosen pair's weight is off by at
most ``0.5 / scale``; comparing our solution with the true real-valued optimum,
both of at most ``n`` pairs, the objective lost is at most ``n / scale`` (0.1
expected placements for 100,000 trainees at the default scale, in practice far
less because rounding errors cancel).

Tie-breaking
------------
Pairs are first put in a canonical order: by trainee index, then opening index
(so the result does not depend on the order of the input arrays). Among the
solutions that are optimal for the integer weights, the solver prefers pairs
that come earlier in that order. This is done with a deterministic epsilon on
the integer cost::

    cost_ij = -(w_ij * B + b_ij),   b_ij = T * (P - 1 - pos_ij) // (P - 1) in [0, T],   B = A * T + 1

where ``pos_ij`` is the pair's position in the canonical order, ``P`` the number
of pairs and ``A = min(trainees, places)`` an upper bound on the number of
chosen pairs. Any solution's total bonus is at most ``A * T < B``, so a solution
that loses even one unit of integer weight can never win on bonuses: the
primary optimum is untouched. Among the primary optima the total bonus is
maximised (for the same number of pairs: the sum of positions is minimised).
So two trainees with equal scores for the last place: the lower index gets it;
one trainee with equal scores at two openings with room: the lower opening.

``T`` is as large as the integer range allows, capped at ``P - 1``. OR-Tools
multiplies costs by (nodes + 3) and rejects costs above
``INT64_MAX / (2 (nodes + 3))``; node potentials need room below that, so costs
are kept to a quarter of it, ``max |cost| <= INT64_MAX / (8 (nodes + 3))``.
Should the solver still run out of range (it then reports BAD_COST_RANGE, never
a wrong answer) it is run again with ``INT64_MAX / (1024 (nodes + 3))`` and,
last, with ``T = 0`` (bare weights). With ``T = P - 1`` every pair has its own
bonus and the preference is strict; with 50 candidates each that holds up to
about 3,000 trainees.
Larger runs get a coarser ``T`` (about 16,000 for 10,000 × 2,000 and about 160
for 100,000 × 20,000 at K = 50), so the preference acts on blocks of
consecutive pairs and ties inside a block are settled by the solver's own
deterministic order over the canonically sorted arcs. Either way the same
inputs always give identical results.

The greedy baseline uses the same order for equal scores: descending score, then
lower trainee index, then lower opening index.

Fallback
--------
When OR-Tools is not installed, :func:`solve_assignment` solves the same
b-matching with HiGHS through scipy: the linear relaxation by dual simplex,
whose optimal vertex is integral because the constraint matrix is totally
unimodular (``scipy.optimize.milp`` with zero gap takes over should it ever not
be), on the same integer gains ``w * B + b``. Floating point needs a smaller
range, so gains are kept below ``2**50 / A``: strict ties on small runs,
bare integer weights on the largest (ties then fall to HiGHS' own order). It is
exact for the integer weights, but slower and hungrier: about 5 s for 10,000 ×
2,000 (480,000 pairs), about 2 minutes and 4.5 GB for 100,000 × 20,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

try:  # pragma: no cover - exercised through the installed package
    from ortools.graph.python import min_cost_flow as _min_cost_flow
except ImportError:  # pragma: no cover - the fallback is tested by disabling this
    _min_cost_flow = None

__all__ = [
    "ASSIGNED",
    "AssignmentResult",
    "LOST_TO_CAPACITY",
    "NO_FEASIBLE_OPENING",
    "greedy_assignment",
    "keep_top_k",
    "ranked_alternatives",
    "solve_assignment",
    "unassigned_reasons",
]

#: Codes of :func:`unassigned_reasons`.
ASSIGNED = 0
NO_FEASIBLE_OPENING = 1
LOST_TO_CAPACITY = 2

SOLVER_MIN_COST_FLOW = "ortools-min-cost-flow"
SOLVER_MILP = "scipy-highs"
SOLVER_GREEDY = "greedy"

_INT64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True)
class AssignmentResult:
    """Chosen pairs as aligned arrays, sorted by trainee index (one pair per trainee at most)."""

    trainee: np.ndarray  # int64 indices of the chosen pairs' trainees
    opening: np.ndarray  # int64 indices of their openings
    score: np.ndarray  # float64, their p_ij as given
    objective: float  # sum of score: expected placements lasting 12 months
    solver: str  # "ortools-min-cost-flow", "scipy-highs" or "greedy"
    status: str  # "optimal" (exact solvers) or "heuristic" (greedy)

    @property
    def size(self) -> int:
        """Number of proposals."""
        return int(self.trainee.shape[0])


# --------------------------------------------------------------------------- input checks


def _pairs(trainee: np.ndarray, opening: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.asarray(trainee)
    o = np.asarray(opening)
    s = np.asarray(score)
    if t.ndim != 1 or o.ndim != 1 or s.ndim != 1:
        raise ValueError("trainee, opening and score must be 1-D arrays")
    if not (t.shape == o.shape == s.shape):
        raise ValueError(f"trainee, opening and score must be aligned (lengths {t.size}, {o.size}, {s.size})")
    for name, arr in (("trainee", t), ("opening", o)):
        if arr.size and arr.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integer indices, not {arr.dtype}")
    t = t.astype(np.int64, copy=False)
    o = o.astype(np.int64, copy=False)
    s = s.astype(np.float64, copy=False)
    if t.size:
        if t.min() < 0 or o.min() < 0:
            raise ValueError("trainee and opening indices must be non-negative")
        if not np.all(np.isfinite(s)) or s.min() < 0.0 or s.max() > 1.0:
            raise ValueError("scores must be probabilities in [0, 1]")
    return t, o, s


def _capacity(capacity: np.ndarray, opening: np.ndarray) -> np.ndarray:
    c = np.asarray(capacity)
    if c.ndim != 1:
        raise ValueError("capacity must be a 1-D array indexed by opening")
    if c.size and c.dtype.kind not in "iu":
        if c.dtype.kind == "f" and np.all(np.isfinite(c)) and np.all(c == np.round(c)):
            c = c.astype(np.int64)
        else:
            raise ValueError(f"capacity must hold integers, not {c.dtype}")
    c = c.astype(np.int64, copy=False)
    if c.size and c.min() < 0:
        raise ValueError("capacity must be non-negative")
    if opening.size and opening.max() >= c.size:
        raise ValueError(f"opening index {int(opening.max())} has no capacity entry (len(capacity) = {c.size})")
    return c


def _canonical_order(t: np.ndarray, o: np.ndarray, n_openings: int, *, duplicates_ok: bool = False
                     ) -> np.ndarray | None:
    """Order by (trainee, opening), stable; ``None`` when the input is already in that order.

    Duplicate (trainee, opening) pairs raise ``ValueError`` unless ``duplicates_ok``."""
    if t.size < 2:
        return None
    key = t * np.int64(n_openings) + o
    step = np.diff(key)
    if np.all(step > 0) or (duplicates_ok and np.all(step >= 0)):
        return None
    if not duplicates_ok and np.all(step >= 0):
        raise ValueError("duplicate (trainee, opening) pair")
    order = np.argsort(key, kind="stable")
    if not duplicates_ok and np.any(np.diff(key[order]) == 0):
        raise ValueError("duplicate (trainee, opening) pair")
    return order


def _best_first(t: np.ndarray, o: np.ndarray, s: np.ndarray, *, duplicates_ok: bool = False) -> np.ndarray:
    """Order by trainee, then descending score, then opening (then input position): two or three stable sorts."""
    base = _canonical_order(t, o, int(o.max()) + 1, duplicates_ok=duplicates_ok)
    order = np.arange(t.size, dtype=np.int64) if base is None else base
    order = order[np.argsort(-s[order], kind="stable")]
    return order[np.argsort(t[order], kind="stable")]


def _empty(solver: str, status: str) -> AssignmentResult:
    return AssignmentResult(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64), 0.0,
                            solver, status)


def _result(t: np.ndarray, o: np.ndarray, s: np.ndarray, solver: str, status: str) -> AssignmentResult:
    return AssignmentResult(np.ascontiguousarray(t, np.int64), np.ascontiguousarray(o, np.int64),
                            np.ascontiguousarray(s, np.float64), float(np.sum(s)), solver, status)


# --------------------------------------------------------------------------- exact solver


@dataclass(frozen=True)
class _Network:
    """The filtered, canonically ordered pairs, with compact node numbers."""

    index: np.ndarray  # position of each pair in the caller's arrays
    t_node: np.ndarray  # compact trainee number, 0..nt-1 (non-decreasing)
    o_node: np.ndarray  # compact opening number, 0..no-1
    weight: np.ndarray  # round(p * scale), int64
    cap: np.ndarray  # per compact opening: min(capacity, number of pairs)
    n_trainees: int  # nt: trainees with at least one usable pair
    n_openings: int  # no: openings with room and at least one pair
    max_chosen: int  # upper bound on the number of chosen pairs


def _network(t: np.ndarray, o: np.ndarray, s: np.ndarray, capacity: np.ndarray, scale: int) -> _Network:
    order = _canonical_order(t, o, capacity.size)
    index = np.arange(t.size, dtype=np.int64) if order is None else order
    usable = capacity[o[index]] > 0
    if not np.all(usable):
        index = index[usable]
    tt, oo = t[index], o[index]
    if index.size == 0:
        return _Network(index, tt, oo, np.zeros(0, np.int64), np.zeros(0, np.int64), 0, 0, 0)
    new_trainee = np.empty(tt.size, dtype=bool)
    new_trainee[0] = True
    np.not_equal(tt[1:], tt[:-1], out=new_trainee[1:])
    t_node = np.cumsum(new_trainee, dtype=np.int64) - 1
    nt = int(t_node[-1]) + 1
    degree = np.bincount(oo, minlength=capacity.size)
    present = degree > 0
    o_map = np.cumsum(present, dtype=np.int64) - 1
    o_node = o_map[oo]
    cap = np.minimum(capacity[present], degree[present]).astype(np.int64)
    weight = np.rint(s[index] * scale).astype(np.int64)
    return _Network(index, t_node, o_node, weight, cap, nt, int(cap.size), int(min(nt, int(cap.sum()))))


def _tie_bonus(n_pairs: int, top: int) -> np.ndarray:
    """Bonus in [0, top], non-increasing along the canonical order; strictly decreasing when top >= P - 1."""
    rest = np.arange(n_pairs - 1, -1, -1, dtype=np.int64)  # P - 1 - pos
    if top >= n_pairs - 1:
        return rest
    return rest * np.int64(top) // np.int64(n_pairs - 1)


#: Headroom below OR-Tools' cost limit, tried in turn: the solver multiplies costs by (nodes + 3) and needs
#: room below that for node potentials (it reports BAD_COST_RANGE, never a wrong answer, when they run out).
#: ``None`` is the last resort: no tie-break bonus, costs are the bare integer weights.
_HEADROOMS: tuple[int | None, ...] = (8, 1024, None)


def _cost_budget(n_nodes: int, headroom: int) -> int:
    """Largest |unit cost| to use: OR-Tools' limit INT64_MAX / (2 (nodes + 3)), divided by ``headroom / 2``."""
    return _INT64_MAX // (headroom * (n_nodes + 3))


def _gains(net: _Network, budget: int) -> np.ndarray:
    """Integer gain per pair, ``w * B + b`` (see "Tie-breaking"), with the largest ``T`` that keeps it <= budget."""
    n_pairs = int(net.index.size)
    max_weight = int(net.weight.max())
    a = max(net.max_chosen, 1)
    # largest T with max_weight * (A*T + 1) + T <= budget, capped at P - 1 (then every pair is distinct)
    top = (budget - max_weight) // (max_weight * a + 1) if max_weight else budget
    top = int(max(0, min(top, n_pairs - 1)))
    gains = net.weight * np.int64(a * top + 1)
    gains += _tie_bonus(n_pairs, top)
    return gains


def _solve_min_cost_flow(net: _Network, scale: int) -> np.ndarray:
    """Boolean mask over ``net``'s pairs: the chosen ones."""
    nt, no, n_pairs = net.n_trainees, net.n_openings, int(net.index.size)
    n_nodes = nt + no + 1
    sink = nt + no
    if int(net.weight.max()) > _cost_budget(n_nodes, 8):
        raise ValueError(f"scale {scale} is too large for {n_nodes} nodes: integer costs would overflow")

    # Arc order: the pairs in canonical order (arc k = pair k), then opening -> sink, then trainee -> sink.
    tails = np.concatenate([net.t_node, np.arange(nt, nt + no, dtype=np.int64),
                            np.arange(nt, dtype=np.int64)]).astype(np.int32)
    heads = np.concatenate([net.o_node + nt, np.full(no + nt, sink, np.int64)]).astype(np.int32)
    caps = np.concatenate([np.ones(n_pairs, np.int64), net.cap, np.ones(nt, np.int64)])
    supplies = np.zeros(n_nodes, np.int64)
    supplies[:nt] = 1
    supplies[sink] = -nt
    nodes = np.arange(n_nodes, dtype=np.int32)

    status = None
    for headroom in _HEADROOMS:
        costs = np.zeros(n_pairs + no + nt, np.int64)
        if headroom is None:
            np.negative(net.weight, out=costs[:n_pairs])
        else:
            np.negative(_gains(net, _cost_budget(n_nodes, headroom)), out=costs[:n_pairs])
        flow = _min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        del costs
        flow.set_nodes_supplies(nodes, supplies)
        status = flow.solve()
        if status == flow.OPTIMAL:
            return np.asarray(flow.flows(np.arange(n_pairs, dtype=np.int32))) > 0
        del flow
        if status != _min_cost_flow.SimpleMinCostFlow.BAD_COST_RANGE:
            break
    raise RuntimeError(f"min-cost flow did not reach an optimum: {status}")


#: Fallback: bound on (largest gain) x (pairs that can be chosen), so that HiGHS' duals (sums of gains along
#: alternating paths) stay far inside float64's exact-integer range and reduced costs keep their integer sign.
_LP_GAIN_RANGE = 2**50


def _solve_milp(net: _Network) -> np.ndarray:
    """The same b-matching with HiGHS. The constraint matrix (trainee rows, opening rows) is totally unimodular,
    so the dual simplex ends on an integral vertex; should it not (numerical trouble), branch and bound on the
    same integer gains finishes the job. Ties use the same bonus as the flow solver, within a smaller range."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import csr_matrix

    nt, no, n_pairs = net.n_trainees, net.n_openings, int(net.index.size)
    cols = np.arange(n_pairs)
    rows = csr_matrix((np.ones(2 * n_pairs), (np.concatenate([net.t_node, nt + net.o_node]),
                                              np.concatenate([cols, cols]))), shape=(nt + no, n_pairs))
    upper = np.concatenate([np.ones(nt), net.cap.astype(np.float64)])
    budget = max(_LP_GAIN_RANGE // max(net.max_chosen, 1), int(net.weight.max()))
    gains = _gains(net, budget).astype(np.float64)

    lp = linprog(-gains, A_ub=rows, b_ub=upper, bounds=(0.0, 1.0), method="highs-ds")
    if lp.status == 0 and np.all(np.abs(lp.x - np.rint(lp.x)) < 1e-6):
        return np.rint(lp.x) > 0.5
    mip = milp(-gains, constraints=[LinearConstraint(rows, -np.inf, upper)], integrality=np.ones(n_pairs),
               bounds=Bounds(0.0, 1.0), options={"mip_rel_gap": 0.0})
    if mip.status != 0:
        raise RuntimeError(f"HiGHS did not reach an optimum: {mip.message}")
    return np.rint(mip.x) > 0.5


def solve_assignment(trainee: np.ndarray, opening: np.ndarray, score: np.ndarray, capacity: np.ndarray, *,
                     n_trainees: int | None = None, scale: int = 1_000_000) -> AssignmentResult:
    """Exact maximum-expected-placements assignment (see the module notes for the method and tie-breaking).

    ``trainee[k], opening[k], score[k]`` is one allowed pair; pairs must be unique. ``capacity[j]`` is the
    number of positions left at opening ``j`` (``len(capacity)`` covers every opening index). ``n_trainees``,
    when given, is checked against the trainee indices. Pairs of zero-capacity openings are ignored. The
    result is exactly optimal for the weights ``round(score * scale)``, sorted by trainee index, and is the
    same for the same pairs whatever their order in the input.
    """
    t, o, s = _pairs(trainee, opening, score)
    c = _capacity(capacity, o)
    scale = int(scale)
    if scale < 1:
        raise ValueError("scale must be a positive integer")
    if n_trainees is not None and t.size and t.max() >= n_trainees:
        raise ValueError(f"trainee index {int(t.max())} out of range for n_trainees = {n_trainees}")
    solver = SOLVER_MIN_COST_FLOW if _min_cost_flow is not None else SOLVER_MILP
    net = _network(t, o, s, c, scale)
    if net.index.size == 0:
        return _empty(solver, "optimal")
    chosen = _solve_min_cost_flow(net, scale) if _min_cost_flow is not None else _solve_milp(net)
    picked = net.index[chosen]  # canonical order: sorted by trainee
    rt, ro = t[picked], o[picked]
    # cheap guard: the solution must respect both limits
    if rt.size and (np.any(np.diff(rt) == 0) or np.any(np.bincount(ro, minlength=c.size) > c)):
        raise RuntimeError("solver returned an assignment that breaks a limit")
    return _result(rt, ro, s[picked], solver, "optimal")


# --------------------------------------------------------------------------- greedy baseline


def greedy_assignment(trainee: np.ndarray, opening: np.ndarray, score: np.ndarray,
                      capacity: np.ndarray) -> AssignmentResult:
    """Baseline: pairs by descending score (then lower trainee, then lower opening); take a pair when the
    trainee is still free and the opening has room. Never better than :func:`solve_assignment` on the integer
    weights (on the raw scores, by at most n / scale)."""
    t, o, s = _pairs(trainee, opening, score)
    c = _capacity(capacity, o)
    if t.size == 0:
        return _empty(SOLVER_GREEDY, "heuristic")
    base = _canonical_order(t, o, c.size)  # also rejects duplicate pairs
    order = np.arange(t.size, dtype=np.int64) if base is None else base
    order = order[c[o[order]] > 0]
    if order.size == 0:
        return _empty(SOLVER_GREEDY, "heuristic")
    order = order[np.argsort(-s[order], kind="stable")]  # stable: equal scores stay in (trainee, opening) order
    tu, ou = t[order], o[order]
    free = bytearray(b"\x01") * (int(tu.max()) + 1)
    room = c.tolist()
    n_free = int(np.count_nonzero(np.bincount(tu)))
    remaining = min(n_free, int(np.minimum(c, np.bincount(ou, minlength=c.size)).sum()))
    taken: list[int] = []
    for k, (i, j) in enumerate(zip(tu.tolist(), ou.tolist())):
        if free[i] and room[j]:
            free[i] = 0
            room[j] -= 1
            taken.append(k)
            remaining -= 1
            if remaining == 0:  # every trainee placed or every place filled: nothing more can be taken
                break
    picked = order[np.asarray(taken, dtype=np.int64)]
    picked = picked[np.argsort(t[picked], kind="stable")]
    return _result(t[picked], o[picked], s[picked], SOLVER_GREEDY, "heuristic")


# --------------------------------------------------------------------------- alternatives and pruning


def _rank_within_trainee(t_sorted: np.ndarray) -> np.ndarray:
    """0-based rank of each row inside its run of equal trainee values (input sorted by trainee)."""
    n = t_sorted.size
    if n == 0:
        return np.zeros(0, np.int64)
    pos = np.arange(n, dtype=np.int64)
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(t_sorted[1:], t_sorted[:-1], out=start[1:])
    first = np.maximum.accumulate(np.where(start, pos, 0))
    return pos - first


def keep_top_k(trainee: np.ndarray, opening: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices (ascending, into the given arrays) of each trainee's ``k`` best pairs by score.

    Equal scores: lower opening index first, then earlier position. Vectorised (one sort)."""
    t, o, s = _pairs(trainee, opening, score)
    if k < 0:
        raise ValueError("k must be non-negative")
    if t.size == 0 or k == 0:
        return np.zeros(0, np.int64)
    order = _best_first(t, o, s, duplicates_ok=True)
    keep = _rank_within_trainee(t[order]) < k
    return np.sort(order[keep]).astype(np.int64, copy=False)


def ranked_alternatives(trainee: np.ndarray, opening: np.ndarray, score: np.ndarray, *, top: int = 5,
                        exclude: AssignmentResult | None = None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each trainee's best ``top`` openings by score, leaving out the pair proposed to her in ``exclude``.

    Returns aligned arrays ``(trainee, opening, score, rank)`` with ``rank`` 1..top, sorted by trainee then
    rank; equal scores rank the lower opening index first. Vectorised (one sort, no per-trainee loop)."""
    t, o, s = _pairs(trainee, opening, score)
    if top < 0:
        raise ValueError("top must be non-negative")
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64), np.zeros(0, np.int64))
    if t.size == 0 or top == 0:
        return empty
    _canonical_order(t, o, int(o.max()) + 1)  # rejects duplicate pairs
    if exclude is not None and len(exclude.trainee):
        n = max(int(t.max()), int(np.max(exclude.trainee))) + 1
        proposed = np.full(n, -1, np.int64)
        proposed[np.asarray(exclude.trainee, np.int64)] = np.asarray(exclude.opening, np.int64)
        kept = np.flatnonzero(proposed[t] != o)
        t, o, s = t[kept], o[kept], s[kept]
        if t.size == 0:
            return empty
    order = _best_first(t, o, s, duplicates_ok=True)
    rank = _rank_within_trainee(t[order]) + 1
    keep = rank <= top
    order = order[keep]
    return t[order], o[order], s[order], rank[keep]


def unassigned_reasons(n_trainees: int, trainee_with_any_pair: np.ndarray, result: AssignmentResult) -> np.ndarray:
    """Per trainee (int8): 0 assigned, 1 no feasible opening (no allowed pair at all), 2 lost to capacity
    (she had allowed pairs, but their openings' places went to others or had none left).

    ``trainee_with_any_pair`` is a boolean mask of length ``n_trainees`` or the trainee indices of the allowed
    pairs (repeats are fine)."""
    has = np.asarray(trainee_with_any_pair)
    if has.dtype == bool:
        if has.shape != (n_trainees,):
            raise ValueError("a boolean trainee_with_any_pair must have length n_trainees")
        mask = has
    else:
        mask = np.zeros(n_trainees, dtype=bool)
        if has.size:
            mask[has.astype(np.int64, copy=False)] = True
    reasons = np.where(mask, np.int8(LOST_TO_CAPACITY), np.int8(NO_FEASIBLE_OPENING)).astype(np.int8)
    reasons[np.asarray(result.trainee, np.int64)] = ASSIGNED
    return reasons
