r"""Systems of equilibrium conditions in several unknowns, solved in closed form.

Given conditions :math:`g_1(u, \theta) = 0, \dots, g_m(u, \theta) = 0` in unknowns
:math:`u = (u_1, \dots, u_k)` (indifference equalities, first-order conditions, fixed-point
equations) and parameters :math:`\theta` ranging over the domain :math:`\mathcal D`, with each
:math:`u_j` restricted to its interval :math:`U_j`:

1. **Cases.**  A condition containing a ``Piecewise`` (a best response with a corner) is split
   into its branches; each combination of branches is a system of its own, valid where its
   branch conditions hold at the solution (Kuhn--Tucker case analysis).
2. **Denominators.**  Each :math:`g_i = N_i/M_i` in lowest terms; the system
   :math:`N_i = 0` is solved and :math:`M_i \ne 0` is required of every solution.
3. **Structure first.**  If every :math:`N_i` is linear in :math:`u`, :math:`A u = b` is solved by
   elimination, valid where :math:`\det A \ne 0` (decided).  If every :math:`N_i` is polynomial
   in :math:`u`, a lexicographic Gröbner basis over the field of rational functions of
   :math:`\theta` (computed in a child process under the time budget) gives a triangular system:
   the last polynomial is univariate in :math:`u_k`; its factors are solved (linear, or quadratic by
   the formula, else :func:`sympy.solve` under the budget) and the roots substituted upwards.  A
   basis :math:`\{1\}` means no solution; a basis that is not zero-dimensional means a continuum.
   Otherwise :func:`sympy.solve` runs in a child process under the budget.
4. **Domain.**  Each candidate is valid where :math:`u_j(\theta) \in U_j`, its denominators are
   non-zero, its square roots real and its case conditions hold; z3 decides whether that region
   is all of :math:`\mathcal D` (``always``), empty (``never``: the candidate is dropped, with the
   reason) or a proper part (``sometimes``: the solution is returned with its region).

The Gröbner basis is *generic* in :math:`\theta`: at parameter values where a leading coefficient
vanishes the basis may not specialise.  Every returned solution is therefore checked to satisfy the
original conditions (symbolically, and numerically against an independent Newton solve on random
draws of the domain -- :func:`newton_solve`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import sympy as sp

from ..errors import DerivationError
from ..implicit import lift_piecewise
from .budget import run_with_budget
from .regions import classify, ends, open_ends, sign, simplify_condition


@dataclass
class Branch:
    """One solution of a system: ``values[u]`` for each unknown, valid on ``region``.

    ``case`` names the Piecewise branches it came from (empty without cases); ``status`` is
    ``always`` (valid on the whole domain), ``sometimes`` or ``undecided`` (z3 could not decide the
    region)."""

    values: dict
    region: sp.Basic
    status: str
    case: str = ""
    equations: list = field(default_factory=list)  # the case's conditions, without Piecewise

    def satisfies(self) -> bool:
        """Whether substituting the solution makes every condition of its case vanish
        identically (symbolic: cancel, then simplify); False for a numerically found solution."""
        if not self.equations:
            return False
        for e in self.equations:
            r = sp.cancel(sp.together(e.xreplace(self.values)))
            if r != 0 and sp.simplify(r) != 0:
                return False
        return True


@dataclass
class SystemSolution:
    """Every solution of a system in the unknowns' domain, each with its region.

    ``steps`` is the elimination chain as ``(text, formula)`` pairs (the conditions, the
    triangular system, the solutions); ``dropped`` the candidates outside the domain with the
    reason; ``quantities`` the model quantities made from it (one per unknown, or one per unknown
    and branch when solutions coexist)."""

    conditions: list
    unknowns: list
    branches: list[Branch]
    method: str
    steps: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    quantities: list = field(default_factory=list)
    relations: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.quantities)

    @property
    def interior(self) -> sp.Basic:
        """Where the solution is interior: the union of the regions of the branches in which no
        unknown sits at an end of its domain (a corner)."""
        regions = []
        for b in self.branches:
            at_end = any(isinstance(rel, sp.Rel) and sp.simplify(b.values[u] - rel.rhs) == 0
                         for u in self.unknowns for rel in self.relations.get(u, ()))
            if not at_end:
                regions.append(b.region)
        return sp.Or(*regions) if regions else sp.false

    @property
    def unique(self) -> bool:
        """Exactly one solution, valid on the whole domain."""
        return len(self.branches) == 1 and self.branches[0].status == "always"


def as_equation(condition) -> sp.Basic:
    """An expression that is zero exactly when ``condition`` holds: ``lhs - rhs`` of an
    equality, the payoff difference of a preference (its indifference), or the expression."""
    if hasattr(condition, "difference"):
        return sp.sympify(condition.difference)
    condition = sp.sympify(condition)
    if isinstance(condition, sp.Eq):
        return condition.lhs - condition.rhs
    if isinstance(condition, (sp.Rel, sp.And, sp.Or, sp.Not)) or condition in (sp.true, sp.false):
        raise DerivationError(f"{condition} is not an equation (give an equality, an expression equal "
                              "to zero, or a preference whose indifference is meant)")
    return condition


def cases(expr: sp.Basic) -> list[tuple[sp.Basic, sp.Basic]]:
    """``expr`` without ``Piecewise``: ``[(expr_k, condition_k)]`` with exclusive conditions
    (each branch's condition and the negation of the earlier ones)."""
    if not expr.has(sp.Piecewise):
        return [(expr, sp.true)]
    lifted = lift_piecewise(expr)
    if not isinstance(lifted, sp.Piecewise):
        return [(lifted, sp.true)]
    out, earlier = [], []
    for value, cond in lifted.args:
        here = sp.And(cond, *[sp.Not(c) for c in earlier])
        earlier.append(cond)
        if here is sp.false:
            continue
        for sub, sub_cond in cases(value):
            out.append((sub, sp.And(here, sub_cond)))
    return out


def tidy(expr: sp.Basic) -> sp.Basic:
    """A quotient in lowest terms, factored, signs arranged so that the denominator's constant term
    is positive: ``(1 - d_2)/(1 - d_1 d_2)``, not ``(d_2 - 1)/(d_1 d_2 - 1)``."""
    expr = sp.factor(sp.cancel(expr))
    num, den = sp.fraction(expr)
    if den.free_symbols and sp.expand(den).as_coeff_Add()[0] < 0:
        return sp.expand(-num) / sp.expand(-den)
    return expr


def _groebner(polys, gens):
    G = sp.groebner(polys, *gens, order="lex")
    return list(G.exprs), G.is_zero_dimensional


def _roots_in(poly: sp.Basic, var: sp.Symbol, seconds: float) -> list:
    """Roots of a polynomial in ``var`` (coefficients in the parameters), factor by factor."""
    out = []
    _, factors = sp.factor_list(sp.expand(poly), var)
    for f, _ in factors:
        if not f.has(var):
            continue
        p = sp.Poly(f, var)
        if p.degree() == 1:
            a, b = p.all_coeffs()
            out.append(tidy(-b / a))
        elif p.degree() == 2:
            a, b, c = p.all_coeffs()
            disc = sp.sqrt(sp.factor(b ** 2 - 4 * a * c))
            out += [sp.simplify((-b - disc) / (2 * a)), sp.simplify((-b + disc) / (2 * a))]
        else:
            out += run_with_budget(sp.solve, (f, var), seconds, f"sympy.solve for {var}")
    return out


def _linear(nums, unknowns, hypotheses, timeout_ms):
    A, b = sp.linear_eq_to_matrix([sp.expand(n) for n in nums], unknowns)
    if A.rows != A.cols:
        raise DerivationError(f"{A.rows} linear conditions in {A.cols} unknowns: give as many conditions "
                              "as unknowns")
    det = sp.factor(A.det())
    if det == 0:
        if A.rank() == A.row_join(b).rank():
            raise DerivationError("the linear conditions are dependent (determinant 0): a continuum of solutions")
        raise DerivationError("the linear conditions are inconsistent (determinant 0): no solution")
    sol = A.LUsolve(b)
    values = {u: tidy(v) for u, v in zip(unknowns, sol)}
    extra = sp.true if sign(det, hypotheses, timeout_ms) != 0 else sp.Ne(det, 0)
    steps = [("linear system, determinant", sp.Eq(sp.Symbol(r"\det A"), det, evaluate=False))]
    return [(values, extra)], "linear elimination", steps


def _polynomial(nums, unknowns, seconds):
    exprs, zero_dim = run_with_budget(_groebner, (nums, unknowns), seconds, "the Gröbner basis")
    if exprs == [1]:
        raise DerivationError("the conditions have no common solution (Gröbner basis {1})")
    if not zero_dim:
        raise DerivationError("the conditions have a continuum of solutions (the Gröbner basis is not "
                              "zero-dimensional); fix some unknowns or add conditions")
    partial = [{}]
    for k in range(len(unknowns) - 1, -1, -1):
        u = unknowns[k]
        done = set(unknowns[k + 1:])
        grown = []
        for sol in partial:
            polys = [sp.expand(g.xreplace(sol)) for g in exprs if g.has(u) and g.free_symbols & set(unknowns) <= done | {u}]
            polys = [p for p in polys if sp.simplify(p) != 0]
            if not polys:
                raise DerivationError(f"the conditions leave {u} undetermined (a continuum of solutions)")
            poly = min(polys, key=lambda p: (sp.degree(p, u), sp.count_ops(p)))
            for r in _roots_in(poly, u, seconds):
                grown.append({**sol, u: r})
        partial = grown
    steps = [("triangular system (lexicographic Gröbner basis)", sp.And(*[sp.Eq(g, 0) for g in exprs], evaluate=False))]
    return [(sol, sp.true) for sol in partial], "Gröbner basis, back substitution", steps


def _solve_dicts(eqs, unknowns):
    return sp.solve(eqs, unknowns, dict=True)


def _general(eqs, unknowns, seconds):
    sols = run_with_budget(_solve_dicts, (eqs, unknowns), seconds, "sympy.solve")
    out = []
    for values in sols:
        if set(values) != set(unknowns):
            raise DerivationError("sympy.solve left some unknowns undetermined (a continuum of solutions)")
        out.append(({u: sp.simplify(v) for u, v in values.items()}, sp.true))
    return out, "sympy.solve (child process)", []


def _implicit_root(eq, u, relations, hypotheses, names, timeout_ms):
    r"""No closed form for one unknown: the root of ``eq`` on ``u``'s interval as an implicit
    quantity.  It is unique where :math:`\partial eq / \partial u` keeps its sign (decided with
    z3 when the derivative is polynomial); otherwise uniqueness is not decided."""
    from ..implicit import implicit

    lo, hi = ends(relations[u])
    if lo is None or hi is None:
        raise DerivationError(f"no closed form for {u}, and an implicit solution needs a bounded domain for {u}")
    slope = sign(sp.diff(eq, u), list(hypotheses) + list(relations[u]), timeout_ms)
    name, latex = names.get(u, (str(u), None))
    root = implicit(name, eq, u, (lo, hi), latex=latex, open_ends=open_ends(relations[u]))
    how = ("unique: the condition is strictly monotone in the unknown (z3)" if slope
           else "uniqueness not decided (the derivative's sign is not decidable)")
    return [({u: root}, sp.true)], f"implicit root on the interval ({how})", \
        [("no closed form: the root of", sp.Eq(eq, 0))]


def _candidates(eqs, unknowns, hypotheses, seconds, timeout_ms, relations=None, names=None):
    nums, dens = [], []
    for e in eqs:
        num, den = sp.fraction(sp.cancel(sp.together(e)))
        nums.append(num)
        if den.free_symbols & set(unknowns):
            dens.append(den)
    nums = [n for n in nums if n != 0]
    if not nums:
        raise DerivationError("every condition holds identically (a continuum of solutions)")
    free = set().union(*(n.free_symbols for n in nums)) & set(unknowns)
    if free != set(unknowns):
        missing = ", ".join(str(u) for u in unknowns if u not in free)
        raise DerivationError(f"the conditions do not involve {missing} (a continuum of solutions)")
    try:
        polys = [sp.Poly(n, *unknowns) for n in nums]
        degree = max(p.total_degree() for p in polys)
    except sp.PolynomialError:
        degree = None
    if degree == 1:
        found = _linear(nums, unknowns, hypotheses, timeout_ms)
    elif degree is not None:
        found = _polynomial(nums, unknowns, seconds)
    else:
        try:
            found = _general(nums, unknowns, seconds)
            if not found[0]:
                raise DerivationError("sympy.solve found no closed-form solution")
        except DerivationError:
            if len(unknowns) != 1 or relations is None:
                raise
            found = _implicit_root(eqs[0], unknowns[0], relations, hypotheses, names or {}, timeout_ms)
    return found, dens


def _explicit_form(eqs, unknowns) -> list | None:
    """``[(u_k, g_k)]`` when condition ``k`` reads ``u_k - g_k = 0`` with ``g_k`` free of ``u_k``
    (a fixed-point form, distinct unknowns), else None."""
    out, used = [], set()
    for e in eqs:
        e = sp.expand(e) if not e.has(sp.Piecewise) else e
        for u in unknowns:
            if u in used:
                continue
            for direction in (1, -1):
                g = u - direction * e
                if u not in g.free_symbols:
                    out.append((u, g))
                    used.add(u)
                    break
            if u in used:
                break
        else:
            return None
    return out


def _opaque(expr: sp.Basic) -> bool:
    """Whether ``expr`` uses an implicitly defined or undefined function (no algebra applies)."""
    from sympy.core.function import AppliedUndef

    from ..implicit import ImplicitFunction
    return any(isinstance(f, (ImplicitFunction, AppliedUndef)) for f in expr.atoms(sp.Function))


def _fixed_point(explicit, relations, names) -> tuple[dict, list]:
    r"""Solve ``u_k = g_k(u)`` by elimination: each explicit ``u_k`` is substituted into the
    others (keeping Piecewise conditions clean), until one equation :math:`u = G(u)` in one
    unknown remains; its root on the unknown's interval is an implicit quantity (bracketed root
    finding where :math:`G(u) - u` changes sign), and the others follow by back substitution."""
    from ..implicit import compose, implicit

    order = list(explicit)
    chain = []
    while len(order) > 1:
        u, g = order.pop(0)
        order = [(v, compose(h, u, g)) for v, h in order]
        chain.append((u, g))
    u, G = order[0]
    lo, hi = ends(relations[u])
    if lo is None or hi is None:
        raise DerivationError(f"no closed form for {u}: an implicit solution needs a bounded domain for {u}")
    name, latex = names.get(u, (str(u), None))
    root = implicit(name, G - u, u, (lo, hi), latex=latex, open_ends=open_ends(relations[u]))
    values = {u: root}
    for v, g in reversed(chain):
        values[v] = compose(g, u, root).xreplace({w: values[w] for w in values if w != u})
    steps = [("eliminated by substitution", sp.And(*[sp.Eq(v, g) for v, g in chain], evaluate=False)),
             ("fixed point in one unknown (no closed form: solved numerically on its interval)", sp.Eq(u, G))]
    return values, steps


def _real(expr: sp.Basic) -> list:
    """Conditions making every square root in ``expr`` real."""
    return [p.base >= 0 for p in expr.atoms(sp.Pow) if p.exp.is_Rational and p.exp.q == 2]


def solve_system(conditions: Sequence, unknowns: Sequence[sp.Symbol], relations: dict, hypotheses: Sequence,
                 seconds: float = 20.0, timeout_ms: int = 5000, names: dict | None = None,
                 method: str | None = None) -> SystemSolution:
    """Every solution of ``conditions`` in ``unknowns`` (see the module docstring).

    Conditions in fixed-point form ``u_k = g_k(u)`` whose right sides use implicit or undefined
    functions (or all conditions, with ``method="fixed-point"``) are solved by elimination
    instead: the last unknown becomes an implicit quantity, ``names[u] = (name, latex)``
    (:func:`_fixed_point`).

    ``relations[u]`` are the bounds of unknown ``u``; ``hypotheses`` the parameter domain's
    conditions.  Raises :class:`DerivationError` (one line) for no solution in the domain, a
    continuum of solutions, or a spent budget."""
    unknowns = list(unknowns)
    eqs = [as_equation(c) for c in conditions]
    if len(eqs) != len(unknowns):
        raise DerivationError(f"{len(eqs)} conditions for {len(unknowns)} unknowns: give one per unknown")
    explicit = _explicit_form(eqs, unknowns)
    if method == "fixed-point" and not explicit:
        raise DerivationError("the fixed-point method needs each condition in the form u = g(other unknowns)")
    if explicit and (method == "fixed-point" or any(_opaque(g) for _, g in explicit)):
        values, steps = _fixed_point(explicit, relations, names or {})
        branch = Branch(values, sp.true, "implicit", "", [])
        return SystemSolution([sp.Eq(e, 0) for e in eqs], unknowns, [branch],
                              "elimination to a fixed point, solved numerically (implicit function)", steps, [],
                              relations=dict(relations))
    split = [cases(e) for e in eqs]
    several = any(len(c) > 1 for c in split)
    branches, dropped, steps, methods = [], [], [], []
    for combo in itertools.product(*split):
        system = [e for e, _ in combo]
        case_cond = sp.And(*[c for _, c in combo])
        label = ", ".join(str(c) for _, c in combo if c is not sp.true) if several else ""
        if several and classify(case_cond, list(hypotheses) + [r for u in unknowns for r in relations[u]],
                                timeout_ms) == "never":
            continue
        try:
            (found, method, chain), dens = _candidates(system, unknowns, hypotheses, seconds, timeout_ms,
                                                       relations, names)
        except DerivationError as exc:
            if several and ("no common solution" in str(exc)):
                continue
            raise
        methods.append(method)
        steps += chain
        for values, extra in found:
            if any(v.has(sp.I) for v in values.values()):
                dropped.append((values, "not real"))
                continue
            where = [rel.xreplace(values) for u in unknowns for rel in relations[u]]
            where += [sp.Ne(d.xreplace(values), 0) for d in dens]
            where += [r for v in values.values() for r in _real(v)]
            where += [case_cond.xreplace(values), extra]
            try:
                region = sp.And(*where)
            except TypeError:  # a comparison with a non-real value: not a real solution
                dropped.append((values, "not real"))
                continue
            status = classify(region, hypotheses, timeout_ms)
            if status == "never":
                dropped.append((values, "outside the unknowns' domain" + (f" (case {label})" if label else "")))
                continue
            region = simplify_condition(region, hypotheses, timeout_ms) if status != "always" else sp.true
            if region is sp.false:
                dropped.append((values, "outside the unknowns' domain"))
                continue
            branches.append(Branch(values, region, status, label, system))
    if not branches:
        raise DerivationError("no solution lies in the unknowns' domain" +
                              (f" (candidates: {', '.join(str(v) for v, _ in dropped[:4])})" if dropped else ""))
    method = " + ".join(dict.fromkeys(methods)) + (" per Kuhn-Tucker case" if several else "")
    return SystemSolution([sp.Eq(e, 0) for e in eqs], unknowns, branches, method, steps, dropped,
                          relations=dict(relations))


# ------------------------------------------------------------------------------------------
def newton_solve(residuals: Sequence[sp.Basic], unknowns: Sequence[sp.Symbol], params: Sequence[sp.Symbol],
                 draws: dict, starts: np.ndarray, inside, iterations: int = 40, tol: float = 1e-11) -> np.ndarray:
    r"""An independent numeric solution of ``residuals = 0`` at every draw: Newton's method
    (symbolic Jacobian of the conditions, vectorised over the draws) from each of ``starts``
    (rows of unknown values), step halving while the residual grows.

    Returns an array (starts x draws x unknowns) of the roots each start converged to inside the
    domain (``inside(values, draws)`` -> bool array), NaN where it did not."""
    from ..numeric import lambdify

    k = len(unknowns)
    syms = list(unknowns) + list(params)
    F = [lambdify(syms, r) for r in residuals]
    Jac = sp.Matrix(residuals).jacobian(list(unknowns))
    J = [[lambdify(syms, Jac[i, j]) for j in range(k)] for i in range(k)]
    n = len(next(iter(draws.values()))) if draws else 1
    pv = [np.asarray(draws[p.name], dtype=float) for p in params]

    def call(fn, u):
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(fn(*[u[:, j] for j in range(k)], *pv), dtype=float), (n,))

    def resid(u):
        return np.stack([call(f, u) for f in F], axis=1)

    def jac(u):
        return np.stack([np.stack([call(f, u) for f in row], axis=1) for row in J], axis=1)

    found = np.full((len(starts), n, k), np.nan)
    for which, start in enumerate(starts):
        u = np.tile(np.asarray(start, dtype=float), (n, 1))
        r = resid(u)
        for _ in range(iterations):
            if not (np.linalg.norm(r, axis=1) > tol * (1 + np.abs(u).max(axis=1))).any():
                break
            M = jac(u)
            ok = np.isfinite(M).all(axis=(1, 2)) & (np.abs(np.linalg.det(np.where(np.isfinite(M), M, 0))) > 1e-300)
            step = np.zeros_like(u)
            if ok.any():
                step[ok] = np.linalg.solve(M[ok], r[ok][..., None])[..., 0]
            t = np.ones(n)
            norm = np.linalg.norm(r, axis=1)
            for _ in range(30):  # halve the step while the residual grows
                trial = u - t[:, None] * step
                rt = resid(trial)
                worse = ~(np.linalg.norm(rt, axis=1) <= norm) & ok
                if not worse.any():
                    break
                t = np.where(worse, t / 2, t)
            u, r = trial, rt
        with np.errstate(all="ignore"):
            scale = 1 + np.abs(u).max(axis=1)
            good = (np.linalg.norm(r, axis=1) <= tol * scale) & np.isfinite(u).all(axis=1)
            good &= np.asarray(inside(u, draws), dtype=bool)
        found[which][good] = u[good]
    return found


__all__ = ["Branch", "SystemSolution", "as_equation", "cases", "newton_solve", "solve_system"]
