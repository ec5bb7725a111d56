"""Group-fair nightly assignment: the exact assignment of :mod:`matching.assignment` with a floor on the number of
proposals each group of women gets (groups of a dimension such as her partner organisation or district).

Two modes, after Freund et al., "Group fairness in dynamic refugee assignment" (2023):

``proportional``
    each group ``g`` gets at least ``floor(alpha * share_g * N)`` proposals, ``share_g`` being its share of the
    job-ready women and ``N`` the number of proposals of the unconstrained assignment; the floor is capped at the
    most proposals the group's own safe pairs allow (``achievable``).
``maxmin``
    first the largest share ``t*`` such that every group can get ``ceil(t * women_g)`` proposals at once (or, for
    a group whose pairs cannot reach that even alone, its ``achievable``); then the most expected lasting
    placements with every group held to ``floor((1 - epsilon) * t* * women_g)``.

Exactness
---------
For one dimension the groups partition the women, and the floors fit in the flow network of
:mod:`matching.assignment`: a woman who stays unassigned sends her unit through her group's node ``U_g``, whose arc
to the sink carries at most ``m_g - L_g`` units at no cost (``m_g`` women of the group in the network, ``L_g`` its
floor) and up to ``L_g`` more at a penalty ``P`` each. The matrix is still a network matrix (totally unimodular),
so OR-Tools' min-cost flow returns an integral optimum. ``P`` exceeds any possible total gain, so the optimum first
meets as many floors as the pairs allow together (a floor that cannot be met with the others is relaxed to what
can, and the result says so), then maximises the expected lasting placements. Feasibility of a set of floors
(``maxmin``'s bisection on ``t``, and each group's ``achievable``) is one maximum flow: source -> group node
(capacity ``L_g``) -> her -> opening -> sink; the floors can all be met exactly when the flow is ``sum L_g``.

Several dimensions at once overlap and break that structure: the same problem is then a mixed-integer programme
solved by HiGHS (``scipy.optimize.milp``) with a time limit and a relative gap, both reported.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matching.assignment import (
    AssignmentResult,
    _capacity,
    _cost_budget,
    _empty,
    _gains,
    _Network,
    _network,
    _pairs,
    _result,
    solve_assignment,
)

try:  # pragma: no cover - exercised through the installed package
    from ortools.graph.python import max_flow as _max_flow
    from ortools.graph.python import min_cost_flow as _min_cost_flow
except ImportError:  # pragma: no cover
    _max_flow = None
    _min_cost_flow = None

__all__ = ["FAIRNESS_MODES", "FairAssignment", "GroupTarget", "solve_fair_assignment"]

FAIRNESS_MODES = ("proportional", "maxmin")
SOLVER_FAIR_FLOW = "ortools-min-cost-flow-with-group-floors"
SOLVER_FAIR_MILP = "scipy-highs-milp"
#: Bisection steps on maxmin's share: the share found is within 2**-14 of the best one (far inside epsilon).
_BISECTION_STEPS = 14


@dataclass(frozen=True)
class GroupTarget:
    """One group's floor: what was asked of the assignment, and what it gave."""

    dimension: str
    group: str
    women: int  # job-ready women of the group
    achievable: int  # most proposals the group's own pairs allow, were no other group served
    target: int  # the floor asked (already capped at ``achievable``)
    proposed: int  # proposals the fair assignment gives the group

    @property
    def shortfall(self) -> int:
        """Floor missed: the groups' floors could not all be met together."""
        return max(self.target - self.proposed, 0)


@dataclass(frozen=True)
class FairAssignment:
    """The fair proposals, the unconstrained ones they are compared with, and what the floors were."""

    result: AssignmentResult
    unconstrained: AssignmentResult
    mode: str
    dimensions: tuple[str, ...]
    targets: tuple[GroupTarget, ...]
    best_worst_share: float | None  # maxmin: t*, the best share every group can have at once
    gap: float  # relative optimality gap (0.0 for the exact network solve)
    solver: str
    seconds: float

    @property
    def relaxed(self) -> bool:
        """Some floor could not be met together with the others and was lowered to what the pairs allow."""
        return any(target.shortfall for target in self.targets)

    @property
    def price(self) -> float:
        """Expected lasting placements given up for the floors."""
        return self.unconstrained.objective - self.result.objective


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class _Dimension:
    name: str
    labels: tuple[str, ...]  # group names, sorted
    code: np.ndarray  # per trainee: index into labels
    women: np.ndarray  # per group: job-ready women


