"""Cross-checks of the exact equilibrium enumeration against pygambit's exact vertex enumeration
(``pygambit.nash.enummixed_solve(rational=True)``) on random *degenerate* bimatrix games, and the
``.nfg`` export read back by pygambit.

The games (seeded, deterministic) have ties everywhere: payoffs in {0, 1} or {-1, 0, 1}, repeated
rows and columns, zero and constant matrices, a constant column or row; shapes 2x2, 2x3, 3x3, 3x4.
Every comparison is exact (rational arithmetic, tolerance 0).  For each game:

* the extreme equilibria agree as sets: ours (equilibria isolated in their support pair and the
  vertices of the continua's closures, :meth:`NormalFormEquilibria.extreme_points`) and
  pygambit's (the vertices of the maximal convex sets of equilibria);
* every equilibrium, continuum witness and continuum vertex we report is a Nash equilibrium
  (checked here from the payoff matrices, independently of the enumerator), and lies in the
  continuum it belongs to with the continuum's support;
* every pygambit extreme equilibrium lies in exactly one of our components of its own support
  pair (an isolated point, or a continuum by :meth:`NormalFormContinuum.contains`);
* ``on_continuum`` agrees with pygambit's list: an extreme equilibrium ``(x, y)`` lies on a
  continuum iff ``x`` or ``y`` is part of another extreme equilibrium (then a segment of
  equilibria joins them), otherwise it is an isolated equilibrium;
* each continuum's dimension is the affine dimension of the pygambit extreme points in its
  closure (its closure is their convex hull), and the ends of every exact interval are right:
  the end points are equilibria, a point 10^-6 beyond an end inside (0, 1) is not.

Number of random games: 240 by default, 2000 with ``FULL_MUTATION=1`` (as CI sets it), or
``GT_GAMBIT_GAMES=<n>``.
"""
from __future__ import annotations

import io
import itertools
import os
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symbolic.games.normal_form import NormalFormGame

gbt = pytest.importorskip("pygambit")

SHAPES = [(2, 2), (2, 3), (3, 3), (3, 4)]
N_GAMES = int(os.environ.get("GT_GAMBIT_GAMES") or (2000 if os.environ.get("FULL_MUTATION") == "1" else 240))
BATCHES = 4
R = sp.Rational


