r"""Certified interval arithmetic (mpmath ``iv``): branch and bound over boxes of a bounded domain.

:func:`prove_by_intervals` proves ``hypotheses => goal`` when every parameter of the problem ranges
over a bounded interval: the box of those intervals is evaluated in outward-rounded interval
arithmetic; a box on which some hypothesis is certainly false is discarded, one on which the goal is
certainly true is done, any other is split in half along its widest side.  The proof is complete
when no box is left -- a certificate, since interval arithmetic encloses every value a formula takes
on a box.  It gives up (``unknown``) past a number of boxes or a time limit, and it never refutes:
a box where the goal fails is left to the numeric search and exact substitution.

The evaluator covers ``+ - * /``, integer and rational powers, ``sqrt``, ``exp``, ``log``, ``Abs``,
``Min``, ``Max``, ``Piecewise`` (the hull of the branches whose conditions may hold), relations and
the Boolean connectives; an implicitly defined quantity (:mod:`symbolic.implicit`) is enclosed by
its bracket -- at a point (numbers for all its arguments) by a tight certified enclosure of its root
(:func:`enclose_root`).

**Confirming a counterexample on an implicit quantity.**  An implicitly defined :math:`v(a)` has no
exact value at a rational point, but its root can be enclosed with certainty: a numeric root
:math:`r` gives :math:`[r - \varepsilon, r + \varepsilon]`, where the residual :math:`G(\cdot, a)`
is certified (interval arithmetic at the two ends) to take strictly opposite signs -- a root lies
inside -- and to vanish nowhere else on the bracket (bisection of the rest of the bracket until
every piece's enclosure of :math:`G` excludes 0) -- the root is the quantity's.  A formula whose
interval truth at the point, with that enclosure, is *certainly false* is violated there:
:func:`certainly` answers the question for :meth:`symbolic.verify.PartVerifier` and the
equivalence recogniser.
"""
from __future__ import annotations

import time

import mpmath
import sympy as sp

iv = mpmath.iv


class _Unsupported(Exception):
    pass


def _hull(values):
    lo = min(v.a for v in values)
    hi = max(v.b for v in values)
    return iv.mpf([lo, hi])


def _eval(e: sp.Basic, box: dict):
    from .implicit import ImplicitFunction

    if e.is_Symbol:
        if e not in box:
            raise _Unsupported(f"unbounded symbol {e}")
        return box[e]
    if e.is_Rational:
        return iv.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return iv.mpf(str(e))
    if e is sp.pi:
        return iv.pi
    if e is sp.E:
        return iv.e
    if e.is_Add:
        acc = iv.mpf(0)
        for a in e.args:
            acc = acc + _eval(a, box)
        return acc
    if e.is_Mul:
        acc = iv.mpf(1)
        for a in e.args:
            acc = acc * _eval(a, box)
        return acc
    if e.is_Pow:
        base, ex = e.args
        b = _eval(base, box)
        if ex.is_Integer:
            k = int(ex)
            if k < 0 and b.a <= 0 <= b.b:
                raise _Unsupported("a denominator's enclosure contains 0")
            return b ** k
        if ex == sp.Rational(1, 2):
            if b.b < 0:
                raise _Unsupported("sqrt of a negative enclosure")
            return iv.sqrt(iv.mpf([max(b.a, 0), b.b]))
        x = _eval(ex, box)
        if b.a <= 0:
            raise _Unsupported("a real power of an enclosure that reaches 0")
        return iv.exp(x * iv.log(b))
    if isinstance(e, sp.exp):
        return iv.exp(_eval(e.args[0], box))
    if isinstance(e, sp.log):
        a = _eval(e.args[0], box)
        if a.a <= 0:
            raise _Unsupported("log of an enclosure that reaches 0")
        return iv.log(a)
    if isinstance(e, sp.Abs):
        a = _eval(e.args[0], box)
        if a.a >= 0:
            return a
        if a.b <= 0:
            return -a
        return iv.mpf([0, max(-a.a, a.b)])
    if isinstance(e, (sp.Min, sp.Max)):
        vals = [_eval(a, box) for a in e.args]
        pick = min if isinstance(e, sp.Min) else max
        return iv.mpf([pick(v.a for v in vals), pick(v.b for v in vals)])
    if isinstance(e, sp.Piecewise):
        vals = []
        for value, cond in e.args:
            t = _truth(cond, box)
            if t is False:
                continue
            vals.append(_eval(value, box))
            if t is True:
                break
        if not vals:
            raise _Unsupported("no Piecewise branch applies")
        return _hull(vals)
    if isinstance(e, ImplicitFunction):
        if not e.free_symbols:
            tight = enclose_root(e)
            if tight is not None:
                return tight
        lo, hi = e._bracket
        args = dict(zip(e._params, e.args))
        return _hull([_eval(lo.xreplace(args), box), _eval(hi.xreplace(args), box)])
    raise _Unsupported(f"{type(e).__name__}")


