r"""Fast parameter sweeps: every stationary MPE of a two-player stochastic game at each value of
one parameter, vectorised over the whole grid with numpy, exact where a decision is close.

**Setting.**  :class:`symbolic.games.stochastic._Enumerator` writes each support profile
:math:`\sigma` as two *halves*: player :math:`i`'s conditions on the opponent's probabilities
:math:`x` (one unknown per state where the opponent mixes, minus one per extra action),

.. math::  e_k(x, \theta) = 0 \ (\text{indifference}),\qquad g_l(x, \theta) \le 0
           \ (\text{no profitable deviation}),\qquad \pi_m(x) > 0 \ (\text{probabilities}),

all polynomials with rational coefficients in :math:`x` and the swept parameter :math:`\theta`
(cleared of the positive denominator :math:`\det(I - \delta P)`); the values are
:math:`V = N(x, \theta) / \det(x, \theta)`.  A profile's equilibria at :math:`\theta = v` are the
products of its halves' solution sets.

**Vectorisation.**  Every polynomial is stored as :math:`\sum_m c_m(\theta)\, x^m`; all the
coefficient polynomials :math:`c_m` of all halves form one matrix :math:`A`, so one product
:math:`A\,[\theta_n^j]` evaluates them on the whole grid (and :math:`|A|\,[|\theta_n|^j]` gives the
*scale* :math:`S` of each value, the sum of the absolute values of its terms, used by every
tolerance below).  Per half, by the number :math:`k` of unknowns:

* :math:`k = 0`: the conditions are polynomials in :math:`\theta` only: evaluated on the grid.
* :math:`k = 1`: the real roots of one equation (companion matrices, ``np.linalg.eigvals`` on the
  stacked matrices of all grid values; leading coefficients that vanish are dropped per value) are
  the candidates; every equation, inequality and positivity condition is then evaluated at all
  candidates at once.
* :math:`k = 2`: the resultant :math:`r(x_2, \theta) = \operatorname{res}_{x_1}(e_a, e_b)` is
  computed once, exactly, with :math:`\theta` symbolic; its real roots in :math:`x_2` on the grid
  are found as above, :math:`x_1` from the roots of an equation at each :math:`x_2`, and all
  conditions checked at the pairs.  Every solution projects to a root of :math:`r` when
  :math:`r(\cdot, v) \not\equiv 0` (otherwise the value is *ambiguous*, below).
* :math:`k \ge 3`, or fewer equations than unknowns: no roots are computed: a value is settled
  only if the half is *excluded* on the box :math:`[0, 1]^k` -- adaptive bisection (up to 18
  times, shallow passes first), a box being discarded when some equation has Bernstein
  coefficients of one strict sign there, or some inequality has all its Bernstein coefficients
  positive (Bernstein coefficients bound a polynomial on a box) -- and is ambiguous otherwise.
* Before root finding, every half with unknowns goes through the same exclusion test with
  :math:`2k` bisections; values where it is excluded need no roots.

A support profile whose players mix in different numbers of states has an *overdetermined* half
(more equations than unknowns), solved as above with the extra equations checked, and an
under-determined one, which only the exclusion test can empty; any value at which neither is
clearly empty is ambiguous for the profile (its equilibria, typically a continuum, come from the
exact solver).  The halves of a profile are processed in turn, each only at the values where the
ones before are not clearly empty.

**Tolerances** (relative to the scale :math:`S` of the quantity at the point):

* a sign decision (:math:`g \le 0`, :math:`\pi > 0`) is clear if :math:`|p| > 10^{-9} S`, where at a
  candidate :math:`x` the scale uses :math:`\max(|x_l|, 1)` (so it covers an absolute error of the
  candidate, e.g. a root computed as :math:`10^{-17}` that is exactly 0); a Bernstein coefficient
  has a clear sign beyond :math:`10^{-9}` times the sum of the absolute coefficients;
* an equation checked at a candidate holds if :math:`|e| \le 10^{-10} S`, fails if
  :math:`|e| > 10^{-6} S`, and is ambiguous in between;
* a coefficient is zero if :math:`|c| \le 10^{-13}` of the largest coefficient scale, non-zero
  above :math:`10^{-8}`, ambiguous in between (all coefficients zero: the equation vanishes
  identically, ambiguous);
* a root is real if :math:`|\operatorname{Im} z| \le 10^{-7}(1 + |z|)`; a near-real root
  (:math:`\le 10^{-4}`) close to :math:`[0, 1]` or two real roots within :math:`10^{-6}` of each other
  there (a near-double root) are ambiguous; real roots are polished by two Newton steps.

**Exactness.**  At every (value, profile) where a decision is ambiguous -- a probability near 0 or 1,
a deviation gain near 0, a near-double root, a degenerate equation, a half with three or more
unknowns that is not excluded -- the profile is re-solved exactly at that value by the exact
solver (:meth:`symbolic.games.stochastic._Enumerator.solve_profile`), which also reports continua of
equilibria; the sweep's table (supports, cooperation labels, which equilibria exist) is therefore
the exact one wherever the numeric decisions are clear, and exact by construction elsewhere.
Probabilities and values of numerically found equilibria are floats (accurate to about
:math:`10^{-12}`); those of re-solved profiles are exact.

**Setup.**  Building the half systems and the resultants is done once per game and parameter
(:class:`FastSweep`); the compiled tables are kept on disk (folder ``$GT_DERIVATIONS_CACHE/sweeps``,
key: a hash of the game, the parameter, this module's and :mod:`symbolic.games.stochastic`'s sources and
the SymPy/NumPy versions; ``GT_DERIVATIONS_NO_CACHE=1`` bypasses it).
"""
from __future__ import annotations