def degenerate_game(rng: np.random.Generator, k: int):
    """The k-th random degenerate bimatrix game ``(A, B)`` (lists of ints)."""
    m, n = SHAPES[k % len(SHAPES)]
    family = (k // len(SHAPES)) % 6
    vals = [0, 1] if k % 2 else [-1, 0, 1]
    A = rng.choice(vals, (m, n))
    B = rng.choice(vals, (m, n))
    if family == 1:        # a repeated row and a repeated column
        r0, r1 = rng.choice(m, 2, replace=False)
        c0, c1 = rng.choice(n, 2, replace=False)
        for M in (A, B):
            M[r1] = M[r0]
            M[:, c1] = M[:, c0]
    elif family == 2:      # one player's payoffs zero or constant
        M = A if rng.integers(2) else B
        M[...] = int(rng.choice([0, 1, -1]))
    elif family == 3:      # a constant column for the row player, a constant row for the column player
        A[:, rng.integers(n)] = int(rng.choice(vals))
        B[rng.integers(m)] = int(rng.choice(vals))
    elif family == 4:      # both matrices constant (every profile is an equilibrium)
        A[...] = int(rng.choice(vals))
        B[...] = int(rng.choice(vals))
    elif family == 5:      # payoffs in {0, 1, 2} with a common-interest tie
        A = rng.integers(0, 3, (m, n))
        B = A.copy() if rng.integers(2) else rng.integers(0, 3, (m, n))
    return A.tolist(), B.tolist()


def gambit_extreme(A, B) -> set:
    """pygambit's extreme equilibria as ``((x...), (y...))`` of Fractions."""
    g = gbt.Game.from_arrays(np.array(A, dtype=object), np.array(B, dtype=object))
    res = gbt.nash.enummixed_solve(g, rational=True)
    return {tuple(tuple(Fraction(str(e[s])) for s in p.strategies) for p in g.players) for e in res.equilibria}


def as_vectors(game: NormalFormGame, strategy: dict) -> tuple:
    """``{player: {action: p}}`` as ``((x...), (y...))`` of Fractions."""
    return tuple(tuple(Fraction(str(sp.Rational(strategy[pl][a]))) for a in acts)
                 for pl, acts in zip(game.players, game.actions))


def is_nash(A, B, x, y) -> bool:
    """Exact Nash test from the matrices (independent of the enumerator)."""
    m, n = len(A), len(A[0])
    row = [sum(A[i][j] * y[j] for j in range(n)) for i in range(m)]
    col = [sum(B[i][j] * x[i] for i in range(m)) for j in range(n)]
    return (all(v >= 0 for v in x) and all(v >= 0 for v in y) and sum(x) == 1 and sum(y) == 1
            and sum(x[i] * row[i] for i in range(m)) == max(row)
            and sum(y[j] * col[j] for j in range(n)) == max(col))


def support_of(v) -> tuple:
    return tuple(tuple(k for k, p in enumerate(part) if p != 0) for part in v)


def affine_dimension(points) -> int:
    pts = [sp.Matrix([sp.Rational(p.numerator, p.denominator) for part in v for p in part]) for v in points]
    if len(pts) <= 1:
        return 0
    return sp.Matrix.hstack(*[p - pts[0] for p in pts[1:]]).rank()


def check_game(A, B) -> dict:
    """Every check of the module docstring on one game; returns counts."""
    g = NormalFormGame.bimatrix(A, B)
    res = g.nash_equilibria()
    acts = g.actions
    theirs = gambit_extreme(A, B)
    ours = {as_vectors(g, s) for s in res.extreme_points()}
    assert ours == theirs, (A, B, ours ^ theirs)

    # everything we report is an equilibrium, with the support it is reported under
    for e in res.equilibria:
        v = as_vectors(g, e.strategy)
        assert is_nash(A, B, *v) and v in theirs, (A, B, e)
    for c in res.continua:
        assert c.dimension is not None and c.dimension >= 1
        w = as_vectors(g, c.witness.strategy)
        assert is_nash(A, B, *w), (A, B, c.description)
        assert support_of(w) == tuple(tuple(acts[i].index(a) for a in c.support[pl])
                                      for i, pl in enumerate(g.players))
        assert c.contains(c.witness.strategy)
        for vert in c.vertices(g):
            assert is_nash(A, B, *as_vectors(g, vert)) and c.closure_contains(vert)
        # the closure's dimension from pygambit's extreme points in it
        inside = [v for v in theirs if c.closure_contains({pl: dict(zip(acts[i], v[i]))
                                                           for i, pl in enumerate(g.players)})]
        assert affine_dimension(inside) == c.dimension, (A, B, c.description)
        # exact interval ends: the ends are equilibria, just beyond them (inside (0, 1)) is not
        for i, pl in enumerate(g.players):
            h = c.sets[pl]
            if h.kind != "interval":
                continue
            a0, a1 = c.support[pl]
            for end, step in ((h.interval.lower, -R(1, 10 ** 6)), (h.interval.upper, R(1, 10 ** 6))):
                for p, expect in ((end, True), (end + step, False)):
                    if not 0 <= p <= 1 or (not expect and p in (0, 1)):
                        continue
                    s = {q: dict(mix) for q, mix in c.witness.strategy.items()}
                    s[pl] = {a: 0 for a in acts[i]}
                    s[pl][a0], s[pl][a1] = p, 1 - p
                    assert is_nash(A, B, *as_vectors(g, s)) == expect, (A, B, c.description, p)

    # every pygambit extreme equilibrium lies in exactly one component of its support pair
    for v in theirs:
        strategy = {pl: dict(zip(acts[i], v[i])) for i, pl in enumerate(g.players)}
        hits = [e for e in res.equilibria if as_vectors(g, e.strategy) == v]
        hits += [c for c in res.continua if c.contains(strategy)]
        assert len(hits) == 1, (A, B, v, hits)

    # on_continuum: (x, y) is on a continuum iff x or y belongs to another extreme equilibrium
    for e in res.equilibria:
        x, y = as_vectors(g, e.strategy)
        joined = any((x2 == x) != (y2 == y) for x2, y2 in theirs)
        assert e.on_continuum is joined, (A, B, e)
        assert bool(e.continua) == joined
    return {"continua": len(res.continua), "on": sum(bool(e.on_continuum) for e in res.equilibria),
            "isolated": len(res.isolated())}


@pytest.mark.parametrize("batch", range(BATCHES))
def test_random_degenerate_games_agree_with_pygambit(batch):
    rng = np.random.default_rng(20261201 + batch)
    totals = {"continua": 0, "on": 0, "isolated": 0}
    count = 0
    for k in range(batch, N_GAMES, BATCHES):
        A, B = degenerate_game(rng, k)
        for key, v in check_game(A, B).items():
            totals[key] += v
        count += 1
    assert count >= N_GAMES // BATCHES
    # the families really are degenerate: continua and equilibria on them occur in every batch
    assert totals["continua"] > 0 and totals["on"] > 0


@pytest.mark.parametrize("A, B", [
    ([[0, 1, 0], [0, 1, 1], [1, 1, 1]], [[1, 0, 1], [1, 1, 0], [0, 0, 1]]),   # used to raise IndexError
    ([[0, 0, 1], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]]),                         # used to misstate an interval
    ([[0, 0], [0, 0]], [[0, 0], [0, 0]]),                                     # every profile an equilibrium
    ([[1, 1, 1], [1, 1, 1], [1, 1, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 0]]),   # 2-dimensional continua
])
def test_regression_and_extreme_games_agree_with_pygambit(A, B):
    check_game(A, B)


def test_nfg_round_trip_through_pygambit_keeps_exact_rationals():
    """Our .nfg export, read by pygambit: the same payoffs exactly (197697/218485 stays that
    rational), names and equilibria."""
    q = R(197697, 218485)
    A = [[q, 0, R(-3, 7)], [0, 1, 0.25]]
    B = [[1, q, 0], [0, R(1, 3), -1]]
    g = NormalFormGame.bimatrix(A, B, ("T", "B"), ("L", "C", "R"), players=("row", "col"))
    text = g.to_nfg(title="round trip")
    G = gbt.read_nfg(io.StringIO(text))
    assert [p.label for p in G.players] == ["row", "col"]
    assert [[s.label for s in p.strategies] for p in G.players] == [["T", "B"], ["L", "C", "R"]]
    arrays = G.to_arrays()
    for k, M in enumerate((A, B)):
        for i, j in itertools.product(range(2), range(3)):
            assert Fraction(str(arrays[k][i, j])) == Fraction(str(sp.Rational(str(M[i][j])))), (k, i, j)
    assert Fraction(str(arrays[0][0, 0])) == Fraction(197697, 218485)
    theirs = {tuple(tuple(Fraction(str(e[s])) for s in p.strategies) for p in G.players)
              for e in gbt.nash.enummixed_solve(G, rational=True).equilibria}
    ours = {as_vectors(g, s) for s in g.nash_equilibria().extreme_points()}
    assert ours == theirs
