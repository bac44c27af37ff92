r"""Rewriting a claim before any solver sees it: case splits, radicals, denominators, abstractions.

Each step turns one hard problem into problems a decision procedure (or plain algebra) can finish,
and each is *sound*: when every problem it returns is proved, the original claim is proved.

* :func:`split_cases` -- ``Piecewise`` (and ``Min``, ``Max``, ``Abs``, rewritten as ``Piecewise``)
  split into cases, outermost first: each case is the formula with one branch chosen, and the
  branch's condition (with the earlier branches' negated) becomes a hypothesis of that case.  A
  case whose conditions are infeasible under the hypotheses (decided by ``feasible``) is dropped;
  so is a case whose condition SymPy evaluates to ``False``.
* :func:`radicals` -- every square root :math:`\sqrt{u}` becomes an auxiliary variable :math:`r`
  with its defining polynomial and sign (:math:`r^2 = u`, :math:`r \ge 0`, :math:`u \ge 0`).
* :func:`vanishes_modulo` -- an expression is *identically zero* given those definitions: its
  numerator, a polynomial in the auxiliaries, reduces to zero modulo :math:`r_i^2 - u_i` (so "this
  closed-form root solves its equation" is proved by substitution and reduction, without a solver).
* :func:`clear_denominators` -- an inequality :math:`N/D \;\square\; 0` with the sign of :math:`D`
  decided becomes :math:`\pm N \;\square\; 0` (polynomial, which nonlinear arithmetic handles better).
* :func:`abstract_atoms` -- a transcendental atom (``b**e`` with a symbolic exponent, ``exp``, ``log``)
  becomes a fresh variable with the bounds that can be decided for it (``0 < (1-z)**s < 1`` when
  ``0 < 1 - z < 1`` and ``s > 0``): a claim that holds for every value in those bounds holds.
* implicitly defined quantities are abstracted by :mod:`symbolic.implicit_proofs`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

import mpmath
import sympy as sp


@dataclass
class Case:
    """One case of a split: the formula with every ``Piecewise`` resolved, and its conditions."""

    formula: sp.Basic
    conditions: list = field(default_factory=list)

    def describe(self) -> str:
        return " & ".join(str(c) for c in self.conditions) or "(no condition)"


class TooManyCases(Exception):
    """A split would produce more cases than allowed."""


def _as_piecewise(expr: sp.Basic) -> sp.Basic:
    """``Min``/``Max``/``Abs`` rewritten as ``Piecewise`` (their cases made explicit)."""
    def rw(e):
        if isinstance(e, sp.Abs):
            a = e.args[0]
            return sp.Piecewise((a, a >= 0), (-a, True))
        if isinstance(e, (sp.Min, sp.Max)):
            args = list(e.args)
            acc = args[0]
            for t in args[1:]:
                acc = sp.Piecewise((t, t < acc), (acc, True)) if isinstance(e, sp.Min) else \
                    sp.Piecewise((t, t > acc), (acc, True))
            return acc
        return e
    if not expr.has(sp.Abs, sp.Min, sp.Max):
        return expr
    return expr.replace(lambda e: isinstance(e, (sp.Abs, sp.Min, sp.Max)), rw)


def _next_split(expr: sp.Basic):
    """The outermost ``Piecewise`` whose conditions contain no ``Piecewise`` (split first: the
    branches it rules out are never split further)."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise) and not any(c.has(sp.Piecewise) for _, c in node.args):
            return node
    return None


def split_cases(formula: sp.Basic, feasible: Callable[[list], bool] | None = None,
                limit: int = 256) -> list[Case]:
    """The cases of ``formula`` (see the module docstring).

    A branch whose condition (or its negation) is already among the case's conditions is decided
    syntactically: taken alone, or dropped.  ``feasible(conditions)``, when given, returns False
    only when the conditions (with the problem's hypotheses, which the callback knows) are
    *proved* to have no point; such a case is dropped.  Raises :class:`TooManyCases` past
    ``limit`` cases."""
    start = _as_piecewise(sp.sympify(formula))
    done: list[Case] = []
    todo = [Case(start, [])]
    while todo:
        case = todo.pop()
        node = _next_split(case.formula)
        if node is None:
            done.append(Case(_rebuild(case.formula), case.conditions))  # evaluated once, at the end
            continue
        known = {_canonical(c) for c in case.conditions}
        branches = []
        earlier = []
        for value, cond in node.args:
            here = [*earlier, cond]
            earlier.append(sp.Not(cond))
            verdicts = [_known(c, known) for c in here]
            if False in verdicts:
                continue
            new = [_simplest(c) for c, v in zip(here, verdicts) if v is None and c is not sp.true]
            branches.append((value, new))
            if all(v is True for v in verdicts[-1:]) and verdicts[-1] is True:
                break  # this branch's condition is known to hold: later branches never apply
        kept = 0
        for k, (value, new) in enumerate(branches):
            conds = case.conditions + new
            if any(c is sp.false for c in conds):
                continue
            last = k == len(branches) - 1
            # the branches cover the case: when every other one is empty, the last is the case itself
            # (kept untested; keeping a case is always sound)
            if new and feasible is not None and not (last and kept == 0) and not feasible(conds):
                continue
            kept += 1
            with sp.evaluate(False):  # rebuilding without re-evaluating every node (assumption queries)
                chosen = case.formula.xreplace({node: value})
            todo.append(Case(chosen, _dedupe(conds)))
            if len(todo) + len(done) > limit:
                raise TooManyCases(f"more than {limit} cases")
    return done