import hashlib
import itertools
import os
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import sympy as sp

from ..cache import load_pickle, store_pickle
from ..errors import ToolkitError
from .stochastic import EquilibriumSet, StochasticGame, _Enumerator, exact

#: relative tolerances (see the module docstring)
TOL_SIGN = 1e-9
TOL_ZERO = 1e-10
TOL_NONZERO = 1e-6
TOL_COEF_ZERO = 1e-13
TOL_COEF_CLEAR = 1e-8
TOL_IMAG = 1e-7
TOL_NEAR_REAL = 1e-4
TOL_SEPARATION = 1e-6
BERNSTEIN_DEPTH = 18      # bisections in the exclusion test (6 per unknown for three unknowns)
BERNSTEIN_MAX_BOXES = 200_000
BERNSTEIN_STAGES = (3, 9, BERNSTEIN_DEPTH)   # shallow passes first, on every such half
PREFILTER_DEPTH = 2   # bisections per unknown of the exclusion pre-filter before root finding

_CACHE_VERSION = 1


# =============================================================================================
# Compiled polynomials
# =============================================================================================
class _ThetaTable:
    """The coefficient polynomials in theta of every compiled polynomial (deduplicated rows)."""

    def __init__(self):
        self.rows: list[tuple[float, ...]] = []
        self.index: dict = {}

    def row(self, coeffs: dict) -> int:
        deg = max(coeffs)
        vec = tuple(float(coeffs.get(j, 0)) for j in range(deg + 1))
        if vec not in self.index:
            self.index[vec] = len(self.rows)
            self.rows.append(vec)
        return self.index[vec]

    def matrix(self) -> np.ndarray:
        width = max((len(r) for r in self.rows), default=1)
        A = np.zeros((max(len(self.rows), 1), width))
        for k, r in enumerate(self.rows):
            A[k, :len(r)] = r
        return A


@dataclass
class _CPoly:
    """``sum_t C[rows[t]](theta) * prod_l x_l ** E[t, l]``."""

    E: np.ndarray     # (T, k) int exponents of the unknowns
    rows: np.ndarray  # (T,) rows of the theta table

    @property
    def zero(self) -> bool:
        return len(self.rows) == 0


def _compile(p, idx: Sequence[int], table: _ThetaTable) -> _CPoly:
    groups: dict = {}
    for monom, coeff in p.items():
        key = tuple(monom[i] for i in idx)
        groups.setdefault(key, {})[monom[-1]] = Fraction(int(coeff.numerator), int(coeff.denominator))
    keys = sorted(groups)
    E = np.array(keys, dtype=np.int64).reshape(len(keys), len(idx))
    rows = np.array([table.row(groups[k]) for k in keys], dtype=np.int64)
    return _CPoly(E, rows)


def _compile_univariate(p, pos: int, idx: Sequence[int], table: _ThetaTable):
    """``p`` as a polynomial in unknown ``pos`` whose coefficients are compiled polynomials in
    the other unknowns (ascending powers)."""
    by_power: dict = {}
    for monom, coeff in p.items():
        by_power.setdefault(monom[idx[pos]], {})[monom] = coeff
    if not by_power:
        return []
    out = []
    others = [i for n, i in enumerate(idx) if n != pos]
    for e in range(max(by_power) + 1):
        out.append(_compile(by_power.get(e, {}), others, table))
    return out


def _evaluate(polys: list[_CPoly], C: np.ndarray, Cabs: np.ndarray, X: np.ndarray):
    """Values and scales of ``polys`` at candidates ``X`` (N, n, k): arrays (P, N, n)."""
    N, n, k = X.shape
    P = len(polys)
    val = np.zeros((P, N, n))
    scale = np.zeros((P, N, n))
    if P == 0:
        return val, scale
    if k == 0:   # one term per polynomial: its theta coefficient
        for j, p in enumerate(polys):
            if len(p.rows):
                val[j] = C[p.rows[0]][:, None]
                scale[j] = Cabs[p.rows[0]][:, None]
        return val, scale
    E = np.concatenate([p.E for p in polys], axis=0)
    rows = np.concatenate([p.rows for p in polys])
    if len(rows) == 0:
        return val, scale
    if k:
        Xa = np.maximum(np.abs(X), 1.0)   # scales cover an absolute error of a candidate in the box
        mono = np.ones((len(rows), N, n))
        amono = np.ones((len(rows), N, n))
        for l in range(k):
            e = E[:, l]
            if e.any():
                mono *= X[None, :, :, l] ** e[:, None, None]
                amono *= Xa[None, :, :, l] ** e[:, None, None]
        terms = C[rows][:, :, None] * mono
        aterms = Cabs[rows][:, :, None] * amono
    else:
        terms = np.broadcast_to(C[rows][:, :, None], (len(rows), N, n))
        aterms = np.broadcast_to(Cabs[rows][:, :, None], (len(rows), N, n))
    counts = np.array([len(p.rows) for p in polys])
    nonempty = np.nonzero(counts)[0]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[nonempty]
    val[nonempty] = np.add.reduceat(terms, starts, axis=0)
    scale[nonempty] = np.add.reduceat(aterms, starts, axis=0)
    return val, scale


