r"""A decision procedure for polynomial and rational claims: z3's nonlinear real arithmetic.

To decide whether a proposition :math:`P` holds on every point of a set
:math:`H = \{x : h_1(x), \dots, h_m(x)\}` we ask z3 whether :math:`H \wedge \neg P` is satisfiable:

* **unsat** -- no point of :math:`H` violates :math:`P`: *proved*;
* **sat** -- z3 returns a point; it is converted to exact rationals (algebraic values are
  rounded to nearby simple rationals) and *re-checked by exact SymPy substitution* before it is
  called a counterexample;
* **unknown** or out of time -- no verdict; the caller falls back to sampling.

Translation covers ``+ - * /``, integer powers, square roots (via an auxiliary
:math:`y \ge 0,\ y^2 = x`), ``Min``/``Max``/``Abs``/``Piecewise`` (via ``If``) and the Boolean
connectives.  Anything else (``exp``, undefined functions ...) raises :class:`NotEncodable`.
Every denominator met is required to be non-zero, so a claim is decided where it is defined.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Iterable

import sympy as sp
import z3


class NotEncodable(Exception):
    """The expression uses something z3's real arithmetic cannot express."""


@dataclass
class Decision:
    """The outcome of :func:`decide`: ``'proved'``, ``'refuted'`` or ``'unknown'``."""

    outcome: str
    counterexample: dict[sp.Symbol, sp.Rational] | None = None
    reason: str = ""


def factors(e: sp.Mul) -> list[tuple[sp.Basic, bool]]:
    """A product's factors in order, each ``(factor, is_denominator)`` (``x**-2`` gives the
    denominator ``x**2``): every translation asserts each denominator non-zero."""
    return [(a.base ** (-a.exp), True) if a.is_Pow and a.exp.is_Integer and a.exp < 0 else (a, False)
            for a in e.args]


def piecewise_chain(e: sp.Piecewise) -> tuple[sp.Basic, list]:
    """``(otherwise value, [(value, condition), ...] innermost first)``: the nesting of
    if-then-else terms a translation builds, from the last branch outwards."""
    pieces = list(e.args)
    expr, cond = pieces[-1]
    if cond != sp.true:
        raise NotEncodable("Piecewise without an otherwise branch")
    return expr, list(reversed(pieces[:-1]))


class _Translator:
    def __init__(self):
        self.vars: dict[sp.Symbol, z3.ArithRef] = {}
        self.side: list[z3.BoolRef] = []  # side conditions: denominators, sqrt definitions
        self._aux = 0
        self.uses_ite = False  # if-then-else terms need z3's general solver, not QF_NRA

    def _ite(self, cond, then, otherwise):
        self.uses_ite = True
        return z3.If(cond, then, otherwise)

    def var(self, s: sp.Symbol):
        if s not in self.vars:
            self.vars[s] = z3.Real(s.name)
        return self.vars[s]

    def fresh(self):
        self._aux += 1
        return z3.Real(f"__aux{self._aux}")

    def term(self, e: sp.Basic):
        if e.is_Symbol:
            return self.var(e)
        if e.is_Integer:
            return z3.RealVal(int(e))
        if e.is_Rational:
            return z3.Q(int(e.p), int(e.q))
        if e.is_Float:
            f = Fraction(str(e))
            return z3.Q(f.numerator, f.denominator)
        if e.is_Add:
            return z3.Sum([self.term(a) for a in e.args])
        if e.is_Mul:
            num, den = [], []
            for a, below in factors(e):  # translated in order (auxiliaries numbered as met)
                (den if below else num).append(self.term(a))
            top = num[0] if len(num) == 1 else z3.Product(num) if num else z3.RealVal(1)
            for d in den:
                self.side.append(d != 0)
                top = top / d
            return top
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                b = self.term(base)
                k = int(ex)
                if k == 0:
                    return z3.RealVal(1)
                pos = b if abs(k) == 1 else z3.Product([b] * abs(k))
                if k > 0:
                    return pos
                self.side.append(b != 0)
                return 1 / pos
            if ex == sp.Rational(1, 2) or ex == sp.Rational(-1, 2):
                b = self.term(base)
                y = self.fresh()
                self.side += [y >= 0, y * y == b, b >= 0]
                if ex > 0:
                    return y
                self.side.append(y != 0)
                return 1 / y
            raise NotEncodable(f"power {e}")
        if isinstance(e, (sp.Min, sp.Max)):
            terms = [self.term(a) for a in e.args]
            acc = terms[0]
            for t in terms[1:]:
                acc = self._ite(t < acc, t, acc) if isinstance(e, sp.Min) else self._ite(t > acc, t, acc)
            return acc
        if isinstance(e, sp.Abs):
            t = self.term(e.args[0])
            return self._ite(t >= 0, t, -t)
        if isinstance(e, sp.Piecewise):
            otherwise, branches = piecewise_chain(e)
            acc = self.term(otherwise)
            for expr, cond in branches:
                acc = self._ite(self.boolean(cond), self.term(expr), acc)
            return acc
        raise NotEncodable(f"{type(e).__name__} in {e}")

    def boolean(self, b: sp.Basic):
        if b is sp.true or b == sp.true:
            return z3.BoolVal(True)
        if b is sp.false or b == sp.false:
            return z3.BoolVal(False)
        if isinstance(b, sp.And):
            return z3.And([self.boolean(a) for a in b.args])
        if isinstance(b, sp.Or):
            return z3.Or([self.boolean(a) for a in b.args])
        if isinstance(b, sp.Not):
            return z3.Not(self.boolean(b.args[0]))
        if isinstance(b, sp.Implies):
            return z3.Implies(self.boolean(b.args[0]), self.boolean(b.args[1]))
        if isinstance(b, sp.Equivalent):
            parts = [self.boolean(a) for a in b.args]
            return z3.And([parts[0] == p for p in parts[1:]])
        if isinstance(b, sp.Xor):
            parts = [self.boolean(a) for a in b.args]
            return z3.Xor(parts[0], parts[1]) if len(parts) == 2 else z3.Not(z3.And(*parts))
        if isinstance(b, sp.Rel):
            lhs, rhs = self.term(b.lhs), self.term(b.rhs)
            op = b.rel_op
            return {"<": lhs < rhs, "<=": lhs <= rhs, ">": lhs > rhs, ">=": lhs >= rhs,
                    "==": lhs == rhs, "!=": lhs != rhs}[op]
        raise NotEncodable(f"{type(b).__name__} in {b}")


