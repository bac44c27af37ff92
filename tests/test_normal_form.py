"""Normal-form games: pure and mixed equilibria, cross-checked against nashpy (test-only
dependency), and Gambit .nfg export."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symbolic.games.normal_form import NormalFormGame, parse_nfg_payoffs

nash = pytest.importorskip("nashpy")
R = sp.Rational


def ours(game: NormalFormGame):
    """Our isolated equilibria as sorted lists of float vectors (row, column)."""
    out = []
    for s1, s2 in game.mixed_equilibria():
        out.append(tuple(float(s1[a]) for a in game.actions[0]) + tuple(float(s2[a]) for a in game.actions[1]))
    return sorted(out)


def theirs(A, B, method="vertex_enumeration"):
    """nashpy's equilibria (vertex enumeration: every extreme equilibrium, also in degenerate games)."""
    import warnings
    game = nash.Game(np.array(A, float), np.array(B, float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sorted(tuple(np.concatenate([s1, s2])) for s1, s2 in getattr(game, method)())


def same(a, b, tol=1e-9):
    """Equal sets of equilibria up to ``tol`` (each vector rounded before sorting)."""
    def norm(v):
        return sorted(tuple(round(float(x), 7) + 0.0 for x in e) for e in v)
    a, b = norm(a), norm(b)
    return len(a) == len(b) and all(np.allclose(x, y, atol=tol + 1e-7) for x, y in zip(a, b))


def called_bluff_stage(tD, fD, sD, tC, fC, sC):
    A = [[0, fC], [tC, sC]]   # Creditor (row): rows c, d; columns: Debtor c, d
    B = [[0, tD], [fD, sD]]
    return A, B, NormalFormGame.bimatrix(A, B, ("c", "d"), ("c", "d"), players=("C", "D"))


def test_called_bluff_stage_game_unique_equilibrium_matches_nashpy():
    rng = np.random.default_rng(7)
    for _ in range(25):  # 25 random rational instances of the ordering
        tD, tC = (R(int(x), 4) for x in rng.integers(1, 40, 2))
        sD, fC = (-R(int(x), 4) for x in rng.integers(1, 40, 2))
        fD = sD - R(int(rng.integers(1, 40)), 4)
        sC = fC - R(int(rng.integers(1, 40)), 4)
        A, B, g = called_bluff_stage(tD, fD, sD, tC, fC, sC)
        mine = ours(g)
        assert mine == [(1.0, 0.0, 0.0, 1.0)]  # (c_C, d_D)
        assert same(mine, theirs(np.array(A, float), np.array(B, float)))
        assert g.pure_equilibria() == [("c", "d")]


@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (3, 3)])
def test_random_games_match_nashpy(shape):
    rng = np.random.default_rng(sum(shape))
    compared = 0
    for _ in range(12):  # 12 random integer games per shape; degenerate ones are skipped
        A = rng.integers(-20, 21, shape)
        B = rng.integers(-20, 21, shape)
        g = NormalFormGame.bimatrix(A.tolist(), B.tolist())
        eqs = g.equilibria()
        if eqs.continua:
            continue
        assert same(ours(g), theirs(A, B)), (A, B)
        compared += 1
    assert compared >= 8


def test_degenerate_game_nashpy_support_enumeration_misses_an_equilibrium():
    # a degenerate game (a mixed equilibrium with supports of unequal size): nashpy's support
    # enumeration returns 2 equilibria (and warns); vertex enumeration and ours find 3
    A = [[11, 16, -8], [-18, 9, -11], [8, 11, -1]]
    B = [[-3, 2, -20], [16, 8, -20], [12, 15, 19]]
    g = NormalFormGame.bimatrix(A, B)
    mine = g.mixed_equilibria()
    assert len(mine) == 3
    assert ({"1": R(2, 13), "2": 0, "3": R(11, 13)}, {"1": 0, "2": R(7, 12), "3": R(5, 12)}) in mine
    assert len(theirs(A, B, "support_enumeration")) == 2
    assert same(ours(g), theirs(A, B))
    st = g.as_stochastic()
    for e in g.equilibria().equilibria:
        assert st.is_equilibrium(e.strategy)