# =============================================================================================
# Batched univariate real roots
# =============================================================================================
def _real_roots(coef: np.ndarray, acoef: np.ndarray):
    """Real roots of ``sum_j coef[:, j] t^j`` for each row (ascending powers), with ``acoef`` the
    scales.  Returns ``roots`` (M, D) (NaN where there is none), and ``amb`` (M,) flagging rows
    whose roots are not clearly decided near [0, 1] (see the module docstring) or whose
    polynomial vanishes identically."""
    M, D1 = coef.shape
    D = D1 - 1
    roots = np.full((M, max(D, 1)), np.nan)
    amb = np.zeros(M, dtype=bool)
    if D < 1:
        amb |= np.abs(coef[:, 0]) <= TOL_COEF_CLEAR * np.maximum(acoef[:, 0], 1e-300)
        return roots, amb
    big = acoef.max(axis=1)
    big = np.where(big > 0, big, 1.0)
    absc = np.abs(coef)
    zero = absc <= TOL_COEF_ZERO * big[:, None]
    unclear = (~zero) & (absc <= TOL_COEF_CLEAR * big[:, None])
    amb |= unclear.any(axis=1)
    nz = ~zero
    # effective degree: highest non-zero coefficient
    eff = np.where(nz.any(axis=1), D - np.argmax(nz[:, ::-1], axis=1), -1)
    amb |= eff < 0            # vanishes identically
    # (a root at 0 from vanishing low coefficients is kept: the companion matrix handles it)
    for d in np.unique(eff):
        if d < 1:
            continue
        sel = np.nonzero(eff == d)[0]
        c = coef[sel, :d + 1]
        lead = c[:, d]
        if d == 1:
            z = (-c[:, 0] / lead)[:, None].astype(complex)
        elif d == 2:     # the stable quadratic formula
            a_, b_, c_ = lead, c[:, 1], c[:, 0]
            sq = np.sqrt((b_ * b_ - 4 * a_ * c_).astype(complex))
            sgn = np.where(b_ >= 0, 1.0, -1.0)
            q = -0.5 * (b_ + sgn * sq)
            qs = np.where(q == 0, 1, q)
            z = np.stack([q / a_, np.where(q == 0, 0, c_ / qs)], axis=1)
        else:            # companion matrices, all rows at once
            comp = np.zeros((len(sel), d, d))
            comp[:, 0, :] = -c[:, d - 1::-1] / lead[:, None]
            comp[:, np.arange(1, d), np.arange(d - 1)] = 1.0
            z = np.linalg.eigvals(comp)
        re, im = z.real, np.abs(z.imag)
        real = im <= TOL_IMAG * (1 + np.abs(z))
        near_box = (re > -0.01) & (re < 1.01)
        amb[sel] |= np.any((~real) & (im <= TOL_NEAR_REAL) & near_box, axis=1)
        r = np.where(real, re, np.nan)
        # two Newton steps
        for _ in range(2):
            pv = np.zeros_like(r)
            dv = np.zeros_like(r)
            for j in range(d, -1, -1):
                dv = dv * r + pv
                pv = pv * r + c[:, j][:, None]
            step = np.where(dv != 0, pv / np.where(dv != 0, dv, 1), 0)
            r = np.where(np.abs(step) < 1e-6, r - step, r)
        rs = np.sort(r, axis=1)
        if d > 1:
            gaps = np.diff(rs, axis=1)
            close = (gaps <= TOL_SEPARATION) & (rs[:, 1:] > -0.01) & (rs[:, :-1] < 1.01)
            amb[sel] |= np.any(close, axis=1)
        roots[sel, :d] = rs
    return roots, amb


def _residual_state(val, scale):
    """0: holds, 1: ambiguous, 2: fails (equations at candidates)."""
    a = np.abs(val)
    return np.where(a <= TOL_ZERO * scale, 0, np.where(a > TOL_NONZERO * scale, 2, 1))


# =============================================================================================
# Compiled halves
# =============================================================================================
@dataclass
class _CHalf:
    kind: str                       # "zero", "uni", "res", "bern"
    k: int
    eqs: list
    ineqs: list
    positive: list
    N: list
    det: _CPoly
    uni: list = field(default_factory=list)    # per equation: coefficient polys in the solved unknown
    solve_pos: int = 0                          # which unknown the roots are computed for (uni/res)
    res: list = field(default_factory=list)    # resultant coefficients in the remaining unknown
    back: list = field(default_factory=list)   # per equation: coefficients in the eliminated unknown
    back_pos: int = 0
    bern: list = field(default_factory=list)   # (dense coefficient spec, degrees) per equation
    bern_ineq: list = field(default_factory=list)
    over: bool = False                          # more equations than unknowns
    player: int = 0
    used: np.ndarray | None = None              # the global theta-table rows it uses


def _dense(p, idx, table):
    """Dense monomial coefficient spec of ``p`` over its degree box: (degrees, list of (flat
    index, row))."""
    groups: dict = {}
    for monom, coeff in p.items():
        key = tuple(monom[i] for i in idx)
        groups.setdefault(key, {})[monom[-1]] = Fraction(int(coeff.numerator), int(coeff.denominator))
    degs = tuple(max((key[l] for key in groups), default=0) for l in range(len(idx)))
    spec = [(int(np.ravel_multi_index(key, [d + 1 for d in degs])), table.row(g)) for key, g in groups.items()]
    return degs, spec


