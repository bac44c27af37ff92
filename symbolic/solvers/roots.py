r"""The root of one condition in one variable, where it exists only on part of the domain or has
no usable closed form.

Let :math:`D(x)` be continuous in :math:`x` on the variable's interval :math:`I` (ends
:math:`\ell < h`, either possibly infinite), with :math:`\partial D/\partial x` of one strict
sign :math:`s` on :math:`I` for every parameter point of the domain :math:`\mathcal D` (decided:
z3, or SymPy's assumptions for exponentials and logarithms).  Then :math:`D` has at most one root
in :math:`I`, and by the intermediate value theorem it has one iff

.. math:: s\,D(\ell^+) < 0 < s\,D(h^-)

(:math:`\le` and :math:`\ge` at a closed end; a limit at an infinite end).  Each end condition is
decided over :math:`\mathcal D`: one holding everywhere is dropped, one holding nowhere means the
condition has no root, and the rest form the **region where the root exists** -- a derived
``defined_when``, not a typed one.

The root is written in closed form when exactly one candidate (roots of :func:`sympy.solve`, or
of a polynomial's factors of degree at most two) lies in :math:`I` throughout the region (decided
with z3; where z3 cannot read the candidate, checked at sample points of the region); otherwise it
is an implicit quantity (:mod:`symbolic.implicit`: bracketed root finding on :math:`I`,
derivatives by the implicit function theorem), which needs :math:`I` bounded.  Cardano's formulas
are never used: a polynomial of degree three or more whose factors are not all of degree at most
two gives an implicit root.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import sympy as sp

from ..decide import NotEncodable, decide
from ..errors import DerivationError
from .budget import run_with_budget
from .regions import classify, ends, open_ends, sign, simplify_condition

#: sample points of the region at which a candidate z3 cannot read is checked to lie in I
CANDIDATE_POINTS = 200


@dataclass
class MonotoneRoot:
    """The unique root of a strictly monotone condition: ``root`` (closed form or implicit),
    ``slope_sign`` (the sign of dD/dx), ``region`` where it exists (None: everywhere), and how
    each was decided."""

    root: sp.Basic
    slope_sign: int
    slope: sp.Basic
    region: sp.Basic | None
    method: str
    closed_form: bool


def factor_roots(num: sp.Basic, var: sp.Symbol) -> list | None:
    """The roots of a polynomial in ``var`` from its factors when every factor that involves
    ``var`` has degree at most two; None when one has degree three or more (no Cardano)."""
    _, factors = sp.factor_list(sp.expand(num), var)
    roots = []
    for f, _ in factors:
        p = sp.Poly(f, var)
        if p.degree() == 0:
            continue
        if p.degree() > 2:
            return None
        roots += sp.solve(f, var)
    return roots


def strict_sign(expr: sp.Basic, hypotheses: Sequence[sp.Basic], domain, timeout_ms: int) -> tuple[int, str]:
    """``(s, how)``: the strict sign of ``expr`` under the hypotheses (z3), or, where z3 cannot
    read it, by SymPy's assumptions from the domain's bounds; ``(0, '')`` when undecided."""
    s = sign(expr, hypotheses, timeout_ms)
    if s:
        return s, "z3"
    facts = sp.And(*domain.assumptions(expr.free_symbols, extra=hypotheses))
    for s, q in ((1, sp.Q.positive), (-1, sp.Q.negative)):
        try:
            if sp.ask(q(expr), facts) is True:  # None is unknown, not false
                return s, "SymPy assumptions"
        except Exception:  # ask raises on some inputs: undecided
            return 0, ""
    return 0, ""


def _end_value(D, var, end, infinite):
    if not infinite:
        return sp.cancel(sp.together(D.subs(var, end)))
    return run_with_budget(sp.limit, (D, var, end), 10, f"the limit of the condition as {var} -> {end}")


def monotone_root(name: str, D: sp.Basic, var: sp.Symbol, relations: Sequence[sp.Basic], domain,
                  candidates: Sequence[sp.Basic] | None, timeout_ms: int = 10000,
                  latex: str | None = None) -> MonotoneRoot | None:
    """The unique root of ``D = 0`` for ``var`` on its interval (``relations``), with the region
    where it exists; see the module docstring.  None when the sign of dD/dvar is not decided;
    :class:`DerivationError` when the root exists nowhere in the domain, or has no closed form on
    an unbounded interval."""
    hyps = domain.conditions((D.free_symbols - {var}) | {s for r in relations for s in r.free_symbols} - {var})
    slope = sp.diff(D, var)
    s, how = strict_sign(slope, list(hyps) + list(relations), domain, timeout_ms)
    if not s:
        return None
    lo, hi = ends(relations)
    strict = {r.rhs: isinstance(r, (sp.StrictGreaterThan, sp.StrictLessThan)) for r in relations}
    kept = []
    for end, infinite, side in ((lo, lo is None, -1), (hi, hi is None, 1)):
        point = (-sp.oo if side < 0 else sp.oo) if infinite else end
        value = _end_value(D, var, point, infinite)
        # increasing D (s = 1): D < 0 at the lower end, D > 0 at the upper end
        rel = (sp.StrictGreaterThan if infinite or strict.get(end, False) else sp.GreaterThan)(s * side * value, 0)
        rel = sp.sympify(rel)
        verdict = classify(rel, domain.conditions(rel.free_symbols), timeout_ms) if rel not in (sp.true, sp.false) \
            else ("always" if rel is sp.true else "never")
        if verdict == "never":
            raise DerivationError(f"{name}: the condition has no root in the domain of {var} "
                                  f"(it is {'increasing' if s > 0 else 'decreasing'} in {var} and "
                                  f"{'negative' if s * side > 0 else 'positive'} at {point} for every parameter value)")
        if verdict != "always":
            kept.append(rel)
    region = None
    if kept:
        region = simplify_condition(sp.And(*kept), domain.conditions(), timeout_ms)
        if region is sp.false:
            raise DerivationError(f"{name}: the condition has no root in the domain of {var} for any parameter value")
        if region is sp.true:
            region = None
    existence = (f"strictly {'increasing' if s > 0 else 'decreasing'} in {var} ({how}), so its root is unique; "
                 + ("the root exists for every parameter value" if region is None
                    else "the root exists where the signs at the interval's ends differ"))
    root = _closed_form(candidates or [], var, relations, hyps, region, domain, timeout_ms)
    if root is not None:
        return MonotoneRoot(root[0], s, slope, region, f"{existence}; closed form: the candidate root lies {root[1]}",
                            True)
    if lo is None or hi is None:
        raise DerivationError(f"{name}: no usable closed form for the root in {var}, and an implicit root needs a "
                              f"bounded interval for {var}")
    from ..implicit import implicit

    value = implicit(name, D, var, (lo, hi), latex=latex, open_ends=open_ends(relations))
    return MonotoneRoot(value, s, slope, region, f"{existence}; no usable closed form (an implicit root)", False)


def _closed_form(candidates, var, relations, hyps, region, domain, timeout_ms):
    """``(root, how)`` for the one candidate inside ``var``'s interval throughout the region."""
    assume = list(hyps) + ([region] if region is not None else [])
    inside = []
    for c in candidates:
        if c.has(sp.I) or c.has(sp.CRootOf) or var in c.free_symbols:
            continue
        goal = sp.And(*[r.subs(var, c) for r in relations])
        try:
            if goal is sp.true or decide(assume, goal, timeout_ms).outcome == "proved":
                inside.append((c, "in the interval (z3)"))
            continue
        except NotEncodable:
            pass
        if _inside_at_samples(c, goal, region, domain):
            inside.append((c, f"in the interval at {CANDIDATE_POINTS} sample points of the region"))
    return inside[0] if len(inside) == 1 else None


def _inside_at_samples(c, goal, region, domain) -> bool:
    from ..numeric import truth_with_margin

    names = {s.name for s in goal.free_symbols}
    try:
        draws = domain.sample(CANDIDATE_POINTS, np.random.default_rng(0),
                              given=[region] if region is not None else [], only=names)
    except Exception:  # the region cannot be sampled: not decided
        return False
    point = {domain[n].symbol: v for n, v in draws.items()}
    with np.errstate(all="ignore"):
        truth, _, _ = truth_with_margin(goal, point, 0.0)
    return bool(np.all(truth))


__all__ = ["MonotoneRoot", "factor_roots", "monotone_root", "strict_sign"]
