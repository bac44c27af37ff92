"""The stochastic-game core: closed-form values, one-shot deviations, and the exact enumeration of
every stationary equilibrium on games whose equilibrium sets are known (including degenerate ones)."""
from __future__ import annotations

import sympy as sp
import pytest

from symbolic import ToolkitError
from symbolic.games.normal_form import NormalFormGame
from symbolic.games.stochastic import Interval, StochasticGame, numeric_values, sweep

R = sp.Rational


def grim_pd(d=R(9, 10), T=3, Rw=2, P=1, S=0):
    """Prisoner's Dilemma with an absorbing punishment state (grim trigger as a stochastic game)."""
    g = StochasticGame(("1", "2"), ("Coop", "Pun"), d, cooperation={"Coop": ("c", "c"), "Pun": ("c", "c")})
    for s in g.states:
        g.set_actions(s, ("c", "d"), ("c", "d"))
    pay = {("c", "c"): (Rw, Rw), ("c", "d"): (S, T), ("d", "c"): (T, S), ("d", "d"): (P, P)}
    for prof, u in pay.items():
        g.stage("Coop", prof, u, "Coop" if prof == ("c", "c") else "Pun")
        g.stage("Pun", prof, u, "Pun")
    return g


def supports(eqs):
    return sorted(tuple(sorted(e.support.items())) for e in eqs.equilibria)


def test_grim_trigger_pd_has_exactly_three_stationary_equilibria():
    eqs = grim_pd().equilibria()
    assert not eqs.continua
    assert len(eqs.equilibria) == 3
    labels = sorted(eqs.labels())
    assert labels == ["full", "none", "none"]
    mixed = [e for e in eqs.equilibria if not e.is_pure()]
    assert len(mixed) == 1
    # hand derivation: V = 10 + 2y and 10 + 2y = 9 + 2y + 1.8 y^2  =>  y = sqrt(5)/3
    y = mixed[0].strategy[("Coop", "1")]["c"]
    assert sp.simplify(y - sp.sqrt(5) / 3) == 0
    assert sp.simplify(mixed[0].values[("Coop", "1")] - (10 + 2 * sp.sqrt(5) / 3)) == 0


def test_every_equilibrium_found_passes_the_exact_one_shot_deviation_test():
    g = grim_pd()
    for e in g.equilibria().equilibria:
        assert g.is_equilibrium(e.strategy)


def test_grim_trigger_cooperation_needs_patience():
    # (c,c) is sustained iff d >= (T - R)/(T - P) = 1/2
    low = grim_pd(d=R(2, 5)).equilibria()
    assert "full" not in low.labels()
    edge = grim_pd(d=R(1, 2)).equilibria()
    assert "full" in edge.labels()


def test_values_closed_form_and_deviation_conditions():
    d, x, y = sp.symbols("d x y", positive=True)
    g = StochasticGame(("1", "2"), ("A", "B"), d)
    for s in g.states:
        g.set_actions(s, ("a", "b"), ("a",))
    g.stage("A", ("a", "a"), (x, 0), "B")
    g.stage("A", ("b", "a"), (0, 0), "A")
    g.stage("B", ("a", "a"), (y, 0), {"A": R(1, 2), "B": R(1, 2)})
    g.stage("B", ("b", "a"), (0, 0), "B")
    prof = g.pure({"A": ("a", "a"), "B": ("a", "a")})
    V = g.values(prof)
    # V_A = x + d V_B;  V_B = y + d (V_A + V_B)/2
    VA, VB = sp.symbols("VA VB")
    sol = sp.solve([VA - x - d * VB, VB - y - d * (VA + VB) / 2], [VA, VB])
    assert sp.simplify(V[("A", "1")] - sol[VA]) == 0
    assert sp.simplify(V[("B", "1")] - sol[VB]) == 0
    devs = g.deviations(prof)
    assert {(dv.state, dv.player, dv.action) for dv in devs} == {("A", "1", "b"), ("B", "1", "b")}
    # deviating to b in A: 0 + d V_A
    dA = next(dv for dv in devs if dv.state == "A")
    assert sp.simplify(dA.deviation - d * V[("A", "1")]) == 0