def _compile_half(enum: _Enumerator, h, table: _ThetaTable, overdetermined: bool) -> _CHalf:
    idx = list(h.idx)
    k = len(idx)
    eqs = [p for p in h.eqs if p]      # an identically vanishing equation constrains nothing
    comp = lambda ps: [_compile(p, idx, table) for p in ps]  # noqa: E731
    half = _CHalf("zero", k, comp(eqs), comp(h.ineqs), comp(h.positive), comp(h.N), _compile(h.det, idx, table))
    half.over = overdetermined
    if len(eqs) < k or k >= 3:
        half.kind = "bern"      # under-determined, or too many unknowns: exclusion test only
    elif k == 1:
        half.kind = "uni"
        half.uni = [_compile_univariate(p, 0, idx, table) for p in eqs]
    elif k == 2:
        res = _resultant(enum, eqs, idx)
        if res is None:
            half.kind = "bern"
        else:
            r, elim, keep = res
            half.kind = "res"
            half.solve_pos = keep
            half.back_pos = elim
            half.res = _compile_univariate(r, keep, idx, table)
            half.back = [_compile_univariate(p, elim, idx, table) for p in eqs]
    if k >= 1:   # exclusion test data (the only test of "bern" halves, a pre-filter for the others)
        half.bern = [_dense(p, idx, table) for p in eqs]
        half.bern_ineq = [_dense(p, idx, table) for p in h.ineqs if p]
    _localise(half)
    return half


def _localise(half: _CHalf) -> None:
    """Renumber the theta-table rows a half uses to 0, 1, ... (``half.used`` lists the global
    rows), so that a run evaluates only those rows."""
    polys = half.eqs + half.ineqs + half.positive + half.N + [half.det] + half.res
    for group in half.uni + half.back:
        polys += group
    used = set()
    for p in polys:
        used.update(p.rows.tolist())
    for _, spec in half.bern + half.bern_ineq:
        used.update(r for _, r in spec)
    half.used = np.array(sorted(used), dtype=np.int64)
    local = {r: k for k, r in enumerate(half.used.tolist())}
    for p in polys:
        p.rows = np.array([local[r] for r in p.rows.tolist()], dtype=np.int64)
    half.bern = [(d, [(f, local[r]) for f, r in spec]) for d, spec in half.bern]
    half.bern_ineq = [(d, [(f, local[r]) for f, r in spec]) for d, spec in half.bern_ineq]


def _resultant(enum: _Enumerator, eqs, idx):
    """A non-zero resultant of two of the equations eliminating one unknown, as a ring element,
    with (eliminated position, kept position); None if every choice vanishes identically."""
    R = enum.ring
    gens = R.symbols
    th = gens[-1]

    def poly(p, elim, keep):  # p in (eliminated unknown, kept unknown, theta) over QQ
        d = {}
        for monom, c in p.items():
            key = (monom[idx[elim]], monom[idx[keep]], monom[-1])
            d[key] = d.get(key, 0) + sp.Rational(int(c.numerator), int(c.denominator))
        return sp.Poly.from_dict(d, gens[idx[elim]], gens[idx[keep]], th, domain="QQ")

    for elim in (0, 1):
        keep = 1 - elim
        ge, gk = gens[idx[elim]], gens[idx[keep]]
        for a, b in itertools.combinations(range(len(eqs)), 2):
            pa, pb = poly(eqs[a], elim, keep), poly(eqs[b], elim, keep)
            if pa.degree(ge) == 0 and pb.degree(ge) == 0:
                continue
            r = sp.resultant(pa, pb, ge)
            r = sp.Poly(r, gk, th, domain="QQ") if not isinstance(r, sp.Poly) else r
            if r.is_zero:
                continue
            zeros = [0] * len(gens)
            d = {}
            for (ek, et), c in r.terms():
                m = list(zeros)
                m[idx[keep]] = ek
                m[-1] = et
                d[tuple(m)] = R.domain.convert(c)
            return R.from_dict(d), elim, keep
    return None


# =============================================================================================
# Results
# =============================================================================================
class NumericEquilibrium:
    """One stationary MPE found by the fast sweep: exact support and cooperation label, float
    probabilities and values (``exact`` is True if it came from the exact solver)."""

    __slots__ = ("support", "label", "_strategy", "_values", "exact")

    def __init__(self, support, label, strategy, values, exact=False):
        self.support = support
        self.label = label
        self._strategy = strategy
        self._values = values
        self.exact = exact

    @property
    def strategy(self) -> dict:
        """``(state, player) -> {action: probability}`` (floats, or exact numbers if ``exact``)."""
        s = self._strategy
        return s() if callable(s) else s

    @property
    def values(self) -> dict:
        """``(state, player) -> value``."""
        v = self._values
        return v() if callable(v) else v

    def probability(self, state: str, player: str, action: str) -> float:
        """``sigma_player(state)(action)`` as a float."""
        return float(self.strategy[(state, player)].get(action, 0))

    def value(self, state: str, player: str) -> float:
        """``V_player(state)`` as a float."""
        return float(self.values[(state, player)])

    def is_pure(self) -> bool:
        """True if every support is a single action."""
        return all(len(s) == 1 for s in self.support.values())


@dataclass
class SweepRow:
    """The stationary equilibria at one value of the swept parameter: numeric ``equilibria``,
    exact ``continua`` (from the exact solver), and how many profiles were re-solved exactly."""

    value: sp.Basic
    equilibria: list
    continua: list
    profiles_resolved: int = 0

    def labels(self) -> list:
        """Cooperation labels of all components (isolated equilibria, then continua)."""
        return [e.label for e in self.equilibria] + [c.label for c in self.continua]