def _rebuild(e: sp.Basic) -> sp.Basic:
    """``e`` with every relation between numbers evaluated (True/False) and the Boolean
    connectives above them simplified; nothing else is touched (re-evaluating the arithmetic of
    large expressions costs SymPy assumption queries for nothing)."""
    if isinstance(e, sp.Rel):
        return e.func(e.lhs, e.rhs) if not e.free_symbols else e
    if isinstance(e, (sp.And, sp.Or, sp.Not, sp.Implies, sp.Equivalent, sp.Xor)):
        return e.func(*[_rebuild(a) for a in e.args])
    return e


@lru_cache(maxsize=4096)  # a split asks about the same conditions case after case
def _canonical(c: sp.Basic) -> sp.Basic:
    c = _simplest(c)
    return c.canonical if isinstance(c, sp.Rel) else c


def _known(c: sp.Basic, known: set) -> bool | None:
    """Whether condition ``c`` is True, False or undecided (None) given the conditions ``known``
    (syntactically: ``c`` or its negation among them)."""
    if c is sp.true:
        return True
    if c is sp.false:
        return False
    k = _canonical(c)
    if k in known:
        return True
    if isinstance(k, sp.Rel) and _canonical(k.negated) in known:
        return False
    if isinstance(c, sp.Not) and _canonical(c.args[0]) in known:
        return False
    return None


def _simplest(c: sp.Basic) -> sp.Basic:
    """``Not(a < b)`` as ``a >= b`` (solvers and readers prefer the relation)."""
    if isinstance(c, sp.Not) and isinstance(c.args[0], sp.Rel):
        return c.args[0].negated
    return c


def _dedupe(conds: list) -> list:
    return list(dict.fromkeys(conds))


# ---------------------------------------------------------------------------------------------
_HALVES = (sp.Rational(1, 2), sp.Rational(-1, 2))


@dataclass
class Radicals:
    """Square roots replaced by auxiliaries: ``expr`` uses ``symbols``; ``facts`` define them."""

    expr: sp.Basic
    definitions: dict  # auxiliary -> radicand
    facts: list


def radicals(*exprs: sp.Basic, prefix: str = "r") -> tuple[list, dict, list]:
    r"""Every :math:`\sqrt{u}` (and :math:`u^{-1/2}`) in ``exprs`` replaced by an auxiliary :math:`r`
    (innermost first, so nested radicals get their own).  Returns ``(rewritten exprs,
    {r: u}, facts)`` with facts :math:`r \ge 0`, :math:`r^2 = u`."""
    defs: dict = {}
    by_radicand: dict = {}
    out = []
    for expr in exprs:
        expr = sp.sympify(expr)
        while True:
            roots = [p for p in expr.atoms(sp.Pow) if p.exp in _HALVES
                     and not any(q.exp in _HALVES for q in p.base.atoms(sp.Pow))]
            if not roots:
                break
            table = {}
            for p in roots:
                u = p.base
                # one auxiliary per radicand *value*: the same radicand built along two routes
                # (unevaluated, its terms in another order) must not get two roots of one sign
                # each -- the reduction could not use that they are equal
                key = sp.expand(_evaluated(u))
                r = by_radicand.get(key)
                if r is None:
                    r = sp.Symbol(f"_{prefix}{len(defs) + 1}", nonnegative=True)
                    by_radicand[key] = r
                    defs[r] = u
                table[p] = r if p.exp > 0 else 1 / r
            with sp.evaluate(False):  # no re-evaluation of the large expression's every node
                expr = expr.xreplace(table)
        out.append(expr)
    facts = []
    for r, u in defs.items():
        # unevaluated: on a large radicand SymPy's evaluation would query assumptions for nothing
        facts += [sp.Eq(r ** 2, u, evaluate=False), sp.GreaterThan(r, 0, evaluate=False),
                  sp.GreaterThan(u, 0, evaluate=False)]
    return out, defs, facts