def test_matching_pennies_and_rock_paper_scissors():
    mp = NormalFormGame.bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert ours(mp) == [(0.5, 0.5, 0.5, 0.5)]
    rps = NormalFormGame.bimatrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], [[0, 1, -1], [-1, 0, 1], [1, -1, 0]])
    assert same(ours(rps), [tuple([1 / 3] * 6)])


def test_pure_equilibria_three_players():
    acts = (("a", "b"),) * 3
    pay = {p: (1, 1, 1) if len(set(p)) == 1 else (0, 0, 0) for p in
           [(x, y, z) for x in "ab" for y in "ab" for z in "ab"]}
    g = NormalFormGame(("1", "2", "3"), acts, pay)
    assert g.pure_equilibria() == [("a", "a", "a"), ("b", "b", "b")]


def test_nfg_export_format_and_order():
    A, B, g = called_bluff_stage(4, -4, -3, 1, -7, -9)
    text = g.to_nfg(title="Called Bluff")
    assert text.startswith('NFG 1 R "Called Bluff" { "C" "D" }')
    assert '{ { "c" "d" }\n{ "c" "d" }\n}' in text
    # Gambit order: the first player's strategy varies fastest: (c,c), (d,c), (c,d), (d,d)
    assert parse_nfg_payoffs(text) == [[0, 0], [1, -4], [-7, 4], [-9, -3]]
    assert text.rstrip().endswith("1 2 3 4")