# =============================================================================================
# The sweep
# =============================================================================================
class FastSweep:
    """Every stationary MPE of ``game`` (two players, numbers everywhere but ``parameter``, which
    enters payoffs, transitions and discount polynomially) on grids of the parameter; build once,
    call :meth:`run` for each grid.  ``cache``: keep the compiled tables on disk."""

    def __init__(self, game: StochasticGame, parameter, cache: bool = True):
        if isinstance(parameter, str):
            names = {s.name: s for s in game.free_symbols}
            if parameter not in names:
                raise ToolkitError(f"the game does not depend on {parameter!r}")
            parameter = names[parameter]
        self.game = game
        self.theta = parameter
        self._enum = None
        self._games: dict = {}
        self._labels: dict = {}
        self.stats: dict = {}
        data = _load_cached(game, parameter) if cache else None
        if data is None:
            data = self._setup()
            if cache:
                _store_cached(game, parameter, data)
        (self.A, self.halves, self.profiles, self.keys, self.trans_rows, self.disc_row,
         self.player_states) = data
        self.Aabs = np.abs(self.A)

    # -- setup ------------------------------------------------------------------------------
    @property
    def enum(self) -> _Enumerator:
        """The exact enumerator (built on first use: only the exact re-solves need it)."""
        if self._enum is None:
            self._enum = _Enumerator(self.game, self.theta)
        return self._enum

    def _setup(self):
        enum = self.enum
        game = self.game
        table = _ThetaTable()
        halves = []
        profiles = []
        for sigma in enum.supports:
            mixed = [sum(len(sigma[(s, i)]) - 1 for s in game.states) for i in range(2)]
            entry = []
            for i in range(2):
                h = enum.system(sigma, i)
                hf = _compile_half(enum, h, table, mixed[i] > mixed[1 - i])
                hf.player = i
                halves.append(hf)
                entry.append(len(halves) - 1)
            # most constrained first: over-determined, then root finding, then exclusion tests
            rank = {"zero": 0, "uni": 1, "res": 2, "bern": 3}
            order = sorted(entry, key=lambda k: (not halves[k].over, rank[halves[k].kind],
                                                 -len(halves[k].bern) - len(halves[k].bern_ineq), k))
            profiles.append((tuple(sigma[k] for k in enum.keys), tuple(order)))
        # transition probabilities and discount as polynomials in theta (for labels and checks)
        th = self.theta
        trans_rows = {}
        for key, t in game.transitions.items():
            for s2, pr in t.items():
                poly = sp.Poly(pr, th)
                trans_rows[(key, s2)] = table.row({m[0]: Fraction(str(c)) for m, c in poly.terms()} or {0: 0})
        dpoly = sp.Poly(game.discount, th)
        disc_row = table.row({m[0]: Fraction(str(c)) for m, c in dpoly.terms()} or {0: 0})
        return (table.matrix(), halves, profiles, list(enum.keys), trans_rows, disc_row,
                [(s, i) for s in game.states for i in range(2)])

    # -- running ----------------------------------------------------------------------------
    def run(self, values: Iterable) -> list[SweepRow]:
        """Every stationary MPE at each value (exact numbers, or floats read as their decimal
        representation)."""
        vals, fr = self._points(values)
        n = len(vals)
        if n == 0:
            return []
        V = self._monomials(fr)
        C = self.A @ V
        Cabs = self.Aabs @ np.abs(V)
        self._check_discount(fr)
        patterns = self._patterns(fr, C, Cabs)
        rows = [SweepRow(v, [], []) for v in vals]
        resolved_values = set()
        n_resolved = 0
        game = self.game
        players = game.players
        for sig_t, order in self.profiles:
            # halves in order; each is solved only at the values where the ones before are not
            # clearly empty
            live = np.arange(n)
            res = {}
            # exclusion tests: a shallow pass on every such half first, the full depth after
            stages = [(k, None) for k in order if self.halves[k].kind != "bern"]
            for depth in BERNSTEIN_STAGES:
                stages += [(k, depth) for k in order if self.halves[k].kind == "bern"]
            for k, depth in stages:
                hf = self.halves[k]
                full = len(live) == n
                Ch = C[hf.used] if full else C[hf.used][:, live]
                Cah = Cabs[hf.used] if full else Cabs[hf.used][:, live]
                (X, ok, values), amb = self._solve_half(hf, Ch, Cah, depth)
                keep = amb | ok.any(axis=1)
                res[k] = (live, X, ok, values, amb)
                live = live[keep]
                if len(live) == 0:
                    break
            if len(live) == 0:
                continue
            sigma = dict(zip(self.keys, sig_t))
            support = {(s, players[i]): sigma[(s, i)] for s in game.states for i in range(2)}
            square = all(self.halves[k].kind in ("zero", "uni", "res") and not self.halves[k].over for k in order)
            pos = {k: np.searchsorted(res[k][0], live) for k in order}
            unsure_all = np.zeros(len(live), bool) if square else np.ones(len(live), bool)
            for k in order:
                unsure_all |= res[k][4][pos[k]]
            for m, v in enumerate(live.tolist()):
                if unsure_all[m]:
                    n_resolved += 1
                    resolved_values.add(v)
                    self._exact_profile(rows[v], sigma, fr[v])
                    continue
                label = self._label(support, patterns[v], fr[v])
                parts = []
                for k in order:
                    _, X, ok, values, _ = res[k]
                    c = pos[k][m]
                    parts.append((X[c], ok[c], values[c]))
                byplayer = dict(zip([self.halves[k].player for k in order], parts))
                (X0, ok0, val0), (X1, ok1, val1) = byplayer[0], byplayer[1]
                for a in np.nonzero(ok0)[0]:
                    for b in np.nonzero(ok1)[0]:
                        rows[v].equilibria.append(self._numeric(sigma, support, label, (X0[a], X1[b]),
                                                                (val0[a], val1[b])))
        self.stats = {"values": n, "profile_resolves": n_resolved, "values_resolved": len(resolved_values)}
        return rows

    # -- pieces (the hooks :class:`symbolic.maps.equilibria.GridSweep` overrides for several parameters) ----
    def _points(self, values) -> tuple[list, list]:
        """The values as exact numbers, and as the keys (Fractions) the rest of a run uses."""
        vals = [exact(v) for v in values]
        return vals, [Fraction(int(sp.Rational(v).p), int(sp.Rational(v).q)) for v in vals]

    def _monomials(self, fr) -> np.ndarray:
        """The columns of the theta table at each value: ``theta ** j`` (rows j, columns the values)."""
        theta = np.array([float(f) for f in fr])
        return theta[None, :] ** np.arange(self.A.shape[1])[:, None]

    def _subs(self, v) -> dict:
        """The exact substitution of the parameter at value ``v`` (a key of :meth:`_points`)."""
        return {self.theta: sp.Rational(v.numerator, v.denominator)}

    def _solve_profile(self, sigma, v):
        """``(enumerator, result)``: support profile ``sigma`` solved exactly at value ``v``."""
        return self.enum, self.enum.solve_profile(sigma, sp.Rational(v.numerator, v.denominator))

    def _check_discount(self, fr):
        d = self.game.discount
        if not d.free_symbols:
            if not 0 <= d < 1:
                raise ToolkitError(f"the discount factor must lie in [0, 1), got {d}")
            return
        for v in fr:
            at = self._subs(v)
            x = d.xreplace(at)  # exact: nsimplify would turn some rationals into radicals
            if not 0 <= x < 1:
                where = ", ".join(f"{k} = {val}" for k, val in at.items())
                raise ToolkitError(f"the discount factor must lie in [0, 1), got {x} at {where}")

    def _patterns(self, fr, C, Cabs):
        """Which transition probabilities are positive at each value (exactly: numeric, with an
        exact re-check near 0)."""
        keys = sorted(self.trans_rows, key=repr)
        rows = np.array([self.trans_rows[k] for k in keys])
        val, sc = C[rows], Cabs[rows]
        pos = val > TOL_SIGN * sc
        unclear = np.abs(val) <= TOL_SIGN * sc
        out = []
        for n in range(len(fr)):
            if unclear[:, n].any():
                bits = []
                for j, key in enumerate(keys):
                    if unclear[j, n]:
                        (s, prof), s2 = key
                        pr = self.game.transitions[(s, prof)][s2]
                        bits.append(bool(pr.xreplace(self._subs(fr[n])) > 0))
                    else:
                        bits.append(bool(pos[j, n]))
                out.append(tuple(bits))
            else:
                out.append(tuple(pos[:, n].tolist()))
        return out

    def _game_at(self, v: Fraction):
        if v not in self._games:
            self._games[v] = self.game.subs(self._subs(v))
        return self._games[v]

    def _label(self, support, pattern, v):
        key = (tuple(sorted(support.items())), pattern)
        if key not in self._labels:
            self._labels[key] = self._game_at(v).cooperation_label(support)
        return self._labels[key]

    def _exact_profile(self, row: SweepRow, sigma, v: Fraction):
        game_v = self._game_at(v)
        enum, res = self._solve_profile(sigma, v)
        row.profiles_resolved += 1
        if res is None:
            return
        out = EquilibriumSet(game_v)
        enum.assemble(out, game_v, sigma, res)
        for e in out.equilibria:
            row.equilibria.append(NumericEquilibrium(e.support, e.label, e.strategy, e.values, exact=True))
        row.continua.extend(out.continua)

    def _numeric(self, sigma, support, label, points, vals):
        game = self.game
        players = game.players

        def strategy():
            out = {}
            for i in range(2):
                j = 1 - i
                coords = list(points[i])
                k = 0
                for s in game.states:
                    sup = sigma[(s, j)]
                    if len(sup) == 1:
                        out[(s, players[j])] = {sup[0]: 1.0}
                        continue
                    probs = [float(c) for c in coords[k:k + len(sup) - 1]]
                    k += len(sup) - 1
                    mix = dict(zip(sup, probs))
                    mix[sup[-1]] = 1.0 - sum(probs)
                    out[(s, players[j])] = mix
            return out

        def values():
            return {(s, players[i]): float(vals[i][kk]) for i in range(2) for kk, s in enumerate(game.states)}
        return NumericEquilibrium(support, label, strategy, values)

    # -- solving a half on the grid -----------------------------------------------------------
    def _solve_half(self, hf: _CHalf, C, Cabs, depth=None):
        """``((X, ok, values), amb)``: candidates X (N, n, k), admissible mask ok (N, n), values
        (N, n, S) of the half's player, and the ambiguous values amb (N,)."""
        n = C.shape[1]
        if hf.kind == "bern":
            return (np.zeros((n, 0, hf.k)), np.zeros((n, 0), bool), np.zeros((n, 0, 0))), \
                self._bernstein(hf, C, Cabs, BERNSTEIN_DEPTH if depth is None else depth)
        if hf.k >= 1 and PREFILTER_DEPTH is not None and (hf.bern or hf.bern_ineq):
            # values where the half is excluded on the box need no roots
            maybe = np.nonzero(self._bernstein(hf, C, Cabs, PREFILTER_DEPTH * hf.k))[0]
            if len(maybe) < n:
                (Xm, okm, valm), ambm = self._solve_numeric(hf, C[:, maybe], Cabs[:, maybe])
                X = np.full((n,) + Xm.shape[1:], 0.5)
                ok = np.zeros((n,) + okm.shape[1:], bool)
                values = np.zeros((n,) + valm.shape[1:])
                amb = np.zeros(n, bool)
                X[maybe], ok[maybe], values[maybe], amb[maybe] = Xm, okm, valm, ambm
                return (X, ok, values), amb
        return self._solve_numeric(hf, C, Cabs)

    def _solve_numeric(self, hf: _CHalf, C, Cabs):
        """Candidates and checks of a zero/uni/res half at every column of ``C``."""
        n = C.shape[1]
        amb = np.zeros(n, dtype=bool)
        if hf.kind == "zero":
            X = np.zeros((n, 1, 0))
            checked = hf.eqs
        elif hf.kind == "uni":
            X, amb = self._uni_candidates(hf, C, Cabs)
            checked = hf.eqs
        else:
            X, amb = self._res_candidates(hf, C, Cabs)
            checked = hf.eqs
        ok = ~np.isnan(X).any(axis=2) if X.shape[2] else np.ones(X.shape[:2], bool)
        Xs = np.where(np.isnan(X), 0.5, X)
        if checked:
            val, sc = _evaluate(checked, C, Cabs, Xs)
            st = _residual_state(val, sc)
            fails = (st == 2).any(axis=0)
            unsure = (st == 1).any(axis=0) & ~fails
            ok &= ~fails
            amb |= (unsure & ok).any(axis=1)
            ok &= ~unsure
        for group, strict in ((hf.positive, True), (hf.ineqs, False)):
            if not group or not ok.any():
                continue
            val, sc = _evaluate(group, C, Cabs, Xs)
            band = TOL_SIGN * sc
            bad = (val < -band) if strict else (val > band)
            unsure = (np.abs(val) <= band)
            bad_any = bad.any(axis=0)
            uns = unsure.any(axis=0) & ~bad_any
            ok &= ~bad_any
            amb |= (uns & ok).any(axis=1)
            ok &= ~uns
        if ok.any():
            num, _ = _evaluate(hf.N, C, Cabs, Xs)
            den, dsc = _evaluate([hf.det], C, Cabs, Xs)
            amb |= (ok & (np.abs(den[0]) <= TOL_SIGN * dsc[0])).any(axis=1)
            values = np.moveaxis(num / np.where(den == 0, 1, den), 0, 2)
        else:
            values = np.zeros(X.shape[:2] + (len(hf.N),))
        return (Xs, ok, values), amb

    def _uni_candidates(self, hf: _CHalf, C, Cabs):
        n = C.shape[1]
        # the equation of highest degree gives the candidates; the others are checked
        j = max(range(len(hf.uni)), key=lambda q: len(hf.uni[q]))
        coeffs = hf.uni[j]
        coef = np.stack([C[p.rows].sum(axis=0) if len(p.rows) else np.zeros(n) for p in coeffs], axis=1)
        acoef = np.stack([Cabs[p.rows].sum(axis=0) if len(p.rows) else np.zeros(n) for p in coeffs], axis=1)
        roots, amb = _real_roots(coef, acoef)
        return roots[:, :, None], amb

    def _res_candidates(self, hf: _CHalf, C, Cabs):
        n = C.shape[1]
        coef = np.stack([C[p.rows].sum(axis=0) if len(p.rows) else np.zeros(n) for p in hf.res], axis=1)
        acoef = np.stack([Cabs[p.rows].sum(axis=0) if len(p.rows) else np.zeros(n) for p in hf.res], axis=1)
        r2, amb = _real_roots(coef, acoef)                 # (N, D2)
        keep = ~np.isnan(r2) & (r2 > -0.01) & (r2 < 1.01)  # only roots near the box matter
        r2 = np.where(keep, r2, np.nan)
        D2 = r2.shape[1]
        # back-substitution: roots in the eliminated unknown of the equation of highest degree
        j = max(range(len(hf.back)), key=lambda q: len(hf.back[q]))
        coeffs = hf.back[j]
        Y = np.where(np.isnan(r2), 0.5, r2)[:, :, None]           # (N, D2, 1)
        vals = [_evaluate([p], C, Cabs, Y) for p in coeffs]
        coef1 = np.stack([v[0][0] for v in vals], axis=2).reshape(n * D2, len(coeffs))
        acoef1 = np.stack([v[1][0] for v in vals], axis=2).reshape(n * D2, len(coeffs))
        r1, amb1 = _real_roots(coef1, acoef1)                      # (N*D2, D1)
        valid = ~np.isnan(r2).reshape(n * D2)
        amb |= (amb1 & valid).reshape(n, D2).any(axis=1)
        D1 = r1.shape[1]
        r1 = r1.reshape(n, D2, D1)
        r1 = np.where(np.isnan(r2)[:, :, None], np.nan, r1)
        X = np.empty((n, D2 * D1, 2))
        X[:, :, hf.back_pos] = r1.reshape(n, D2 * D1)
        X[:, :, hf.solve_pos] = np.repeat(r2, D1, axis=1)
        X[np.isnan(X).any(axis=2)] = np.nan
        return X, amb

    def _bernstein(self, hf: _CHalf, C, Cabs, max_depth: int):
        """True where the half is not excluded on [0, 1]^k (ambiguous): adaptive subdivision,
        splitting each surviving box in half along the axes in turn, at most
        ``BERNSTEIN_DEPTH`` times."""
        n = C.shape[1]
        specs = [(d, sp_, True) for d, sp_ in hf.bern] + [(d, sp_, False) for d, sp_ in hf.bern_ineq]
        if not specs:
            return np.ones(n, bool)
        k = hf.k
        coeffs, tols = [], []
        for degs, spec, _ in specs:
            size = int(np.prod([d + 1 for d in degs]))
            dense = np.zeros((n, size))
            adense = np.zeros((n, size))
            for flat, row in spec:
                dense[:, flat] += C[row]
                adense[:, flat] += Cabs[row]
            coeffs.append(dense @ _to_bernstein(degs).T)
            tols.append(TOL_SIGN * adense.sum(axis=1))
        owner = np.arange(n)
        for depth in range(max_depth + 1):
            excluded = np.zeros(len(owner), bool)
            for (_, _, is_eq), B, tol in zip(specs, coeffs, tols):
                t = tol[owner][:, None]
                ex = (B > t).all(axis=1)
                if is_eq:
                    ex |= (B < -t).all(axis=1)
                excluded |= ex
            keep = ~excluded
            owner = owner[keep]
            coeffs = [B[keep] for B in coeffs]
            if len(owner) == 0 or depth == max_depth or len(owner) > BERNSTEIN_MAX_BOXES:
                break
            axis = depth % k
            new = []
            for (degs, _, _), B in zip(specs, coeffs):
                left, right = _split_maps(degs, axis)
                new.append(np.concatenate([B @ left.T, B @ right.T]))
            coeffs = new
            owner = np.concatenate([owner, owner])
        amb = np.zeros(n, bool)
        amb[owner] = True
        return amb