def _evaluated(e: sp.Basic) -> sp.Basic:
    """``e`` with its sums, products and powers rebuilt bottom-up with SymPy's evaluation (an
    unevaluated ``1 + x`` becomes the same object as ``x + 1``)."""
    if isinstance(e, (sp.Add, sp.Mul, sp.Pow)):
        return e.func(*[_evaluated(a) for a in e.args])
    return e


def _value(expr: sp.Basic, values: dict, memo: dict):
    """``expr`` at ``values`` (symbol -> mpmath number) in mpmath's current precision, each
    shared sub-expression evaluated once (closed forms repeat large sub-terms; SymPy's ``evalf``
    would walk every copy).  Complex where a power of a negative number is taken."""
    hit = memo.get(expr)
    if hit is not None:
        return hit
    if expr.is_Symbol:
        v = values[expr]
    elif expr.is_Rational:
        v = mpmath.mpf(int(expr.p)) / int(expr.q)
    elif expr.is_Add:
        v = mpmath.fsum([_value(a, values, memo) for a in expr.args])
    elif expr.is_Mul:
        v = mpmath.fprod([_value(a, values, memo) for a in expr.args])
    elif expr.is_Pow and expr.exp.is_Integer:
        v = _value(expr.base, values, memo) ** int(expr.exp)
    elif expr.is_Pow and expr.exp == sp.Rational(1, 2):
        v = mpmath.sqrt(mpmath.mpc(_value(expr.base, values, memo)))
    else:  # functions, other powers, constants: SymPy evaluates this node
        at = {s: sp.Float(mpmath.mpc(values[s]).real, mpmath.mp.dps) +
              sp.I * sp.Float(mpmath.mpc(values[s]).imag, mpmath.mp.dps) for s in expr.free_symbols}
        v = mpmath.mpmathify(complex(expr.evalf(mpmath.mp.dps, subs=at)))
    memo[expr] = v
    return v


def _numerically_zero(expr: sp.Basic, definitions: dict, digits: int = 30, roots: tuple = (1,)) -> bool:
    """A quick filter before the exact reduction: ``expr`` at a pseudo-random rational point
    (auxiliaries evaluated as square roots of their radicands, complex where negative, the i-th
    multiplied by ``roots[i % len(roots)]``: -1 takes the negative root) is zero to ``digits``
    digits.  False means *certainly not an identity* (up to the point hitting a pole, which is
    retried); True decides nothing."""
    symbols = sorted(expr.free_symbols - set(definitions) |
                     {s for u in definitions.values() for s in u.free_symbols} - set(definitions),
                     key=lambda s: s.name)
    with mpmath.workdps(digits + 10):
        for attempt in range(3):
            point = {s: sp.Rational(17 + 11 * i + 7 * attempt, 23 + 5 * i) for i, s in enumerate(symbols)}
            values = {s: mpmath.mpf(int(q.p)) / int(q.q) for s, q in point.items()}
            memo: dict = {}
            try:
                try:
                    for i, (r, u) in enumerate(definitions.items()):  # inner radicals first
                        values[r] = roots[i % len(roots)] * mpmath.sqrt(mpmath.mpc(_value(sp.sympify(u), values, memo)))
                    v = complex(_value(sp.sympify(expr), values, memo))
                except RecursionError:  # a very deep expression: SymPy's evalf on the whole
                    values = dict(point)
                    for i, (r, u) in enumerate(definitions.items()):
                        values[r] = roots[i % len(roots)] * sp.sqrt(sp.sympify(u).evalf(digits + 10, subs=values))
                    v = complex(sp.sympify(expr).evalf(digits, subs=values))
            except (TypeError, ValueError, ZeroDivisionError, RecursionError):
                continue
            if v != v or abs(v) == float("inf"):  # NaN or a pole: another point
                continue
            scale = 1.0 + max((abs(complex(x)) for x in values.values()), default=0.0)
            return abs(v) <= 1e-12 * scale ** 4
    return True