def _dimensions(groups: Mapping[str, np.ndarray], n: int, job_ready: np.ndarray) -> list[_Dimension]:
    found = []
    for name, values in groups.items():
        labels = np.asarray(values, dtype=object)
        if labels.shape != (n,):
            raise ValueError(f"group labels of '{name}' must have one entry per trainee ({n})")
        names, code = np.unique(labels.astype(str), return_inverse=True)
        found.append(_Dimension(name, tuple(names.tolist()), code.astype(np.int64),
                                np.bincount(code[job_ready], minlength=names.size).astype(np.int64)))
    return found


def _node_trainee(net: _Network, t: np.ndarray) -> np.ndarray:
    """The caller's trainee index of each trainee node of the network."""
    tt = t[net.index]
    if tt.size == 0:
        return tt
    first = np.r_[0, np.flatnonzero(tt[1:] != tt[:-1]) + 1]
    return tt[first]


# --------------------------------------------------------------------------- maximum flows (feasibility)


class _GroupFlow:
    """source -> group node (capacity: the group's floor) -> her -> opening -> sink, built once per dimension; the
    largest flow for given floors says how many of them can be met at once."""

    def __init__(self, net: _Network, node_group: np.ndarray, n_groups: int) -> None:
        nt, no = net.n_trainees, net.n_openings
        self.n_groups = n_groups
        source, sink = nt + no + n_groups, nt + no + n_groups + 1
        self.n_nodes = sink + 1
        self.source, self.sink = source, sink
        tails = np.concatenate([np.full(n_groups, source), nt + no + node_group, net.t_node,
                                np.arange(nt, nt + no)]).astype(np.int32)
        heads = np.concatenate([nt + no + np.arange(n_groups), np.arange(nt), nt + net.o_node,
                                np.full(no, sink)]).astype(np.int32)
        caps = np.concatenate([np.zeros(n_groups, np.int64), np.ones(nt + net.index.size, np.int64),
                               net.cap]).astype(np.int64)
        self.tails, self.heads, self.caps = tails, heads, caps
        self.flow = None
        if _max_flow is not None:
            self.flow = _max_flow.SimpleMaxFlow()
            self.flow.add_arcs_with_capacity(tails, heads, caps)

    def most(self, floors: np.ndarray) -> int:
        """The most proposals that can go to the groups with each group taking at most its floor."""
        floors = np.asarray(floors, np.int64)
        if int(floors.sum()) == 0:
            return 0
        if self.flow is not None:
            self.flow.set_arcs_capacity(np.arange(self.n_groups, dtype=np.int32), floors)
            status = self.flow.solve(self.source, self.sink)
            if status != self.flow.OPTIMAL:
                raise RuntimeError(f"maximum flow did not reach an optimum: {status}")
            return int(self.flow.optimal_flow())
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import maximum_flow
        caps = self.caps.copy()
        caps[:self.n_groups] = floors
        graph = csr_matrix((caps.astype(np.int32), (self.tails, self.heads)), shape=(self.n_nodes, self.n_nodes))
        return int(maximum_flow(graph, self.source, self.sink).flow_value)

    def achievable(self) -> np.ndarray:
        """Per group: the most proposals its own pairs allow, were no other group served."""
        out = np.zeros(self.n_groups, np.int64)
        for g in range(self.n_groups):
            floors = np.zeros(self.n_groups, np.int64)
            floors[g] = self.caps.size  # no limit but the group's own
            out[g] = self.most(floors)
        return out


# --------------------------------------------------------------------------- floors


def _proportional_floors(dimension: _Dimension, achievable: np.ndarray, total: int, alpha: float) -> np.ndarray:
    women = dimension.women.astype(np.float64)
    share = women / max(women.sum(), 1.0)
    wanted = np.floor(alpha * share * total + 1e-9).astype(np.int64)
    return np.minimum(wanted, achievable)


def _maxmin_share(flow: _GroupFlow, women: np.ndarray, achievable: np.ndarray) -> float:
    """t*: the largest share every group can have at once (a group that cannot reach it alone: its achievable)."""
    def floors(share: float) -> np.ndarray:
        return np.minimum(np.ceil(share * women - 1e-9).astype(np.int64), achievable)

    def feasible(share: float) -> bool:
        wanted = floors(share)
        return flow.most(wanted) == int(wanted.sum())

    if feasible(1.0):
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(_BISECTION_STEPS):
        middle = (low + high) / 2
        if feasible(middle):
            low = middle
        else:
            high = middle
    return low


# --------------------------------------------------------------------------- solvers with floors