def _truth(b: sp.Basic, box: dict):
    """True / False when certain on the whole box, None otherwise."""
    if b is sp.true or b == sp.true:
        return True
    if b is sp.false or b == sp.false:
        return False
    if isinstance(b, sp.And):
        vals = [_truth(a, box) for a in b.args]
        return False if False in vals else (True if all(v is True for v in vals) else None)
    if isinstance(b, sp.Or):
        vals = [_truth(a, box) for a in b.args]
        return True if True in vals else (False if all(v is False for v in vals) else None)
    if isinstance(b, sp.Not):
        v = _truth(b.args[0], box)
        return None if v is None else not v
    if isinstance(b, sp.Implies):
        return _truth(sp.Or(sp.Not(b.args[0]), b.args[1]), box)
    if isinstance(b, sp.Equivalent):
        vals = [_truth(a, box) for a in b.args]
        if None in vals:
            return None
        return all(v == vals[0] for v in vals)
    if isinstance(b, sp.Rel):
        d = _eval(b.lhs - b.rhs, box)
        op = b.rel_op
        if op in ("<", "<="):
            d, op = -d, {"<": ">", "<=": ">="}[op]
        if op == ">":
            return True if d.a > 0 else (False if d.b <= 0 else None)
        if op == ">=":
            return True if d.a >= 0 else (False if d.b < 0 else None)
        if op == "==":
            return False if (d.a > 0 or d.b < 0) else (True if d.a == d.b == 0 else None)
        if op == "!=":
            return True if (d.a > 0 or d.b < 0) else None
    raise _Unsupported(f"{type(b).__name__}")


_ROOTS: dict = {}


def enclose_root(f, max_pieces: int = 400):
    """A certified enclosure (an ``iv.mpf``) of the implicit quantity ``f`` at numbers (an
    :class:`~symbolic.implicit.ImplicitFunction` applied to numbers), or ``None`` when its root cannot
    be certified unique in its bracket (module docstring).  Memoised."""
    if f in _ROOTS:
        return _ROOTS[f]
    _ROOTS[f] = None  # a residual that refers to this very value again finds no enclosure
    out = None
    try:
        out = _enclose(f, max_pieces)
    except (_Unsupported, ZeroDivisionError, ValueError, TypeError, OverflowError):
        out = None
    if len(_ROOTS) > 4096:
        _ROOTS.clear()
    _ROOTS[f] = out
    return out


