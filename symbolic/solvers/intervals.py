r"""The set of values of one unknown satisfying a conjunction of conditions.

Each condition :math:`c_i` (a preference, or a relational) in the unknown :math:`x` is turned
into a cutoff condition by :func:`symbolic.payoffs.derive_cutoff`: :math:`c_i \iff x \ge r_i`
or :math:`c_i \iff x \le r_i`, the direction decided over the domain.  With the unknown's own
bounds :math:`x \in [\ell, h]`, the conjunction holds exactly on

.. math:: \Bigl[\max(\ell, \max_{i \in L} r_i),\; \min(h, \min_{j \in H} r_j)\Bigr]

(:math:`L`, :math:`H` the lower and upper cutoffs); bounds that provably never bind are left
out of the max/min (decided with z3), and the set is non-empty iff every lower bound lies below
every upper bound -- the derived condition :attr:`IntervalSet.nonempty`, written simply.
A weak condition gives a closed end and a strict one an open end; the end points are the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..errors import DerivationError
from .regions import classify, simplify_condition


@dataclass
class IntervalSet:
    """``{x : every condition holds}`` as ``[lower, upper]``; ``nonempty`` where it has a point.

    ``cutoffs`` lists, per condition, ``(label, direction, root)``; ``lower``/``upper`` are
    the model quantities of the end points once registered."""

    name: str
    var: sp.Symbol
    lower_expr: sp.Basic
    upper_expr: sp.Basic
    nonempty: sp.Basic
    cutoffs: list = field(default_factory=list)
    lower: object = None
    upper: object = None

    def contains(self, x) -> sp.Basic:
        """``lower <= x <= upper`` as a condition."""
        return sp.And(self.lower_expr <= x, x <= self.upper_expr)


def _bound(values, pick, hypotheses, timeout_ms):
    """``Max``/``Min`` of ``values`` without those that provably never bind."""
    keep = []
    for i, v in enumerate(values):
        def tighter(j, w, i=i, v=v):  # w is always at least as tight as v (ties: the earlier one stays)
            if classify((w >= v) if pick is sp.Max else (w <= v), hypotheses, timeout_ms) != "always":
                return False
            return j < i or classify(sp.Eq(w, v), hypotheses, timeout_ms) != "always"
        if not any(tighter(j, w) for j, w in enumerate(values) if j != i):
            keep.append(v)
    keep = list(dict.fromkeys(keep))
    return keep[0] if len(keep) == 1 else pick(*keep, evaluate=False)


def derive_interval(name: str, cutoffs: list, var: sp.Symbol, var_relations: list, hypotheses: list,
                    timeout_ms: int = 5000) -> IntervalSet:
    """``cutoffs``: derived :class:`symbolic.payoffs.Cutoff` objects, one per condition."""
    lows, highs = [], []
    for rel in var_relations:
        (lows if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)) else highs).append(rel.rhs)
    for cut in cutoffs:
        if cut.var != var:
            raise DerivationError(f"condition {cut.name} is a cutoff in {cut.var}, not in {var}")
        (lows if cut.direction == ">=" else highs).append(cut.expr)
    if not lows or not highs:
        raise DerivationError(f"the conditions bound {var} only from {'above' if not lows else 'below'} and {var}'s "
                              "domain is unbounded there: give the unknown a bounded domain")
    lower = _bound(lows, sp.Max, hypotheses, timeout_ms)
    upper = _bound(highs, sp.Min, hypotheses, timeout_ms)
    lo_args = lower.args if isinstance(lower, sp.Max) else (lower,)
    hi_args = upper.args if isinstance(upper, sp.Min) else (upper,)
    nonempty = sp.And(*[a <= b for a in lo_args for b in hi_args])
    status = classify(nonempty, hypotheses, timeout_ms)
    if status == "never":
        raise DerivationError(f"no value of {var} satisfies every condition anywhere in the domain")
    nonempty = sp.true if status == "always" else simplify_condition(nonempty, hypotheses, timeout_ms)
    return IntervalSet(name, var, lower, upper, nonempty,
                       [(c.name, c.direction, c.expr) for c in cutoffs])


__all__ = ["IntervalSet", "derive_interval"]
