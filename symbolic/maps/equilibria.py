r"""Every stationary equilibrium of a stochastic game at the points of a grid in *several* parameters.

:class:`GridSweep` is the fast sweep of :mod:`symbolic.games.stochastic_fast` with a vector
parameter :math:`\theta = (\theta_1, \dots, \theta_m)`.  The fast sweep only ever uses the
parameter through the *coefficient table* -- every polynomial of every half system written as
:math:`\sum_\alpha c_\alpha(\theta)\, x^\alpha` and each :math:`c_\alpha` a row of a matrix
:math:`A` over the powers of :math:`\theta`, evaluated on the grid by one product
:math:`A\,[\theta_n^j]` -- and through exact substitutions where a decision is close.  So the
setup is done once, with one symbolic parameter :math:`t` standing for all of them by the
*Kronecker substitution*

.. math::  \theta_1 \mapsto t,\quad \theta_2 \mapsto t^{D_1},\quad \theta_3 \mapsto t^{D_1 D_2},\ \dots

a ring homomorphism :math:`\mathbb Q[x, \theta] \to \mathbb Q[x, t]` that is injective on every
polynomial whose degree in :math:`\theta_k` is below :math:`D_k`.  It commutes with sums,
products and (since it is injective on their coefficients, the degrees in the eliminated unknown
are kept) with the resultants the setup computes, so each row of the table, read back through
:math:`t^j \mapsto \prod_k \theta_k^{\lfloor j / (D_1\cdots D_{k-1}) \rfloor \bmod D_k}`, is the
coefficient polynomial in :math:`\theta` itself; a run evaluates those monomials at each grid point
(columns of :math:`A` that are zero everywhere are dropped).

**Degree bound.**  With :math:`n` states, :math:`a_k` the largest degree in :math:`\theta_k` of
the discount factor plus that of a transition probability, and :math:`u_k` that of a stage
payoff: :math:`M = I - \delta P(x)` has entries of degree :math:`\le a_k`, so
:math:`\det M \le n a_k`, the values' numerators :math:`\le (n-1) a_k + u_k`, every equation and
inequality of a half :math:`\le E_k = n a_k + u_k`, and each has degree :math:`\le n + 1` in the
unknowns; a resultant of two equations of degrees :math:`m, m'` in the eliminated unknown has
degree :math:`\le m' E_k + m E_k \le 2 (n + 1) E_k` (its Sylvester determinant).
:math:`D_k = 2 (n + 1) E_k + 1` is therefore safe.

**Exactness** is the fast sweep's: where a numeric decision is unclear at a point, the profile is
re-solved exactly at that point (:class:`symbolic.games.stochastic._Enumerator` on the game with
every parameter substituted), so the table of supports and labels is exact at every point.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np
import sympy as sp

from ..errors import ToolkitError
from ..games.stochastic import StochasticGame, _Enumerator
from ..games.stochastic_fast import FastSweep

#: the symbol standing for every grid parameter during the setup
_T = sp.Symbol("kronecker_t_")


def _degree(expr, sym) -> int:
    try:
        return sp.Poly(sp.sympify(expr), sym).degree() if sym in sp.sympify(expr).free_symbols else 0
    except sp.PolynomialError:
        raise ToolkitError(f"payoffs, transitions and discount must be polynomial in {sym}") from None


def degree_bases(game: StochasticGame, params: Sequence[sp.Symbol]) -> list[int]:
    """The radices :math:`D_k` of the Kronecker substitution (see the module docstring)."""
    n = len(game.states)
    out = []
    for th in params:
        a = _degree(game.discount, th) + max((_degree(p, th) for t in game.transitions.values() for p in t.values()),
                                             default=0)
        u = max((_degree(x, th) for v in game.payoffs.values() for x in v), default=0)
        out.append(2 * (n + 1) * (n * a + u) + 1)
    return out


class GridSweep(FastSweep):
    """Every stationary MPE of ``game`` (numbers everywhere but ``parameters``) at each point of
    a set of parameter points; build once (the setup is the fast sweep's, for all parameters at
    once), call :meth:`run` with a sequence of points (tuples of exact numbers, in the order of
    ``parameters``).  ``cache``: keep the compiled tables on disk.  ``resolve=False``: where a
    numeric decision is unclear, leave the profile out instead of re-solving it exactly (the
    row's ``profiles_resolved`` then counts the profiles left undecided)."""

    def __init__(self, game: StochasticGame, parameters: Sequence, cache: bool = True, resolve: bool = True):
        names = {s.name: s for s in game.free_symbols}
        params = []
        for p in parameters:
            sym = names.get(p) if isinstance(p, str) else p
            if sym is None or sym not in game.free_symbols:
                raise ToolkitError(f"the game does not depend on {p!r}")
            params.append(sym)
        rest = game.free_symbols - set(params)
        if rest:
            raise ToolkitError(f"give numbers for {', '.join(sorted(s.name for s in rest))}")
        bases = degree_bases(game, params)
        powers, step = [], 1
        for b in bases:
            powers.append(step)
            step *= b
        self._encoded = game.subs({th: _T ** k for th, k in zip(params, powers)})
        self._powers, self._bases = powers, bases
        self.resolve = resolve
        super().__init__(self._encoded, _T, cache=cache)
        self.game, self.theta, self.parameters = game, tuple(params), tuple(params)
        used = np.flatnonzero((self.A != 0).any(axis=0))
        self.A, self.Aabs = self.A[:, used], self.Aabs[:, used]
        # exponents[k, j]: the power of parameter k in the table's column j
        self.exponents = np.array([(used // p) % b for p, b in zip(powers, bases)], dtype=np.int64).reshape(
            len(params), len(used))

    @property
    def enum(self) -> "_KroneckerEnumerator":
        """The exact enumerator of the encoded game (its half systems built once, specialised at
        each point where a decision is close)."""
        if self._enum is None:
            self._enum = _KroneckerEnumerator(self._encoded, _T, self._powers, self._bases)
        return self._enum

    # -- the hooks of FastSweep --------------------------------------------------------------
    def _points(self, values):
        vals, fr = [], []
        for point in values:
            if len(point) != len(self.parameters):
                raise ToolkitError(f"a point needs {len(self.parameters)} values, got {len(point)}")
            key = tuple(v if isinstance(v, Fraction) else Fraction(str(sp.Rational(v))) for v in point)
            fr.append(key)
            vals.append(tuple(sp.Rational(v.numerator, v.denominator) for v in key))
        return vals, fr

    def _monomials(self, fr) -> np.ndarray:
        theta = np.array([[float(v) for v in point] for point in fr], dtype=float).reshape(len(fr), -1)
        V = np.ones((self.exponents.shape[1], len(fr)))
        for k in range(len(self.parameters)):
            V *= theta[None, :, k] ** self.exponents[k][:, None]
        return V

    def _subs(self, v) -> dict:
        return {th: sp.Rational(x.numerator, x.denominator) for th, x in zip(self.parameters, v)}

    def _exact_profile(self, row, sigma, v):
        if self.resolve:
            return super()._exact_profile(row, sigma, v)
        row.profiles_resolved += 1

    def _solve_profile(self, sigma, v):
        return self.enum, self.enum.solve_profile(sigma, v)

    # -- pickling (a map ships the setup to its workers) ----------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        state.update(_enum=None, _games={}, _labels={})
        return state


class _KroneckerEnumerator(_Enumerator):
    """The exact enumerator of the Kronecker-encoded game, specialised at a point of several
    parameters: ``t ** j`` becomes the monomial it encodes, with the point's exact values."""

    def __init__(self, game, theta, powers, bases):
        super().__init__(game, theta)
        self._powers, self._bases = powers, bases

    def specialise(self, h, value):
        R, t = self.ring, self.ring.gens.index(self.theta_gen)
        point = [sp.QQ(x.numerator, x.denominator) for x in value]
        memo: dict = {}

        def at(j):
            if j not in memo:
                out = sp.QQ(1)
                for x, p, b in zip(point, self._powers, self._bases):
                    out *= x ** ((j // p) % b)
                memo[j] = out
            return memo[j]

        def sub(poly):
            d: dict = {}
            for monom, c in poly.items():
                key = monom[:t] + (0,) + monom[t + 1:]
                d[key] = d.get(key, sp.QQ(0)) + c * at(monom[t])
            return R.from_dict({k: c for k, c in d.items() if c})
        return type(h)(h.idx, h.syms, [sub(p) for p in h.eqs], [sub(p) for p in h.ineqs],
                       [sub(p) for p in h.positive], [sub(p) for p in h.N], sub(h.det))