_MAPS: dict = {}


def _to_bernstein(degs) -> np.ndarray:
    """Dense monomial coefficients on [0, 1]^k -> Bernstein coefficients (tensor basis)."""
    key = ("B", degs)
    if key not in _MAPS:
        M = np.ones((1, 1))
        for d in degs:
            B = np.zeros((d + 1, d + 1))
            for i in range(d + 1):
                for j in range(i + 1):
                    B[i, j] = comb(i, j) / comb(d, j) if d else 1.0
            M = np.kron(M, B)
        _MAPS[key] = M
    return _MAPS[key]


def _split_maps(degs, axis) -> tuple:
    """De Casteljau: Bernstein coefficients on a box -> those on its two halves along ``axis``."""
    key = ("S", degs, axis)
    if key not in _MAPS:
        d = degs[axis]
        L = np.zeros((d + 1, d + 1))
        Rm = np.zeros((d + 1, d + 1))
        for i in range(d + 1):
            for j in range(i + 1):
                L[i, j] = comb(i, j) / 2 ** i
            for j in range(i, d + 1):
                Rm[i, j] = comb(d - i, j - i) / 2 ** (d - i)
        mats = []
        for M1 in (L, Rm):
            M = np.ones((1, 1))
            for l, dl in enumerate(degs):
                M = np.kron(M, M1 if l == axis else np.eye(dl + 1))
            mats.append(M)
        _MAPS[key] = tuple(mats)
    return _MAPS[key]


