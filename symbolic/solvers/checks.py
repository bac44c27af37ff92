r"""Independent numeric cross-checks of derived solutions, optima and intervals.

Each builder returns a callable ``check(model, draws) -> values`` (NaN where the quantity is
undefined) with a ``tol`` attribute and a docstring whose first line names the method, as
:meth:`symbolic.model.Model.cross_check` expects.  None of them evaluates the closed form:

* a solution of a system: Newton's method on the original conditions from a grid of starting
  points in the unknowns' domain (:func:`.systems.newton_solve`); where two starts converge to
  different points of the domain while the closed form claims a unique solution, the check
  reports a disagreement;
* an optimum: the objective maximised numerically (grid + golden section,
  :func:`.optimum.golden_section_max`), never its first-order condition;
* an end point of an interval: the indicator "every condition holds" scanned on a grid over the
  unknown's domain and its switching points refined by bisection.
"""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from ..numeric import lambdify
from .optimum import golden_section_max
from .regions import ends
from .systems import newton_solve


def _window(model, var):
    """The unknown's sampling window and whether each end is unbounded."""
    u = model.unknowns.get(var.name) or model.space.by_symbol(var)
    lo, hi = u.draw_range()
    return lo, hi


def _end_values(model, end, draws, n, default):
    if end is None:
        return np.full(n, float(default))
    end = model.expand(sp.sympify(end))
    syms = model.space.order(end.free_symbols)
    f = lambdify(syms, end)
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(f(*[draws[s.name] for s in syms]), dtype=float), (n,)).copy()


def system_check(solution, unknown: sp.Symbol, branch=None, tol: float = 1e-8):
    """A cross-check of the solution for ``unknown`` (``branch``: of one branch only)."""
    def check(model, draws):
        memo = solution.__dict__.setdefault("_newton", {})  # shared by the solution's quantities
        key = id(draws)
        if key not in memo:
            memo.clear()
            memo[key] = (draws, _newton_roots(model, solution, draws))
        roots = memo[key][1]                   # (starts, n, k)
        j = solution.unknowns.index(unknown)
        if branch is None:                      # a unique solution: every converged start must agree
            col = roots[:, :, j]
            first = np.full(col.shape[1], np.nan)
            clash = np.zeros(col.shape[1], dtype=bool)
            for row in col:
                fresh = np.isnan(first) & ~np.isnan(row)
                first[fresh] = row[fresh]
                clash |= ~np.isnan(row) & ~fresh & (np.abs(row - first) > 1e-7 * (1 + np.abs(first)))
            return np.where(clash, np.inf, first)
        # one of several coexisting solutions: the converged root nearest the claimed one
        value = model.expand(branch.values[unknown])
        syms = model.space.order(value.free_symbols)
        with np.errstate(all="ignore"):
            closed = np.broadcast_to(np.asarray(lambdify(syms, value)(*[draws[s.name] for s in syms]), dtype=float),
                                     (roots.shape[1],))
        dist = np.abs(roots[:, :, j] - closed[None, :])
        dist = np.where(np.isnan(dist), np.inf, dist)
        best = np.argmin(dist, axis=0)
        out = roots[best, np.arange(roots.shape[1]), j]
        return np.where(np.isfinite(closed), out, np.nan)

    check.__doc__ = "Newton's method on the original conditions from a grid of starting points"
    check.tol = tol
    return check


def _newton_roots(model, solution, draws):
    eqs = [model.expand(e.lhs - e.rhs) for e in solution.conditions]
    unknowns = solution.unknowns
    params = model.space.order(set().union(*(e.free_symbols for e in eqs)) - set(unknowns))
    relations = [r for u in unknowns for r in model.relations_of(u)]
    rel_syms = model.space.order(set().union(*(r.free_symbols for r in relations)) | set(unknowns))
    inside_fn = lambdify(rel_syms, sp.And(*relations)) if relations else None

    def inside(u, d):
        if inside_fn is None:
            return np.ones(u.shape[0], dtype=bool)
        vals = {s.name: d[s.name] for s in rel_syms if s.name in d}
        vals.update({x.name: u[:, k] for k, x in enumerate(unknowns)})
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(inside_fn(*[vals[s.name] for s in rel_syms]), dtype=bool), (u.shape[0],))
    grids = []
    for u in unknowns:
        lo, hi = _window(model, u)
        grids.append([lo + (hi - lo) * t for t in (0.2, 0.5, 0.8)])
    starts = np.array(list(itertools.product(*grids)), dtype=float)
    return newton_solve(eqs, unknowns, params, draws, starts, inside)


def optimum_check(optimum, tol: float = 1e-6):
    """A cross-check of an optimum by numeric maximisation of its objective."""

    def check(model, draws):
        f_expr = model.expand(optimum.objective if optimum.maximize else -optimum.objective)
        var = optimum.var
        syms = model.space.order(f_expr.free_symbols - {var})
        f = lambdify([var, *syms], f_expr)
        n = len(next(iter(draws.values())))
        args = [np.asarray(draws[s.name], dtype=float) for s in syms]
        wlo, whi = _window(model, var)
        lo = _end_values(model, optimum.lo, draws, n, wlo)
        hi = _end_values(model, optimum.hi, draws, n, whi)
        return golden_section_max(lambda x: f(x, *args), lo, hi,
                                  unbounded_hi=optimum.hi is None, unbounded_lo=optimum.lo is None)

    check.__doc__ = "numeric maximisation of the objective (grid and golden-section search)"
    check.tol = tol
    return check


def interval_check(interval, conditions, upper: bool, tol: float = 1e-8):
    """A cross-check of an interval's end point: where the conjunction switches on and off."""

    def check(model, draws):
        var = interval.var
        formula = model.expand(sp.And(*conditions))
        syms = model.space.order(formula.free_symbols - {var})
        holds = lambdify([var, *syms], formula)
        n = len(next(iter(draws.values())))
        args = [np.asarray(draws[s.name], dtype=float) for s in syms]
        wlo, whi = _window(model, var)
        lo_end, hi_end = ends(model.relations_of(var))
        lo = _end_values(model, lo_end, draws, n, wlo)
        hi = _end_values(model, hi_end, draws, n, whi)

        def H(x):
            with np.errstate(all="ignore"):
                return np.broadcast_to(np.asarray(holds(x, *args), dtype=bool), (n,))
        grid = 401
        ts = np.linspace(0, 1, grid)
        table = np.stack([H(lo + (hi - lo) * t) for t in ts], axis=1)
        anyon = table.any(axis=1)
        k = (grid - 1 - np.argmax(table[:, ::-1], axis=1)) if upper else np.argmax(table, axis=1)
        x_in = lo + (hi - lo) * ts[k]
        step = -1 if not upper else 1
        x_out = lo + (hi - lo) * ts[np.clip(k + step, 0, grid - 1)]
        at_end = (k == (grid - 1 if upper else 0))
        a, b = x_in.copy(), x_out.copy()  # a inside, b outside
        for _ in range(70):
            mid = (a + b) / 2
            h = H(mid)
            a = np.where(h, mid, a)
            b = np.where(h, b, mid)
        x = np.where(at_end, hi if upper else lo, (a + b) / 2)
        return np.where(anyon, x, np.nan)

    check.__doc__ = "scan of the conjunction over the unknown's domain, end points refined by bisection"
    check.tol = tol
    return check


__all__ = ["interval_check", "optimum_check", "system_check"]
