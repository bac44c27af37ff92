"""The equilibrium map of finite games with symbolic payoffs: at generic numeric points it lists
exactly the equilibria that nashpy's support enumeration and pygambit's exact enumeration find."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symbolic.games.nash_map import equilibrium_map
from symbolic.games.normal_form import NormalFormGame

a, b, c = sp.symbols("a b c", real=True)
HYPS = [a > -2, a < 2, b > -2, b < 2, c > -2, c < 2]

#: Parametric games (row payoffs A, column payoffs B), each payoff affine in a, b, c.
GAMES = {
    "chicken 2x2": ([[0, -1], [1, a - 1]], [[0, 1], [-1, b - 1]]),
    "coordination 2x2": ([[a + 2, 0], [0, 1]], [[1, 0], [0, b + 2]]),
    "2x3": ([[a, 0, 1], [0, b, c]], [[1, 0, a], [0, 1, b]]),
    "3x2": ([[a, 1], [0, b], [1, c]], [[0, 1], [1, a], [b, 0]]),
    "3x3 rock-paper-scissors-like": ([[0, -1, a + 3], [1, 0, -1], [-1, b + 3, 0]],
                                     [[0, 1, -1], [-1, 0, c + 3], [1, -1, 0]]),
}


def _game(A, B):
    return NormalFormGame.bimatrix(A, B, [f"r{i}" for i in range(len(A))], [f"c{j}" for j in range(len(A[0]))],
                                   players=("Row", "Col"))


def _mine(game, emap, point):
    out = []
    for e in emap.at(point):
        out.append(tuple(float(e.strategy[p][x]) for p, acts in zip(game.players, game.actions) for x in acts))
    return sorted(out)


def _pygambit(A, B):
    gbt = pytest.importorskip("pygambit")
    g = gbt.Game.from_arrays(np.array([[Fraction(str(x)) for x in row] for row in A], dtype=object),
                             np.array([[Fraction(str(x)) for x in row] for row in B], dtype=object))
    res = gbt.nash.enummixed_solve(g, rational=True)
    return sorted(tuple(float(eq[s]) for p in g.players for s in p.strategies) for eq in res.equilibria)


def _nashpy(A, B):
    nash = pytest.importorskip("nashpy")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eqs = nash.Game(np.array(A, float), np.array(B, float)).support_enumeration()
        return sorted(tuple(np.concatenate([s1, s2])) for s1, s2 in eqs)


def _close(x, y, tol=1e-9):
    return len(x) == len(y) and all(np.allclose(u, v, atol=tol) for u, v in zip(x, y))


@pytest.mark.parametrize("name", sorted(GAMES))
def test_map_agrees_with_nashpy_and_pygambit_at_random_points(name):
    """25 random rational points per game in (-2, 2)^3 (tolerance 1e-9); points where the game is
    degenerate (an equilibrium with supports of unequal size, a continuum) are skipped: nashpy
    and pygambit then disagree on what to list."""
    A, B = GAMES[name]
    game = _game(A, B)
    emap = equilibrium_map(game, HYPS)
    assert emap.covers, f"{name}: the regions should cover the domain"
    rng = np.random.default_rng(11)
    compared = 0
    for _ in range(25):
        point = {s: sp.Rational(int(rng.integers(-39, 40)), 20) for s in (a, b, c)}
        An = [[sp.sympify(x).xreplace(point) for x in row] for row in A]
        Bn = [[sp.sympify(x).xreplace(point) for x in row] for row in B]
        gambit = _pygambit(An, Bn)
        nashpy = _nashpy(An, Bn)
        if not _close(gambit, nashpy):
            continue  # degenerate at this point
        assert _close(_mine(game, emap, point), gambit), (name, point)
        compared += 1
    assert compared >= 15


def test_map_regions_are_derived_not_typed():
    """Chicken (crashing, payoff a - 1 resp. b - 1, is worse than swerving against a straight
    driver when a, b < 0): the mixed equilibrium exists on all of (-2, 0)^2 and only where b < 0
    on (-2, 1)^2; the row player's swerving probability comes from the column player's
    indifference, typed here as an equation."""
    A, B = GAMES["chicken 2x2"]
    emap = equilibrium_map(_game(A, B), [a > -2, a < 0, b > -2, b < 0])
    mixed = emap.find(Row=["r0", "r1"], Col=["c0", "c1"])
    p = sp.Symbol("p")
    want = sp.solve(sp.Eq(-(1 - p), p + (b - 1) * (1 - p)), p)[0]
    assert sp.simplify(mixed.strategy["Row"]["r0"] - want) == 0
    assert mixed.status == "always"
    assert len(emap.pure) == 2
    wider = equilibrium_map(_game(A, B), [a > -2, a < 1, b > -2, b < 1])
    region = wider.find(Row=["r0", "r1"], Col=["c0", "c1"]).region
    assert sp.simplify(sp.Equivalent(region, sp.And(a < 0, b < 0))) is sp.true


def test_dropped_support_pairs_say_why():
    emap = equilibrium_map(_game([[1, 0], [0, 1]], [[1, 0], [0, 1]]), [])
    assert {e.describe() for e in emap.equilibria} == {"(r0, c0)", "(r1, c1)", "(mix(r0, r1), mix(c0, c1))"}
    assert all(reason for _, reason in emap.dropped)