def test_numeric_values_agree_with_closed_form():
    import numpy as np
    d = sp.Symbol("d", positive=True)
    g = grim_pd(d=d)
    prof = g.pure({"Coop": ("c", "c"), "Pun": ("d", "d")})
    V = g.values(prof)
    draws = {"d": np.linspace(0.05, 0.95, 19)}
    num = numeric_values(g, prof, draws)
    closed = sp.lambdify(d, V[("Coop", "1")])(draws["d"])
    assert np.max(np.abs(num[("Coop", "1")] - closed)) < 1e-10  # 19 points, tolerance 1e-10


@pytest.mark.parametrize("d", [R(0), R(1, 2), R(9, 10)])
def test_single_state_game_reduces_to_the_normal_form(d):
    # Battle of the sexes: (T,L), (B,R) and the mixed (2/3, 1/3)
    A = [[2, 0], [0, 1]]
    B = [[1, 0], [0, 2]]
    nf = NormalFormGame.bimatrix(A, B, ("T", "B"), ("L", "R"))
    g = StochasticGame(("1", "2"), ("s",), d)
    g.set_actions("s", ("T", "B"), ("L", "R"))
    for prof, u in nf.payoffs.items():
        g.stage("s", prof, u, "s")
    eqs = g.equilibria()
    assert len(eqs.equilibria) == 3 and not eqs.continua
    mixed = [e for e in eqs.equilibria if not e.is_pure()][0]
    assert mixed.strategy[("s", "1")]["T"] == R(2, 3)
    assert mixed.strategy[("s", "2")]["L"] == R(1, 3)
    # values are the stage payoffs / (1 - d)
    assert mixed.values[("s", "1")] == R(2, 3) / (1 - d)
    assert supports(eqs) == supports(nf.equilibria())


def test_degenerate_game_continua_are_reported_not_dropped():
    # the row player is indifferent everywhere; the column player coordinates
    nf = NormalFormGame.bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]], ("T", "B"), ("L", "R"))
    eqs = nf.equilibria()
    pure = sorted(tuple(a for (_, _), (a,) in sorted(e.support.items())) for e in eqs.equilibria if e.is_pure())
    assert pure == [("B", "R"), ("T", "L")]
    descr = {tuple(sorted(c.support.items())): c for c in eqs.continua}
    assert len(eqs.continua) == 3
    # row mixes with x = P(T) in [1/2, 1) against L, in (0, 1/2] against R, and x = 1/2 against any mix
    # (the half of player 2's conditions describes player 1's mixtures: halves[1])
    row_mix_L = descr[((("s", "1"), ("T", "B")), (("s", "2"), ("L",)))]
    assert row_mix_L.halves[1].interval == Interval(R(1, 2), R(1), True, False)
    assert "[1/2, 1)" in row_mix_L.description and row_mix_L.dimension == 1
    row_mix_R = descr[((("s", "1"), ("T", "B")), (("s", "2"), ("R",)))]
    assert row_mix_R.halves[1].interval == Interval(R(0), R(1, 2), False, True)
    both = descr[((("s", "1"), ("T", "B")), (("s", "2"), ("L", "R")))]
    assert both.witness.strategy[("s", "1")]["T"] == R(1, 2)
    assert both.halves[1].kind == "point" and both.halves[1].point == (R(1, 2),)
    assert both.halves[0].interval == Interval(R(0), R(1), False, False) and both.dimension == 1
    # the pure equilibria are end points of these continua, and say so
    assert all(e.on_continuum for e in eqs.equilibria) and not eqs.isolated()
    # every witness is an equilibrium
    g = nf.as_stochastic()
    for c in eqs.continua:
        assert g.is_equilibrium(c.witness.strategy)


def test_degenerate_stochastic_game_with_a_continuum_in_one_state():
    # state "Z" is absorbing with all payoffs zero: any mixing there is an equilibrium
    g = StochasticGame(("1", "2"), ("A", "Z"), R(1, 2))
    for s in g.states:
        g.set_actions(s, ("a", "b"), ("a", "b"))
    for prof in g.profiles("A"):
        g.stage("A", prof, (1 if prof[0] == "a" else 0, 1 if prof[1] == "a" else 0), "Z")
        g.stage("Z", prof, (0, 0), "Z")
    eqs = g.equilibria()
    # in A, a is dominant for both; in Z everything goes: 9 support profiles in Z, 8 with mixing
    assert all(e.support[("A", "1")] == ("a",) and e.support[("A", "2")] == ("a",) for e in eqs.equilibria)
    assert len(eqs.equilibria) == 4       # pure profiles in Z
    assert len(eqs.continua) == 5         # one or both players mixing in Z
    for c in eqs.continua:
        assert c.decided and g.is_equilibrium(c.witness.strategy)