def vanishes_modulo(expr: sp.Basic, definitions: dict) -> bool:
    r"""Whether ``expr`` (rational in its symbols, with auxiliaries :math:`r_i` standing for
    :math:`\sqrt{u_i}`) is zero wherever it is defined: the numerator of ``together(expr)`` is
    reduced modulo :math:`r_i^2 - u_i` (each :math:`u_i` rational: its denominator is cleared)
    and must vanish identically.  False means *not shown*, never *not zero*.

    The reduction holds at either root of each :math:`r_i^2 = u_i`, so an expression that is zero
    at the positive roots only (it needs :math:`r_i \ge 0`: a solver's work) is turned away by the
    numeric filter at other roots before the reduction is tried."""
    patterns = [(1,), (-1,), (-1, 1)] if definitions else [(1,)]  # positive, negative, alternating roots
    if not all(_numerically_zero(expr, definitions, roots=roots) for roots in patterns):
        return False
    num = sp.numer(sp.together(sp.expand(expr)))
    num = sp.expand(num)
    if num == 0:
        return True
    for r, u in reversed(list(definitions.items())):  # outer radicals first (their radicands use inner ones)
        if not num.has(r):
            continue
        un, ud = sp.fraction(sp.together(u))
        poly = sp.Poly(num, r)
        # r^2 = un/ud: r^(2k+j) -> (un/ud)^k r^j, then clear ud^kmax
        deg = poly.degree()
        kmax = deg // 2
        total = sp.Integer(0)
        for (k,), c in poly.terms():
            total += c * un ** (k // 2) * ud ** (kmax - k // 2) * r ** (k % 2)
        num = sp.expand(total)
        if num == 0:
            return True
    return sp.expand(num) == 0


# ---------------------------------------------------------------------------------------------
def clear_denominators(rel: sp.Rel, sign_of: Callable[[sp.Basic], int | None]) -> sp.Basic:
    """``a op b`` as ``N op 0`` (or ``-N op 0``) where ``a - b = N/D`` and ``sign_of(D)`` is
    decided (+1: positive, -1: negative); unchanged when the sign is not decided."""
    if not isinstance(rel, sp.Rel) or rel.rel_op in ("==", "!="):
        return rel
    diff = sp.together(rel.lhs - rel.rhs)
    num, den = sp.fraction(diff)
    if den.is_number:
        return rel
    s = sign_of(den)
    if s is None:
        return rel
    n = num if s > 0 else -num
    return {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan,
            ">=": sp.GreaterThan}[rel.rel_op](n, 0)


# ---------------------------------------------------------------------------------------------
def _transcendental(e: sp.Basic) -> bool:
    if isinstance(e, sp.Pow):
        return not e.exp.is_Integer and e.exp not in (sp.Rational(1, 2), sp.Rational(-1, 2))
    return isinstance(e, (sp.exp, sp.log))


def abstract_atoms(exprs: Iterable[sp.Basic], decided: Callable[[sp.Basic], bool]) -> tuple[list, list, dict]:
    """Transcendental atoms replaced by fresh variables with decided bounds.

    ``decided(condition)`` must return True only when the condition is *proved* under the
    problem's hypotheses.  Returns ``(rewritten exprs, facts about the new variables, {variable:
    atom})``; atoms are abstracted innermost first and the facts are:

    * ``b**e``: ``> 0`` when ``b > 0``; ``< 1`` when additionally ``b < 1, e > 0`` or ``b > 1, e < 0``;
      ``> 1`` when ``b > 1, e > 0`` or ``b < 1, e < 0``; ``<= b`` when ``0 < b < 1, e >= 1``;
    * ``exp(a)``: ``> 0``, and ``> 1 + a`` (convexity);
    * ``log(a)``: ``<= a - 1`` (concavity), ``< 0`` when ``a < 1``, ``> 0`` when ``a > 1``.
    """
    exprs = [sp.sympify(e) for e in exprs]
    table: dict = {}
    facts: list = []
    while True:
        atoms = set()
        for e in exprs:
            atoms |= {a for a in sp.preorder_traversal(e) if _transcendental(a)
                      and not any(_transcendental(b) for b in sp.preorder_traversal(a) if b is not a)}
        atoms -= set(table.values())
        if not atoms:
            break
        sub = {}
        for a in sorted(atoms, key=sp.default_sort_key):
            v = sp.Symbol(f"_t{len(table) + 1}", real=True)
            table[v] = a
            sub[a] = v
            facts += _atom_facts(a, v, decided)
        exprs = [e.xreplace(sub) for e in exprs]
        facts = [f.xreplace(sub) for f in facts]
    return exprs, facts, table


def _atom_facts(a: sp.Basic, v: sp.Symbol, decided) -> list:
    out = []
    if isinstance(a, sp.exp):
        return [v > 0, v >= 1 + a.args[0]]
    if isinstance(a, sp.log):
        x = a.args[0]
        out.append(v <= x - 1)
        if decided(x < 1):
            out.append(v < 0)
        elif decided(x > 1):
            out.append(v > 0)
        return out
    b, e = a.args
    if not decided(b > 0):
        return out
    out.append(v > 0)
    below, above = decided(b < 1), decided(b > 1)
    pos = decided(e > 0)
    neg = (not pos) and decided(e < 0)
    if (below and pos) or (above and neg):
        out.append(v < 1)
    if (above and pos) or (below and neg):
        out.append(v > 1)
    if below and decided(e >= 1):
        out.append(v <= b)
    return out