def _enclose(f, max_pieces: int):
    args = dict(zip(f._params, f.args))
    root = float(type(f)._imp_(*[float(a) for a in f.args]))
    if root != root:  # NaN: no sign change on the bracket
        return None
    G = f._residual.xreplace(args)
    var = f._var
    lo, hi = (_eval(b.xreplace(args), {}) for b in f._bracket)
    eps = 1e-9 * (1 + abs(root))
    a, b = iv.mpf(root - eps), iv.mpf(root + eps)
    ga, gb = _eval(G, {var: a}), _eval(G, {var: b})
    if not ((ga.b < 0 < gb.a) or (gb.b < 0 < ga.a)):
        return None
    # G vanishes nowhere else on the bracket: [lo, a] and [b, hi] bisected until G excludes 0
    pieces = [(lo.a, a.a), (b.b, hi.b)]
    done = 0
    while pieces:
        u, w = pieces.pop()
        if u >= w:
            continue
        done += 1
        if done > max_pieces:
            return None
        try:
            g = _eval(G, {var: iv.mpf([u, w])})
            if g.a > 0 or g.b < 0:
                continue
        except _Unsupported:
            if w - u < eps:  # a pole or an undefined end of the bracket, not a root of G
                return None
        mid = (u + w) / 2
        if not u < mid < w:
            return None
        pieces += [(u, mid), (mid, w)]
    return iv.mpf([a.a, b.b])


def certainly(b: sp.Basic):
    """The truth of ``b`` (a formula in numbers, implicit quantities among them) when interval
    arithmetic makes it certain: ``True``/``False``, else ``None``."""
    try:
        return _truth(b, {})
    except (_Unsupported, ZeroDivisionError, ValueError, TypeError, OverflowError):
        return None


def prove_by_intervals(goal: sp.Basic, hypotheses, domain, max_boxes: int = 4000, seconds: float = 1.0):
    """Branch and bound (module docstring).  Returns a :class:`symbolic.proofs.Attempt`."""
    from .proofs import Attempt

    # only the goal's parameters are boxed; hypotheses about others are left out (fewer hypotheses:
    # still sound) -- a bounded part is not made unbounded by a domain condition it does not use
    symbols = set(goal.free_symbols)
    hypotheses = [h for h in hypotheses if h.free_symbols <= symbols]
    box = {}
    for s in sorted(symbols, key=lambda x: x.name):
        try:
            interval = domain.by_symbol(s).domain
        except Exception:
            return Attempt("unknown", detail=f"{s} is no parameter with a domain")
        lo, hi = getattr(interval, "lo", None), getattr(interval, "hi", None)
        if lo is None or hi is None:
            return Attempt("unknown", detail=f"{s} ranges over an unbounded domain, which no finite box covers")
        lo_iv, hi_iv = _eval(sp.nsimplify(lo), {}), _eval(sp.nsimplify(hi), {})
        box[s] = iv.mpf([lo_iv.a, hi_iv.b])  # outward: the exact ends lie inside
    hyps = [h for h in hypotheses if h is not sp.true]
    stack = [box]
    done = 0
    start = time.perf_counter()
    while stack:
        if done >= max_boxes or time.perf_counter() - start > seconds:
            return Attempt("unknown", detail=f"{len(stack)} boxes still open after {done} (limit {max_boxes} boxes, "
                                             f"{seconds:g} s)")
        b = stack.pop()
        done += 1
        try:
            if any(_truth(h, b) is False for h in hyps):
                continue
            if _truth(goal, b) is True:
                continue
        except _Unsupported as exc:
            if len(stack) + done > max_boxes:
                return Attempt("unknown", detail=f"not enclosed ({exc})")
        except (ZeroDivisionError, ValueError) as exc:
            return Attempt("unknown", detail=f"interval evaluation failed ({exc})")
        widest = max(b, key=lambda s: b[s].delta)
        mid = b[widest].mid
        for half in (iv.mpf([b[widest].a, mid]), iv.mpf([mid, b[widest].b])):
            nb = dict(b)
            nb[widest] = half
            stack.append(nb)
    return Attempt("proved", "certified interval arithmetic (branch and bound)",
                   f"{done} boxes, each shown to violate a hypothesis or to satisfy the claim (mpmath iv)")