# =============================================================================================
# Disk cache of the setup
# =============================================================================================
def _fingerprint(game: StochasticGame, parameter) -> str:
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("stochastic.py", "stochastic_fast.py"):
        h.update((here / name).read_bytes())
    import numpy
    h.update(repr((_CACHE_VERSION, sp.__version__, numpy.__version__, game.players, game.states, game.start,
                   sp.srepr(game.discount), sp.srepr(parameter),
                   sorted((k, v) for k, v in game.actions.items()),
                   sorted((k, tuple(sp.srepr(u) for u in v)) for k, v in game.payoffs.items()),
                   sorted((k, sorted((s, sp.srepr(p)) for s, p in t.items())) for k, t in game.transitions.items()),
                   )).encode())
    return h.hexdigest()


def _cache_path(game, parameter) -> Path | None:
    if os.environ.get("GT_DERIVATIONS_NO_CACHE") == "1":
        return None
    from ..codegen import cache_dir
    return cache_dir() / "sweeps" / f"{_fingerprint(game, parameter)}.pickle"


def _load_cached(game, parameter):
    path = _cache_path(game, parameter)
    return None if path is None else load_pickle(path)


def _store_cached(game, parameter, data) -> None:
    path = _cache_path(game, parameter)
    if path is not None:
        store_pickle(path, data)


_SWEEPS: dict = {}


def fast_sweep(game: StochasticGame, parameter, values: Iterable, cache: bool = True) -> list[SweepRow]:
    """Every stationary MPE at each value of ``parameter`` (see the module docstring); the
    compiled setup is reused within the process and kept on disk."""
    key = None
    try:
        key = (_fingerprint(game, parameter if not isinstance(parameter, str) else
                            {s.name: s for s in game.free_symbols}.get(parameter, parameter)), cache)
    except Exception:
        key = None
    sw = _SWEEPS.get(key) if key is not None else None
    if sw is None:
        sw = FastSweep(game, parameter, cache=cache)
        if key is not None:
            _SWEEPS[key] = sw
    return sw.run(values)


__all__ = ["FastSweep", "SweepRow", "NumericEquilibrium", "fast_sweep", "TOL_SIGN", "TOL_ZERO", "TOL_NONZERO"]