def test_sweep_matches_pointwise_enumeration():
    d = sp.Symbol("d", positive=True)
    g = grim_pd(d=d)
    grid = [R(1, 5), R(1, 2), R(4, 5)]
    rows = sweep(g, "d", grid)
    for v, eqs in zip(grid, rows):
        direct = grim_pd(d=v).equilibria()
        assert supports(eqs) == supports(direct)
        assert sorted(eqs.labels()) == sorted(direct.labels())


def test_errors_are_toolkit_errors():
    d = sp.Symbol("d", positive=True)
    with pytest.raises(ToolkitError):
        grim_pd(d=d).equilibria()          # a free symbol
    with pytest.raises(ToolkitError):
        grim_pd(d=R(1)).equilibria()       # d must be below 1
    g = StochasticGame(("1", "2", "3"), ("s",), R(1, 2))
    g.set_actions("s", ("a",), ("a",), ("a",))
    g.stage("s", ("a", "a", "a"), (0, 0, 0), "s")
    with pytest.raises(ToolkitError):
        g.equilibria()                     # three players


def test_transitions_must_sum_to_one():
    g = StochasticGame(("1", "2"), ("s", "t"), R(1, 2))
    for s in g.states:
        g.set_actions(s, ("a",), ("a",))
    g.stage("s", ("a", "a"), (0, 0), {"s": R(1, 2), "t": R(1, 3)})
    g.stage("t", ("a", "a"), (0, 0), "t")
    with pytest.raises(ValueError):
        g.validate()


# ---- the fast sweep ------------------------------------------------------------------------
def _table(rows_or_sets):
    out = []
    for r in rows_or_sets:
        out.append((sorted((tuple(sorted(e.support.items())), e.label) for e in r.equilibria),
                    sorted((tuple(sorted(c.support.items())), c.label) for c in r.continua)))
    return out


def test_fast_sweep_matches_exact_sweep_including_the_threshold():
    from symbolic.games.stochastic_fast import FastSweep
    d = sp.Symbol("d", positive=True)
    g = grim_pd(d=d)
    grid = [R(0), R(1, 5), R(2, 5), R(1, 2), R(3, 5), R(4, 5), R(9, 10)]   # (c,c) sustained iff d >= 1/2
    fs = FastSweep(g, "d", cache=False)
    fast = fs.run(grid)
    assert _table(fast) == _table(sweep(g, "d", grid))
    assert fs.stats["values"] == len(grid)
    # the mixed equilibrium's probability agrees with the closed form y = sqrt(5)/3 at d = 9/10
    mixed = [e for e in fast[-1].equilibria if not e.is_pure()]
    assert len(mixed) == 1 and abs(mixed[0].probability("Coop", "1", "c") - 5 ** 0.5 / 3) < 1e-12


def test_fast_sweep_reports_continua_of_a_degenerate_game():
    from symbolic.games.stochastic_fast import FastSweep
    a = sp.Symbol("a")
    g = StochasticGame(("1", "2"), ("A", "Z"), R(1, 2))
    for s in g.states:
        g.set_actions(s, ("a", "b"), ("a", "b"))
    for prof in g.profiles("A"):
        g.stage("A", prof, (a if prof[0] == "a" else 0, 1 if prof[1] == "a" else 0), "Z")
        g.stage("Z", prof, (0, 0), "Z")
    grid = [R(1, 2), R(1), R(2)]
    fs = FastSweep(g, "a", cache=False)
    rows = fs.run(grid)
    assert _table(rows) == _table(sweep(g, "a", grid))
    assert all(len(r.continua) == 5 for r in rows)      # mixing in the absorbing state Z: not dropped
    assert fs.stats["values_resolved"] == len(grid)
