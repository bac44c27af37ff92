r"""Optima of an objective over an interval: first-order condition, second-order condition,
corners (Kuhn--Tucker).

To maximise :math:`f(x, \theta)` over :math:`x \in [\ell, h]` (either end may be infinite or be
an expression in the parameters):

1. **FOC.**  :math:`f_x(x, \theta) = 0` is solved for :math:`x` (:mod:`.systems`); the critical
   points that can lie in :math:`[\ell, h]` are kept.
2. **SOC.**  Strict concavity, :math:`f_{xx} < 0` for every :math:`x` in the interval and every
   :math:`\theta` in the domain, is decided with z3; failing that, :math:`f_{xx} < 0` at the
   critical point.  With a single critical point :math:`x^\circ` and :math:`f_{xx}(x^\circ) < 0`,
   :math:`f_x` changes sign once, from positive to negative, so :math:`f` is single-peaked.
   (Minimising :math:`f` is maximising :math:`-f`.)
3. **Corners.**  Then the maximiser is :math:`\ell` where :math:`x^\circ \le \ell`, :math:`h` where
   :math:`x^\circ \ge h` and :math:`x^\circ` in between:
   ``Piecewise((lo, x° <= lo), (hi, x° >= hi), (x°, True))``; the region where the optimum is
   interior, :math:`\ell < x^\circ < h`, is derived and written simply (:mod:`.regions`).
4. **Unbounded.**  Where the interval is unbounded above and :math:`f \to \infty` as
   :math:`x \to \infty` (or below), there is no maximum: an error, not a formula.

:func:`golden_section_max` is the independent numeric maximiser used to cross-check the result:
vectorised over draws, a coarse grid over the interval (doubled while the best point is at an
unbounded end) and golden-section search around the best grid point -- it never looks at the
first-order condition.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..decide import NotEncodable, decide
from ..errors import DerivationError
from .regions import classify, ends, simplify_condition
from .systems import solve_system


@dataclass
class Optimum:
    """A derived optimum: ``objective`` maximised (or minimised) over ``var`` in ``[lo, hi]``.

    ``critical`` is the interior critical point :math:`x^\\circ` (the FOC's root), ``expr`` the
    optimum with its corners, ``interior`` the region where it is interior, ``soc`` the
    second-order condition proved and ``soc_method`` how (``concave on the interval`` or ``at
    the critical point``); ``steps`` are ``(text, formula)`` pairs for the report."""

    objective: sp.Basic
    var: sp.Symbol
    lo: sp.Basic | None
    hi: sp.Basic | None
    maximize: bool
    foc: sp.Basic
    critical: sp.Basic
    soc: sp.Basic
    soc_method: str
    expr: sp.Basic
    interior: sp.Basic
    corners: list = field(default_factory=list)  # [(value, region)]
    steps: list = field(default_factory=list)


def _ends(var_relations):
    """The interval's ends: the tightest lower and upper bounds (``Max``/``Min`` of bounds that
    cannot be compared as numbers)."""
    lo, hi = ends(var_relations)
    if lo is not None and hi is not None and lo.is_number and hi.is_number and not lo < hi:
        raise DerivationError(f"the interval [{lo}, {hi}] is empty")
    return lo, hi


def restrict_piecewise(expr: sp.Basic, hypotheses: list, timeout_ms: int = 5000) -> sp.Basic:
    """``expr`` with each ``Piecewise`` cut down to the pieces that can apply under the hypotheses
    (a clipped CDF on the interval where it is not clipped is its middle piece)."""
    def cut(pw):
        kept = []
        for e, c in pw.args:
            status = classify(c, hypotheses, timeout_ms) if c is not sp.true else "always"
            if status == "never":
                continue
            kept.append((e, c))
            if status == "always":
                break
        if len(kept) == 1:
            return kept[0][0]
        return sp.Piecewise(*kept) if kept else pw
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), cut)


def derive_optimum(name: str, objective: sp.Basic, var: sp.Symbol, var_relations: list, hypotheses: list,
                   maximize: bool = True, seconds: float = 20.0, timeout_ms: int = 5000) -> Optimum:
    """The optimum of ``objective`` over ``var`` (see the module docstring)."""
    f = sp.sympify(objective)
    if var not in f.free_symbols:
        raise DerivationError(f"{name}: the objective does not depend on {var}")
    g = f if maximize else -f
    try:
        lo, hi = _ends(var_relations)
    except DerivationError as exc:
        raise DerivationError(f"{name}: {exc}") from None
    word = "maximum" if maximize else "minimum"
    for end, direction in ((hi, sp.oo), (lo, -sp.oo)):
        if end is None:
            try:
                lim = sp.limit(g, var, direction)
            except Exception:
                lim = None
            if lim == sp.oo:
                raise DerivationError(f"{name}: the objective is unbounded {'above' if maximize else 'below'} as "
                                      f"{var} -> {direction}: no {word}")
    within = list(hypotheses) + list(var_relations)
    g = restrict_piecewise(g, within, timeout_ms)
    f = g if maximize else -g
    fx = sp.together(sp.diff(g, var))
    gxx = sp.diff(g, var, 2)
    folded = sp.piecewise_fold(fx)
    flat, before = [], []
    for e, c in (folded.args if isinstance(folded, sp.Piecewise) else ()):
        if sp.simplify(e) == 0:
            flat.append(sp.And(c, *[sp.Not(b) for b in before]))
        before.append(c)
    if flat:
        where = " or ".join(str(c) for c in flat)
        raise DerivationError(f"{name}: the objective does not depend on {var} where {where} (a flat piece: every "
                              f"point there is critical); give the interval where the {word} lies with "
                              "within=(lo, hi)")
    concave = False
    try:
        concave = decide(within, gxx < 0, timeout_ms).outcome == "proved"
    except NotEncodable:
        pass
    try:
        sol = solve_system([fx], [var], {var: []}, hypotheses, seconds, timeout_ms)
    except DerivationError as exc:
        raise DerivationError(f"{name}: the first-order condition d/d{var} = 0: {exc}") from None
    # critical points that can lie in the interval
    candidates = [b for b in sol.branches
                  if classify(sp.And(b.region, *[r.xreplace(b.values) for r in var_relations]), hypotheses,
                              timeout_ms) != "never"]
    if not candidates and concave and len(sol.branches) == 1:
        candidates = sol.branches  # the critical point lies outside the interval: a corner
    if len(candidates) != 1:
        raise DerivationError(f"{name}: {len(candidates)} critical points can lie in the interval "
                              f"(need exactly one): {[b.values[var] for b in candidates]}")
    branch = candidates[0]
    crit = branch.values[var]
    soc_at = sp.factor(sp.cancel(gxx.xreplace({var: crit})))
    if concave:
        soc_method = f"strictly {'concave' if maximize else 'convex'} on the interval (z3)"
    else:
        try:
            ok = decide(list(hypotheses) + ([branch.region] if branch.region is not sp.true else []),
                        soc_at < 0, timeout_ms).outcome == "proved"
        except NotEncodable:
            ok = False
        if not ok:
            raise DerivationError(f"{name}: the second-order condition {'f' if maximize else '-f'}'' < 0 at the "
                                  f"critical point {crit} could not be decided (not single-peaked?)")
        soc_method = "at the unique critical point (z3): single-peaked"
    pieces, corners = [], []
    at_lo = crit <= lo if lo is not None else sp.false
    at_hi = crit >= hi if hi is not None else sp.false
    for value, cond in ((lo, at_lo), (hi, at_hi)):
        if value is None:
            continue
        status = classify(cond, hypotheses, timeout_ms)
        if status == "never":
            continue
        cond = simplify_condition(cond, hypotheses, timeout_ms) if status != "always" else sp.true
        pieces.append((value, cond))
        corners.append((value, cond))
    interior = sp.And(*([crit > lo] if lo is not None else []), *([crit < hi] if hi is not None else []))
    interior = simplify_condition(interior, hypotheses, timeout_ms)
    status = classify(interior, hypotheses, timeout_ms)
    if branch.region is not sp.true:
        raise DerivationError(f"{name}: the critical point {crit} exists only where {branch.region}")
    if status == "never":  # always at a corner
        expr = pieces[0][0] if len(pieces) == 1 else sp.Piecewise(*pieces[:-1], (pieces[-1][0], True))
    else:
        expr = sp.Piecewise(*pieces, (crit, True)) if pieces and status != "always" else crit
    soc = sp.StrictLessThan(sp.diff(f, var, 2) if maximize else -sp.diff(f, var, 2), 0, evaluate=False) \
        if concave else sp.StrictLessThan(soc_at, 0, evaluate=False)
    steps = [("objective", sp.Eq(sp.Symbol("f"), f, evaluate=False)),
             ("first-order condition", sp.Eq(sp.diff(f, var), 0)),
             ("critical point", sp.Eq(var, crit)),
             ("second-order condition (" + soc_method + ")", soc)]
    return Optimum(f, var, lo, hi, maximize, sp.Eq(sp.diff(f, var), 0), crit, soc, soc_method, expr,
                   sp.true if status == "always" else sp.false if status == "never" else interior, corners, steps)


# ------------------------------------------------------------------------------------------
_GOLD = (np.sqrt(5) - 1) / 2


def golden_section_max(f, lo: np.ndarray, hi: np.ndarray, grid: int = 65, iterations: int = 90,
                       unbounded_hi: bool = False, unbounded_lo: bool = False) -> np.ndarray:
    """The maximiser of ``f(x)`` (vectorised: ``x`` and the result are arrays over draws) on
    ``[lo, hi]``: the best of ``grid`` points, the search window doubled at an unbounded end
    while the best point sits there, then golden-section search on the neighbouring cells."""
    lo = np.asarray(lo, dtype=float).copy()
    hi = np.asarray(hi, dtype=float).copy()
    n = lo.size
    t = np.linspace(0.0, 1.0, grid)

    def best():
        xs = lo[:, None] + (hi - lo)[:, None] * t[None, :]
        with np.errstate(all="ignore"):
            vals = np.stack([np.broadcast_to(np.asarray(f(xs[:, j]), dtype=float), (n,)) for j in range(grid)], axis=1)
        vals = np.where(np.isfinite(vals), vals, -np.inf)
        return xs, vals, np.argmax(vals, axis=1)

    xs, vals, k = best()
    for _ in range(60):
        grow = (unbounded_hi & (k == grid - 1)) if unbounded_hi else np.zeros(n, bool)
        shrink = (unbounded_lo & (k == 0)) if unbounded_lo else np.zeros(n, bool)
        if not (grow.any() or shrink.any()):
            break
        width = hi - lo
        hi = np.where(grow, hi + width, hi)
        lo = np.where(shrink, lo - width, lo)
        xs, vals, k = best()
    rows = np.arange(n)
    a = xs[rows, np.maximum(k - 1, 0)]
    b = xs[rows, np.minimum(k + 1, grid - 1)]
    def F(x):
        return np.broadcast_to(np.asarray(f(x), dtype=float), (n,))

    c = b - _GOLD * (b - a)
    d = a + _GOLD * (b - a)
    with np.errstate(all="ignore"):
        fc, fd = F(c), F(d)
        for _ in range(iterations):
            left = ~(fc < fd)  # the maximum lies in [a, d] (NaN counts as left)
            fc_old, fd_old = fc, fd
            b = np.where(left, d, b)
            a = np.where(left, a, c)
            c, d = np.where(left, b - _GOLD * (b - a), d), np.where(left, c, a + _GOLD * (b - a))
            fresh_c, fresh_d = F(c), F(d)
            fc = np.where(left, fresh_c, fd_old)
            fd = np.where(left, fc_old, fresh_d)
        x = (a + b) / 2
        # the ends themselves (a corner optimum): keep the end where it is at least as good
        for end in (lo, hi):
            fe, fx = F(end), F(x)
            x = np.where(np.isfinite(fe) & (fe >= fx), end, x)
    return x


__all__ = ["Optimum", "derive_optimum", "golden_section_max"]