def _to_rational(v) -> Fraction:
    if z3.is_rational_value(v):
        return Fraction(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        approx = v.approx(30)
        return Fraction(approx.numerator_as_long(), approx.denominator_as_long())
    raise NotEncodable(f"z3 value {v}")


def solver_for(uses_ite: bool, short: bool = False, ctx=None):
    """z3's solver for one query.  ``short``: a short pass that something else follows (the
    portfolio, another procedure) gets z3's nonlinear tactic alone (``qfnra-nlsat``, which
    eliminates ``If`` itself); it stops at its timeout.  The general solvers go on to fallback
    strategies and overrun a short timeout: 100 ms took 0.13-0.27 s on the seed models'
    undecided queries, while the tactic decided every query they decided within 100 ms."""
    if short:
        return z3.Tactic("qfnra-nlsat", ctx=ctx).solver()
    return z3.Solver(ctx=ctx) if uses_ite else z3.SolverFor("QF_NRA", ctx=ctx)


def decide(hypotheses: Iterable[sp.Basic], goal: sp.Basic, timeout_ms: int = 10000,
           check: Callable[[dict], bool] | None = None, short: bool = False) -> Decision:
    """Decide ``hypotheses => goal`` over the reals.

    ``check(point)`` must return True when an exact rational ``point`` satisfies the hypotheses
    and violates the goal; it re-checks z3's model (after rounding algebraic numbers).
    ``short``: a short first pass (:func:`solver_for`).
    Raises :class:`NotEncodable` when the formulas leave polynomial arithmetic.
    """
    tr = _Translator()
    hyps = [tr.boolean(h) for h in hypotheses]
    neg = z3.Not(tr.boolean(goal))
    solver = solver_for(tr.uses_ite, short)
    solver.set("timeout", int(timeout_ms))
    # a symbol's own SymPy assumptions are facts too (``w > 0`` for a positive w evaluates to True
    # when it is built, so it would otherwise reach z3 as no constraint at all)
    signs = [tr.vars[s] > 0 if s.is_positive else tr.vars[s] >= 0 for s in tr.vars
             if s.is_positive or s.is_nonnegative]
    solver.add(*hyps, *signs, *tr.side, neg)
    res = solver.check()
    if res == z3.unsat:
        return Decision("proved")
    if res == z3.unknown:
        return Decision("unknown", reason=f"z3: {solver.reason_unknown()}")
    model = solver.model()
    point = {}
    for sym, zv in tr.vars.items():
        val = model.eval(zv, model_completion=True)
        point[sym] = sp.Rational(_to_rational(val).numerator, _to_rational(val).denominator)
    if check is None:
        return Decision("refuted", point)
    simpler = simplify_point(point, check)
    if simpler is not None:
        return Decision("refuted", simpler)
    return Decision("unknown", reason="z3 found a violating point but it did not survive exact re-checking")


def simplify_point(point: dict, check: Callable[[dict], bool]) -> dict | None:
    """Round a violating point to simple rationals while it stays a violation.

    Returns the simplified point (each coordinate replaced, in turn, by the simplest rational
    within 1 % of it that keeps ``check`` true), or ``None`` when ``point`` itself fails
    ``check``.
    """
    if not check(point):
        return None
    out = dict(point)
    for sym in sorted(out, key=lambda s: s.name):
        value = Fraction(int(out[sym].p), int(out[sym].q))
        for den in (1, 2, 4, 5, 10, 20, 100, 1000, 10**4, 10**6):
            cand = value.limit_denominator(den)
            if value != 0 and abs(cand - value) > abs(value) / 100:
                continue
            trial = dict(out)
            trial[sym] = sp.Rational(cand.numerator, cand.denominator)
            if check(trial):
                out = trial
                break
    return out