def test_nfg_export_rejects_symbolic_payoffs():
    from symbolic import ToolkitError
    x = sp.Symbol("x")
    g = NormalFormGame.bimatrix([[x, 0], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(ToolkitError):
        g.to_nfg()


# ---- degenerate games: regressions and the result objects ---------------------------------------
def exact_nash(game: NormalFormGame, strategy) -> bool:
    """Exact Nash test of ``strategy[player][action]`` from the payoffs (no enumerator code)."""
    (p1, p2), (A1, A2) = game.players, game.actions
    x, y = strategy[p1], strategy[p2]
    u1 = {a: sum(game.payoffs[(a, b)][0] * y[b] for b in A2) for a in A1}
    u2 = {b: sum(game.payoffs[(a, b)][1] * x[a] for a in A1) for b in A2}
    return (sum(x[a] * u1[a] for a in A1) == max(u1.values())
            and sum(y[b] * u2[b] for b in A2) == max(u2.values()))


def test_degenerate_3x3_game_used_to_crash_is_enumerated():
    # IndexError in the one-unknown interval code (a root shared by two inequalities)
    g = NormalFormGame.bimatrix([[0, 1, 0], [0, 1, 1], [1, 1, 1]], [[1, 0, 1], [1, 1, 0], [0, 0, 1]])
    res = g.nash_equilibria()
    assert res.continua and res.equilibria
    for e in res.equilibria:
        assert exact_nash(g, e.strategy)
    for c in res.continua:
        assert exact_nash(g, c.witness.strategy) and c.contains(c.witness.strategy)
        assert all(exact_nash(g, v) for v in c.vertices(g))
    # every equilibrium here is an end point of a continuum: none is isolated
    assert all(e.on_continuum for e in res.equilibria)
    assert g.mixed_equilibria() == [] and len(g.mixed_equilibria(include_on_continuum=True)) == len(res.equilibria)


def test_continuum_extent_is_exact():
    # A = [[0,0,1],[0,1,1]], B = [[1,0,0],[0,1,1]]; x = P(row 1).  Against column 1 the row
    # player is indifferent (A's first column is constant); column 1 is a best response iff
    # x >= 1 - x, i.e. x >= 1/2.  With the row player mixing (0 < x < 1): x in [1/2, 1).
    g = NormalFormGame.bimatrix([[0, 0, 1], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]], ("T", "B"), ("L", "C", "R"),
                                players=("row", "col"))
    res = g.nash_equilibria()
    c = next(c for c in res.continua if c.support == {"row": ("T", "B"), "col": ("L",)})
    h = c.sets["row"]
    assert h.kind == "interval" and h.unknowns and h.coordinates == (("s", "T"),)
    assert (h.interval.lower, h.interval.upper) == (R(1, 2), R(1))
    assert (h.interval.lower_closed, h.interval.upper_closed) == (True, False)
    assert c.dimension == 1 and "[1/2, 1)" in c.description
    x = c.witness.strategy["row"]["T"]
    assert R(1, 2) <= x < 1 and exact_nash(g, c.witness.strategy)
    # the closure's vertices are the extreme equilibria x = 1/2 and x = 1 (against L)
    verts = sorted(v["row"]["T"] for v in c.vertices(g))
    assert verts == [R(1, 2), R(1)]
    assert c.closure_contains({"row": {"T": 1, "B": 0}, "col": {"L": 1, "C": 0, "R": 0}})
    assert not c.contains({"row": {"T": 1, "B": 0}, "col": {"L": 1, "C": 0, "R": 0}})   # support shrinks
    assert not c.closure_contains({"row": {"T": R(1, 3), "B": R(2, 3)}, "col": {"L": 1, "C": 0, "R": 0}})


def test_results_are_keyed_by_the_games_own_names():
    A, B, g = called_bluff_stage(4, -4, -3, 1, -7, -9)
    res = g.nash_equilibria()
    (e,) = res.equilibria
    assert e.strategy == {"C": {"c": 1, "d": 0}, "D": {"c": 0, "d": 1}}
    assert e.support == {"C": ("c",), "D": ("d",)} and e.payoff == {"C": A[0][1], "D": B[0][1]}
    assert e.on_continuum is False and res.isolated() == [e] and not res.continua
    # the stochastic view keeps its keys for the tools built on it
    assert g.equilibria().equilibria[0].support == {("s", "C"): ("c",), ("s", "D"): ("d",)}


def test_mixed_equilibria_of_a_game_with_continua_does_not_raise():
    # row indifferent everywhere, column coordinates: every equilibrium lies on a continuum
    g = NormalFormGame.bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]])
    assert g.mixed_equilibria() == []
    assert len(g.continua()) == 3
    # a game with isolated equilibria (a pure and a mixed one) besides a continuum
    both = NormalFormGame.bimatrix([[1, 2, 0], [2, 0, 0]], [[1, 2, 0], [2, 0, 2]])
    res = both.nash_equilibria()
    iso = both.mixed_equilibria()
    assert res.continua and any(len([p for p in s1.values() if p]) > 1 for s1, _ in iso)
    for sigma in iso:
        strategy = dict(zip(both.players, sigma))
        assert exact_nash(both, strategy)
        assert not any(c.closure_contains(strategy) for c in res.continua)
    assert len(iso) + sum(bool(e.on_continuum) for e in res.equilibria) == len(res.equilibria)


def test_nfg_export_keeps_exact_rationals():
    # nsimplify turns 197697/218485 into a product of radicals: the export must not use it
    q = R(197697, 218485)
    g = NormalFormGame.bimatrix([[q, 0.1], [0, 1]], [[1, 0], [0, -q]])
    text = g.to_nfg()
    assert "197697/218485" in text and "-197697/218485" in text
    assert parse_nfg_payoffs(text) == [[q, 1], [0, 0], [R(1, 10), 0], [1, -q]]
    def pure(prof):
        return {pl: {a: int(a == b) for a in acts} for pl, acts, b in zip(g.players, g.actions, prof)}
    assert g.pure_equilibria() == [p for p in g.profiles() if exact_nash(g, pure(p))]