def _fair_min_cost_flow(net: _Network, node_group: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Boolean mask over ``net``'s pairs: the most expected placements with the groups' floors met as far as
    they can be together (see the module notes)."""
    nt, no, n_pairs, n_groups = net.n_trainees, net.n_openings, int(net.index.size), int(floors.size)
    n_nodes = nt + no + n_groups + 1
    sink = n_nodes - 1
    members = np.bincount(node_group, minlength=n_groups).astype(np.int64)
    floors = np.minimum(floors, members)
    tails = np.concatenate([net.t_node, np.arange(nt, nt + no), np.arange(nt),
                            nt + no + np.arange(n_groups), nt + no + np.arange(n_groups)]).astype(np.int32)
    heads = np.concatenate([nt + net.o_node, np.full(no, sink), nt + no + node_group,
                            np.full(2 * n_groups, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n_pairs, np.int64), net.cap, np.ones(nt, np.int64), members - floors, floors])
    supplies = np.zeros(n_nodes, np.int64)
    supplies[:nt] = 1
    supplies[sink] = -nt
    a = max(net.max_chosen, 1)
    status = None
    for headroom in (8, 1024):
        budget = _cost_budget(n_nodes, headroom)
        gain_budget = (budget - 1) // (a + 1)  # the penalty, above every total gain, must fit the budget too
        if int(net.weight.max()) > gain_budget:
            raise ValueError("too many pairs for the integer costs of the floors: lower the scale")
        gains = _gains(net, gain_budget)
        penalty = a * int(gains.max()) + 1
        costs = np.concatenate([-gains, np.zeros(no + nt + n_groups, np.int64), np.full(n_groups, penalty)])
        flow = _min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
        status = flow.solve()
        if status == flow.OPTIMAL:
            return np.asarray(flow.flows(np.arange(n_pairs, dtype=np.int32))) > 0
        if status != _min_cost_flow.SimpleMinCostFlow.BAD_COST_RANGE:
            break
    raise RuntimeError(f"min-cost flow with group floors did not reach an optimum: {status}")


def _fair_milp(net: _Network, node_groups: Sequence[np.ndarray], floors: Sequence[np.ndarray], *,
               time_limit: float, mip_gap: float) -> tuple[np.ndarray, float]:
    """The same with overlapping groups: HiGHS branch and bound on x (pairs) and each floor's shortfall; the chosen
    pairs and the relative gap reached."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix, hstack, identity, vstack

    nt, no, n_pairs = net.n_trainees, net.n_openings, int(net.index.size)
    cols = np.arange(n_pairs)
    limits = csr_matrix((np.ones(2 * n_pairs), (np.concatenate([net.t_node, nt + net.o_node]),
                                                np.concatenate([cols, cols]))), shape=(nt + no, n_pairs))
    n_short = int(sum(f.size for f in floors))
    rows = [csr_matrix((np.ones(n_pairs), (node_group[net.t_node], cols)), shape=(f.size, n_pairs))
            for node_group, f in zip(node_groups, floors)]
    group_rows = vstack(rows).tocsr()
    slack = vstack([csr_matrix((nt + no, n_short)), identity(n_short, format="csr")])
    matrix = hstack([vstack([limits, group_rows]), slack]).tocsr()
    low = np.concatenate([np.full(nt + no, -np.inf), np.concatenate(list(floors)).astype(np.float64)])
    high = np.concatenate([np.ones(nt), net.cap.astype(np.float64), np.full(n_short, np.inf)])
    weight = net.weight.astype(np.float64) / max(float(net.weight.max()), 1.0)
    penalty = float(max(net.max_chosen, 1) + 1)
    objective = np.concatenate([-weight, np.full(n_short, penalty)])
    integrality = np.concatenate([np.ones(n_pairs), np.zeros(n_short)])
    upper = np.concatenate([np.ones(n_pairs), np.concatenate(list(floors)).astype(np.float64)])
    found = milp(objective, constraints=[LinearConstraint(matrix, low, high)], integrality=integrality,
                 bounds=Bounds(np.zeros(n_pairs + n_short), upper),
                 options={"time_limit": float(time_limit), "mip_rel_gap": float(mip_gap)})
    if found.x is None:
        raise RuntimeError(f"HiGHS found no assignment within the limits: {found.message}")
    gap = float(getattr(found, "mip_gap", 0.0) or 0.0)
    return np.rint(found.x[:n_pairs]) > 0.5, gap


# --------------------------------------------------------------------------- the entry point


def solve_fair_assignment(trainee: np.ndarray, opening: np.ndarray, score: np.ndarray, capacity: np.ndarray, *,
                          groups: Mapping[str, np.ndarray], mode: str, job_ready: np.ndarray | None = None,
                          alpha: float = 0.9, epsilon: float = 0.05, unconstrained: AssignmentResult | None = None,
                          time_limit: float = 300.0, mip_gap: float = 1e-3, scale: int = 1_000_000
                          ) -> FairAssignment:
    """The most expected lasting placements with a floor on every group's proposals (see the module notes).

    ``groups`` maps each dimension to one group label per trainee (``len`` = number of trainees); ``maxmin`` takes
    one dimension. ``job_ready`` (default: every trainee) says whom the groups' shares count. ``unconstrained``,
    when given, is the plain exact assignment of the same pairs (computed otherwise). Same limits as
    :func:`matching.assignment.solve_assignment`: one proposal per trainee, at most ``capacity[j]`` per opening,
    only the given (safe) pairs."""
    started = time.perf_counter()
    if mode not in FAIRNESS_MODES:
        raise ValueError(f"fairness mode must be one of {', '.join(FAIRNESS_MODES)}, not {mode!r}")
    if not groups:
        raise ValueError("fairness needs at least one dimension of groups")
    if mode == "maxmin" and len(groups) != 1:
        raise ValueError("maxmin balances the groups of one dimension")
    if not 0.0 <= alpha <= 1.0 or not 0.0 <= epsilon <= 1.0:
        raise ValueError("alpha and epsilon must be between 0 and 1")
    n = len(next(iter(groups.values())))
    ready = np.ones(n, bool) if job_ready is None else np.asarray(job_ready, bool)
    if ready.shape != (n,):
        raise ValueError("job_ready must have one entry per trainee")
    t, o, s = _pairs(trainee, opening, score)
    c = _capacity(capacity, o)
    if t.size and t.max() >= n:
        raise ValueError(f"trainee index {int(t.max())} has no group labels ({n} trainees)")
    if not ready.all():  # only job-ready women are proposed
        keep = ready[t]
        t, o, s = t[keep], o[keep], s[keep]
    if unconstrained is None:
        unconstrained = solve_assignment(t, o, s, c, n_trainees=n, scale=scale)
    dimensions = _dimensions(groups, n, ready)
    net = _network(t, o, s, c, int(scale))
    node_trainee = _node_trainee(net, t)
    node_groups = [d.code[node_trainee] for d in dimensions]
    flows = [_GroupFlow(net, node_group, len(d.labels)) for d, node_group in zip(dimensions, node_groups)]
    achievable = [flow.achievable() for flow in flows]
    best_worst_share: float | None = None
    if mode == "proportional":
        floors = [_proportional_floors(d, got, unconstrained.size, alpha) for d, got in zip(dimensions, achievable)]
    else:
        d, got = dimensions[0], achievable[0]
        best_worst_share = _maxmin_share(flows[0], d.women, got)
        floors = [np.minimum(np.floor((1.0 - epsilon) * best_worst_share * d.women + 1e-9).astype(np.int64), got)]
    del flows
    gap = 0.0
    if net.index.size == 0:
        result = _empty(unconstrained.solver, "optimal")
        solver = unconstrained.solver
    else:
        if len(dimensions) == 1 and _min_cost_flow is not None:
            chosen = _fair_min_cost_flow(net, node_groups[0], floors[0])
            solver = SOLVER_FAIR_FLOW
        else:
            chosen, gap = _fair_milp(net, node_groups, floors, time_limit=time_limit, mip_gap=mip_gap)
            solver = SOLVER_FAIR_MILP
        picked = net.index[chosen]
        rt, ro = t[picked], o[picked]
        if rt.size and (np.any(np.diff(rt) == 0) or np.any(np.bincount(ro, minlength=c.size) > c)):
            raise RuntimeError("solver returned an assignment that breaks a limit")
        result = _result(rt, ro, s[picked], solver, "optimal" if gap <= mip_gap else "within gap")
    proposed_by = [np.bincount(d.code[result.trainee], minlength=len(d.labels)) for d in dimensions]
    targets = tuple(GroupTarget(d.name, label, int(d.women[g]), int(got[g]), int(floor[g]), int(given[g]))
                    for d, got, floor, given in zip(dimensions, achievable, floors, proposed_by)
                    for g, label in enumerate(d.labels))
    return FairAssignment(result=result, unconstrained=unconstrained, mode=mode,
                          dimensions=tuple(d.name for d in dimensions), targets=targets,
                          best_worst_share=None if best_worst_share is None else float(best_worst_share),
                          gap=gap, solver=solver, seconds=time.perf_counter() - started)


def worst_share(proposed: np.ndarray, labels: np.ndarray, job_ready: np.ndarray, *, at_least: int = 1
                ) -> tuple[str, float] | None:
    """The group with the smallest share of its job-ready women proposed, among groups of at least ``at_least``
    women, and that share (``proposed`` is a boolean mask per trainee)."""
    names, code = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
    ready = np.asarray(job_ready, bool)
    women = np.bincount(code[ready], minlength=names.size)
    got = np.bincount(code[ready & np.asarray(proposed, bool)], minlength=names.size)
    counted = np.flatnonzero(women >= at_least)
    if counted.size == 0:
        return None
    shares = got[counted] / women[counted]
    worst = int(np.argmin(shares))
    return str(names[counted[worst]]), float(shares[worst])

