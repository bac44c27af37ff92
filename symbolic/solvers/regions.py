r"""Conditions on the parameters: where they hold, and how to write them simply.

A derived object -- a solution of a system, an interior optimum, a mixed equilibrium -- is valid
on a *region* of the parameter domain :math:`\mathcal D`, a Boolean combination of relationals.
:func:`classify` decides with z3 whether a condition :math:`C` holds on all of :math:`\mathcal D`
(:math:`\mathcal D \wedge \neg C` unsatisfiable), on none of it (:math:`\mathcal D \wedge C`
unsatisfiable), or on part of it (both satisfiable); ``undecided`` when z3 cannot tell or the
condition leaves polynomial arithmetic.

:func:`simplify_condition` rewrites a condition the way a paper states it: each relational
:math:`N/M \mathrel{R} 0` whose denominator :math:`M` has a decided sign becomes
:math:`N \mathrel{R'} 0` (the relation flipped when :math:`M < 0`), factors of decided sign are
dropped the same way, terms are put on the side where their coefficient is positive, and
conjuncts that hold on the whole domain are dropped.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import sympy as sp

from ..decide import NotEncodable, decide

_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}
_REL = {">": sp.StrictGreaterThan, ">=": sp.GreaterThan, "<": sp.StrictLessThan, "<=": sp.LessThan,
        "==": sp.Eq, "!=": sp.Ne}


def ends(relations: Sequence[sp.Basic]) -> tuple:
    """``(lo, hi)`` of a variable from its bound relations (``x >= lo``, ``x <= hi``): the tightest
    of each side, a ``Max``/``Min`` where bounds cannot be compared as numbers; ``None`` where
    there is none."""
    lows = [r.rhs for r in relations if isinstance(r, (sp.GreaterThan, sp.StrictGreaterThan))]
    highs = [r.rhs for r in relations if isinstance(r, (sp.LessThan, sp.StrictLessThan))]
    return (sp.Max(*dict.fromkeys(lows)) if lows else None, sp.Min(*dict.fromkeys(highs)) if highs else None)


def open_ends(relations: Sequence[sp.Basic]) -> tuple[bool, bool]:
    """Whether each end :func:`ends` gives is excluded: a strict bound (``x > lo``) that is the
    end itself.  An end that is a ``Max``/``Min`` of several bounds counts as closed."""
    lo, hi = ends(relations)
    return (any(isinstance(r, sp.StrictGreaterThan) and r.rhs == lo for r in relations),
            any(isinstance(r, sp.StrictLessThan) and r.rhs == hi for r in relations))


def classify(condition: sp.Basic, hypotheses: Sequence[sp.Basic], timeout_ms: int = 5000) -> str:
    """``'always'``, ``'never'``, ``'sometimes'`` or ``'undecided'``: where ``condition`` holds
    among the points satisfying ``hypotheses``."""
    condition = sp.sympify(condition)
    if condition is sp.true:
        return "always"
    if condition is sp.false:
        return "never"
    try:
        holds = decide(hypotheses, condition, timeout_ms).outcome
        if holds == "proved":
            return "always"
        fails = decide(hypotheses, sp.Not(condition), timeout_ms).outcome
    except NotEncodable:
        return "undecided"
    if fails == "proved":
        return "never"
    if holds == "refuted" and fails == "refuted":
        return "sometimes"
    return "undecided"


def sign(expr: sp.Basic, hypotheses: Sequence[sp.Basic], timeout_ms: int = 5000, strict: bool = True) -> int:
    """+1 or -1 when ``expr`` provably keeps that sign (``strict``: never zero) under
    ``hypotheses``; 0 when undecided."""
    expr = sp.sympify(expr)
    if expr.is_number:
        return 1 if expr > 0 else -1 if expr < 0 else 0
    for s, goal in ((1, expr > 0 if strict else expr >= 0), (-1, expr < 0 if strict else expr <= 0)):
        try:
            if decide(hypotheses, goal, timeout_ms).outcome == "proved":
                return s
        except NotEncodable:
            return 0
    return 0


def _signed_factors(expr: sp.Basic, hypotheses, timeout_ms) -> tuple[int, sp.Basic]:
    """``expr = s * c * rest`` with ``c`` of decided sign: returns ``(s, rest)``."""
    expr = sp.factor(expr)
    coeff, factors = (expr.as_coeff_mul() if isinstance(expr, sp.Mul) else (sp.Integer(1), (expr,)))
    s = 1 if coeff > 0 else -1 if coeff < 0 else 0
    kept = []
    for f in factors:
        fs = sign(f, hypotheses, timeout_ms) if f.free_symbols else (1 if f > 0 else -1)
        if fs == 0:
            kept.append(f)
        else:
            s *= fs
    return s, sp.Mul(*kept)


def _sides(expr: sp.Basic, op: str) -> sp.Basic:
    """``expr op 0`` written with the positive terms on the left, the negative on the right."""
    content, expr = sp.expand(expr).as_content_primitive()  # content > 0: integer coefficients
    pos, neg = [], []
    for term in sp.Add.make_args(expr):
        (neg if term.could_extract_minus_sign() else pos).append(term)
    if not pos:
        return _REL[_FLIP[op]](sp.Add(*[-t for t in neg]), 0, evaluate=False) if neg else _REL[op](expr, 0)
    lhs = sp.Add(*pos)
    rhs = sp.Add(*[-t for t in neg]) if neg else sp.Integer(0)
    return _REL[op](lhs, rhs, evaluate=False)


def simplify_relation(rel: sp.Basic, hypotheses: Sequence[sp.Basic], timeout_ms: int = 5000) -> sp.Basic:
    """One relational rewritten with denominators and factors of decided sign cleared."""
    if not isinstance(rel, sp.Rel):
        return rel
    op = rel.rel_op
    num, den = sp.fraction(sp.cancel(sp.together(rel.lhs - rel.rhs)))
    if not num.free_symbols:
        return sp.sympify(_REL[op](num * (1 if den.is_positive else den), 0))
    s_den, rest_den = _signed_factors(den, hypotheses, timeout_ms)
    s_num, rest_num = _signed_factors(num, hypotheses, timeout_ms)
    if s_den == 0 or rest_den != 1 or s_num == 0:
        return rel  # a denominator of unknown sign: keep the relation as it is
    op = op if s_num * s_den > 0 else _FLIP[op]
    if rest_num == 1:
        return sp.sympify(_REL[op](1, 0))
    return _sides(rest_num, op)


def _split_on_denominator(cond, hypotheses, timeout_ms, depth):
    """A conjunction whose relations share a denominator of undecided sign ``M`` (a mixed
    probability ``N/M`` and its complement), rewritten as the cases ``M > 0`` and ``M < 0``, each
    simplified knowing that sign; cases that cannot hold are dropped.  None if there is no such
    denominator."""
    for rel in cond.args:
        if not isinstance(rel, sp.Rel):
            continue
        den = sp.fraction(sp.cancel(sp.together(rel.lhs - rel.rhs)))[1]
        if not den.free_symbols or sign(den, hypotheses, timeout_ms) != 0:
            continue
        cases = []
        for side in (den > 0, den < 0):
            if classify(sp.And(side, cond), hypotheses, timeout_ms) == "never":
                continue
            inner = simplify_condition(cond, list(hypotheses) + [side], timeout_ms, depth + 1)
            if inner is sp.false:
                continue
            # keep the sign of the denominator only where the simplified case does not imply it
            if classify(side, list(hypotheses) + [inner], timeout_ms) != "always":
                inner = sp.And(simplify_relation(side, hypotheses, timeout_ms), inner)
            cases.append(inner)
        if not cases:
            return sp.false
        return cases[0] if len(cases) == 1 else sp.Or(*cases, evaluate=False)
    return None


def simplify_condition(cond: sp.Basic, hypotheses: Sequence[sp.Basic], timeout_ms: int = 5000,
                       _depth: int = 0) -> sp.Basic:
    """A condition written simply (see the module docstring); conjuncts that hold wherever the
    ``hypotheses`` hold are dropped, and a conjunct that never holds makes it ``False``."""
    cond = sp.sympify(cond)
    if cond in (sp.true, sp.false):
        return cond
    if isinstance(cond, sp.Rel):
        out = simplify_relation(cond, hypotheses, timeout_ms)
        return out
    if isinstance(cond, sp.And) and _depth < 2:
        split = _split_on_denominator(cond, hypotheses, timeout_ms, _depth)
        if split is not None:
            return split
    if isinstance(cond, sp.And):
        kept = []
        for part in cond.args:
            part = simplify_condition(part, hypotheses, timeout_ms, _depth)
            verdict = classify(part, hypotheses, timeout_ms)
            if verdict == "never":
                return sp.false
            if verdict != "always" and part not in kept:
                kept.extend(part.args if isinstance(part, sp.And) else [part])
        if classify(sp.And(*kept), hypotheses, timeout_ms) == "never":
            return sp.false
        for part in list(kept):  # drop a conjunct the others imply
            others = [k for k in kept if k is not part]
            if others and classify(part, list(hypotheses) + others, timeout_ms) == "always":
                kept.remove(part)
        return sp.And(*kept, evaluate=False) if len(kept) > 1 else (kept[0] if kept else sp.true)
    if isinstance(cond, sp.Or):
        parts = []
        for part in cond.args:
            part = simplify_condition(part, hypotheses, timeout_ms)
            if part is sp.true:
                return sp.true
            if part is not sp.false and part not in parts:
                parts.append(part)
        return sp.Or(*parts, evaluate=False) if len(parts) > 1 else (parts[0] if parts else sp.false)
    if isinstance(cond, sp.Not) and isinstance(cond.args[0], sp.Rel):
        return simplify_condition(cond.args[0].negated, hypotheses, timeout_ms)
    return cond


def disjoint(conditions: Iterable[sp.Basic], hypotheses: Sequence[sp.Basic], timeout_ms: int = 5000) -> bool:
    """Whether no two of ``conditions`` hold at the same point (z3; False when undecided)."""
    conds = list(conditions)
    for i, a in enumerate(conds):
        for b in conds[i + 1:]:
            if classify(sp.And(a, b), hypotheses, timeout_ms) != "never":
                return False
    return True


__all__ = ["classify", "disjoint", "ends", "sign", "simplify_condition", "simplify_relation"]
