r"""Stage 4 of ``check-tex``: the verdict on one step, under the assumptions.

A step is ``lhs op rhs`` between consecutive sides of a chain (``=``, ``<``, ``\le``, ``>``, ``\ge``,
``\ne``), or a link between two propositions (``\Rightarrow``, ``\Leftrightarrow``, or two rows with
no connective, read as "the second follows from the first").  The verdict is

* **verified** -- by symbolic simplification (equalities, ``simplify`` in a forked child with a time
  budget), by z3's decision procedure (:func:`symbolic.decide.decide`, nonlinear real arithmetic),
  by z3 after abstracting a power with a symbolic exponent ``b^e`` as a new unknown with the bounds
  the assumptions give it (``0 < (1-z)^s < 1`` from ``0 < z < 1``, ``s >= 1``: a proof over the wider
  set is a proof), or -- equalities only -- by agreement at random points of the assumed domain
  evaluated with mpmath at 30 digits (the method says ``numeric``: evidence, not a proof);
* **refuted** -- with a counterexample, found by z3 or by the random search, that exact rational
  substitution confirms (or evaluation at 50 digits where the value is not rational);
* **unknown** -- with the reason (z3 gave up, no counterexample in the draws, the step evaluates a
  function whose definition the paper does not display, ...).

Function applications (``u_i(0,0)``, ``F(x - p)``, derivatives ``u'_s(x)``, ``E[...]``) are
unknowns of their own: a verified step holds for every function.  A counterexample gives them
values and is kept only if it is a function (equal arguments at the point get equal values).  A step
where a function appears on one side only evaluates it; without its definition a violation is no
refutation, so such a step is at most unknown.  ``dX/dY`` of a name ``X`` is found by implicit
differentiation of the last equation before it that contains ``X`` and ``Y``.

Limits: no induction (a step with a symbolic index is checked symbolically or numerically, not for
all integers by proof, except through the power abstraction); assumptions are relations between
the paper's names only; numeric draws come from a box given by the assumptions' simple bounds
(``[-3, 3]`` for an unbounded name), rejection-sampled against all assumptions.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from ..decide import NotEncodable, decide
from ..errors import DerivationError
from ..solvers.budget import run_with_budget
from .parse import Expectation, Partial

SIMPLIFY_SECONDS = 6.0
Z3_MS = 4000
DRAWS = 120


@dataclass
class Verdict:
    status: str  # verified / refuted / unknown / not parsed
    method: str
    counterexample: dict | None = None  # {name: exact value as text}


RELATIONS = {"=": sp.Eq, "<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "!=": sp.Ne}


# ---------------------------------------------------------------------------------------------
class Abstraction:
    """Function applications, derivatives and expectations replaced by fresh unknowns."""

    def __init__(self):
        self.atoms: dict[sp.Basic, sp.Symbol] = {}

    def __call__(self, e: sp.Basic) -> sp.Basic:
        def key(x):
            return isinstance(x, (AppliedUndef, sp.Derivative, sp.Subs, Expectation))
        found = sorted({x for x in sp.preorder_traversal(e) if key(x)}, key=lambda x: -sp.count_ops(x))
        rep = {}
        for x in found:
            if x not in self.atoms:
                self.atoms[x] = sp.Symbol(sp.sstr(x).replace("Derivative", "D").replace(" ", ""))
            rep[x] = self.atoms[x]
        return e.xreplace(rep) if rep else e

    def function_of(self, atom: sp.Basic) -> str:
        if isinstance(atom, AppliedUndef):
            return str(atom.func)
        if isinstance(atom, Expectation):
            return "E"
        inner = atom.expr if isinstance(atom, (sp.Derivative, sp.Subs)) else atom
        while isinstance(inner, (sp.Derivative, sp.Subs)):
            inner = inner.expr
        return (str(inner.func) if isinstance(inner, AppliedUndef) else "?") + "'"

    def functions(self, e: sp.Basic) -> set:
        return {self.function_of(a) for a, s in self.atoms.items() if s in e.free_symbols}

    def consistent(self, point: dict) -> dict | None:
        """``point`` (over plain symbols and atoms) extended with values for names that only occur
        inside function arguments, or None if it gives one function two values at one argument."""
        full = dict(point)
        fresh = 101
        for atom in self.atoms:
            for s in sorted(atom.free_symbols, key=lambda x: x.name):
                if s not in full and s not in self.atoms.values():
                    full[s] = sp.Integer(fresh)
                    fresh += 1
        seen = {}
        for atom, sym in self.atoms.items():
            if sym not in point:
                continue
            args = getattr(atom, "args", ())
            if isinstance(atom, (sp.Derivative, sp.Subs)):
                args = (atom.args[-1],) if isinstance(atom, sp.Subs) else atom.variables
            try:
                at = tuple(sp.nsimplify(a.xreplace(full)) for a in args)
            except Exception:
                return None
            k = (self.function_of(atom), at)
            if k in seen and seen[k] != point[sym]:
                return None
            seen[k] = point[sym]
        return full


# ---------------------------------------------------------------------------------------------
def bounds(hyps) -> dict:
    """``{symbol: [lo, hi, lo_strict, hi_strict]}`` from the assumptions' simple bounds."""
    out: dict = {}
    for h in hyps:
        for r in (h.args if isinstance(h, sp.And) else (h,)):
            if not isinstance(r, sp.core.relational.Relational) or isinstance(r, (sp.Eq, sp.Ne)):
                continue
            lhs, rhs = r.lhs, r.rhs
            small, big = (lhs, rhs) if r.rel_op in ("<", "<=") else (rhs, lhs)
            strict = r.rel_op in ("<", ">")
            if small.is_Symbol and big.is_number:
                b = out.setdefault(small, [None, None, False, False])
                b[1], b[3] = big, strict
            elif big.is_Symbol and small.is_number:
                b = out.setdefault(big, [None, None, False, False])
                b[0], b[2] = small, strict
    return out


def _positive_subs(exprs, hyps) -> dict:
    """Symbols the assumptions make positive (or nonnegative), as SymPy symbols that know it."""
    rep = {}
    for s, (lo, _hi, strict, _) in bounds(hyps).items():
        if lo is not None and (lo > 0 or (lo == 0 and strict)):
            rep[s] = sp.Symbol(s.name, positive=True, integer=s.is_integer or None)
        elif lo is not None and lo >= 0:
            rep[s] = sp.Symbol(s.name, nonnegative=True, integer=s.is_integer or None)
    return rep


def _simplify_zero(d: sp.Basic) -> bool:
    return sp.simplify(d) == 0


def symbolic_equal(lhs, rhs, hyps) -> bool:
    rep = _positive_subs([lhs, rhs], hyps)
    d = (lhs - rhs).xreplace(rep)
    if d == 0 or sp.expand(d) == 0:
        return True
    try:
        return bool(run_with_budget(_simplify_zero, (d,), SIMPLIFY_SECONDS, "simplify"))
    except DerivationError:
        return False


def _doit(e: sp.Basic, hyps) -> sp.Basic:
    """Sums and products evaluated (with the assumptions' signs known, so closed forms are clean)."""
    if not e.has(sp.Sum, sp.Product):
        return e
    rep = _positive_subs([e], hyps)
    back = {v: k for k, v in rep.items()}
    try:
        return e.xreplace(rep).doit().xreplace(back)
    except Exception:
        return e


def _power_abstraction(goal: sp.Basic, hyps):
    """Powers with a symbolic exponent as new unknowns, with the bounds z3 proves for them."""
    pows = {p for p in goal.atoms(sp.Pow) if not p.exp.is_number}
    if not pows:
        return None
    rep, extra, notes = {}, [], []
    for k, p in enumerate(sorted(pows, key=sp.sstr)):
        w = sp.Symbol(f"__pow{k}")
        b, e = p.base, p.exp
        try:
            pos = decide(hyps, b > 0, Z3_MS).outcome == "proved"
            below = decide(hyps, b < 1, Z3_MS).outcome == "proved"
            epos = decide(hyps, e > 0, Z3_MS).outcome == "proved"
            e1 = decide(hyps, e >= 1, Z3_MS).outcome == "proved"
        except NotEncodable:
            return None
        if not pos:
            return None
        extra.append(w > 0)
        rng = "> 0"
        if below and epos:
            extra.append(w < 1)
            rng = "in (0, 1)"
            if e1:
                extra.append(w <= b)
                rng = f"in (0, {sp.sstr(b)}]"
        rep[p] = w
        notes.append(f"{sp.sstr(p)} {rng}")
    g = goal.xreplace(rep)
    if any(not p.exp.is_number for p in g.atoms(sp.Pow)):
        return None
    return g, extra, "; ".join(notes)


def _rational(x: float) -> sp.Rational:
    f = Fraction(x).limit_denominator(1000)
    return sp.Rational(f.numerator, f.denominator)


def _truth(prop: sp.Basic, point: dict) -> bool | None:
    """``prop`` at an exact point: True/False, or None when it cannot be told (50 digits)."""
    try:
        v = prop.xreplace(point)
    except Exception:
        return None
    if v in (sp.true, sp.false):
        return bool(v)
    if isinstance(v, sp.core.relational.Relational):
        try:
            diff = sp.N(v.lhs - v.rhs, 50)
        except Exception:
            return None
        if not diff.is_real or not diff.is_number:
            return None
        if abs(diff) < sp.Float(10) ** -40:
            return {"==": True, "!=": False, "<=": True, ">=": True, "<": False, ">": False}[v.rel_op]
        return {"==": False, "!=": True, "<=": diff < 0, ">=": diff > 0, "<": diff < 0, ">": diff > 0}[v.rel_op]
    if isinstance(v, (sp.And, sp.Or, sp.Not, sp.Implies, sp.Equivalent)):
        parts = [_truth(a, {}) for a in v.args]
        if None in parts:
            return None
        if isinstance(v, sp.And):
            return all(parts)
        if isinstance(v, sp.Or):
            return any(parts)
        if isinstance(v, sp.Not):
            return not parts[0]
        if isinstance(v, sp.Implies):
            return (not parts[0]) or parts[1]
        return all(p == parts[0] for p in parts)
    return None


def _violates(hyps, goal, point) -> bool:
    return all(_truth(h, point) is True for h in hyps) and _truth(goal, point) is False


def _show(point: dict, goal: sp.Basic | None = None, ab: "Abstraction | None" = None) -> dict:
    """The counterexample as ``{name: exact value}``, restricted to the names of the step (and
    those inside its function applications)."""
    keep = None
    if goal is not None:
        keep = set(goal.free_symbols)
        if ab is not None:
            for atom, sym in ab.atoms.items():
                if sym in keep:
                    keep |= atom.free_symbols
    return {str(k): sp.sstr(v) for k, v in sorted(point.items(), key=lambda kv: str(kv[0]))
            if not str(k).startswith("__") and (keep is None or k in keep)}


def _draw(symbols, hyps, rng: random.Random, n: int):
    box = bounds(hyps)
    pts = []
    tries = 0
    while len(pts) < n and tries < n * 40:
        tries += 1
        pt = {}
        for s in symbols:
            lo, hi, _, _ = box.get(s, [None, None, False, False])
            lo = float(lo) if lo is not None else (float(hi) - 4 if hi is not None else -3.0)
            hi = float(hi) if hi is not None else lo + (4 if lo >= -3 else 6)
            if s.is_integer:
                a, b = int(mpmath.ceil(lo)), int(mpmath.floor(hi))
                a, b = max(a, -6), min(b, max(a, -6) + 7)
                if a > b:
                    break
                pt[s] = sp.Integer(rng.randint(a, b))
            else:
                pt[s] = _rational(lo + (hi - lo) * rng.random())
        else:
            if all(_truth(h, pt) is not False for h in hyps):
                pts.append(pt)
    return pts


def _numeric_search(hyps, goal, symbols, abstraction, seed=0):
    """``(counterexample or None, draws)``: random points where the goal fails, confirmed exactly."""
    rng = random.Random(seed)
    pts = _draw(symbols, hyps, rng, DRAWS)
    for pt in pts:
        if _violates(hyps, goal, pt):
            full = abstraction.consistent(pt)
            if full is not None:
                return full, len(pts)
    return None, len(pts)


def _numeric_equal(lhs, rhs, hyps, symbols):
    """Equality at random points at 30 digits: ``(all agree, draws)``."""
    rng = random.Random(1)
    pts = _draw(symbols, hyps, rng, 60)
    if not pts:
        return False, 0
    with mpmath.workdps(30):
        for pt in pts:
            try:
                a = sp.N(lhs.xreplace(pt), 30)
                b = sp.N(rhs.xreplace(pt), 30)
                if not (a.is_number and b.is_number):
                    return False, 0
                if abs(a - b) > sp.Float(10) ** -20 * (1 + abs(b)):
                    return False, len(pts)
            except (TypeError, ValueError, ZeroDivisionError):
                return False, 0
    return True, len(pts)


# ---------------------------------------------------------------------------------------------
def check(goal: sp.Basic, hyps: list, sides=None, evaluates=()) -> Verdict:
    """Verdict on the proposition ``goal`` (a relation, or a Boolean of relations) under ``hyps``.

    ``sides`` = (lhs, rhs) for an equality (symbolic and numeric equality are tried);
    ``evaluates`` names the functions that appear on one side only."""
    if goal in (sp.true, sp.false) or isinstance(goal, (bool,)):
        if bool(goal):
            return Verdict("verified", "symbolic (true as written)")
        return Verdict("refuted", "symbolic (false as written)", {})
    ab = Abstraction()
    g = ab(_doit(goal, hyps))
    hs = [ab(_doit(h, hyps)) for h in hyps]
    if g.has(sp.ConditionSet, sp.Set):
        return Verdict("unknown", "a set, not a number: nothing to check")
    symbols = sorted(g.free_symbols | set().union(*[h.free_symbols for h in hs]), key=lambda s: s.name)
    reasons = []
    if sides is not None:
        lhs, rhs = (ab(_doit(s, hyps)) for s in sides)
        if symbolic_equal(lhs, rhs, hs):
            return Verdict("verified", "symbolic simplification")
    # the decision procedure
    def confirm(point):
        return _violates(hs, g, point) and ab.consistent(point) is not None
    try:
        dec = decide(hs, g, Z3_MS, check=confirm)
        if dec.outcome == "proved":
            return Verdict("verified", "z3 decision procedure")
        if dec.outcome == "refuted":
            cx = ab.consistent(dec.counterexample)
            if evaluates:
                return Verdict("unknown", f"the step evaluates {', '.join(sorted(evaluates))} (not defined in a "
                                          f"display); it fails for some function values", _show(cx, g, ab))
            return Verdict("refuted", "z3 + exact substitution", _show(cx, g, ab))
        reasons.append(dec.reason)
    except NotEncodable as exc:
        reasons.append(f"not polynomial ({str(exc)[:60]})")
        pa = _power_abstraction(g, hs)
        if pa is not None:
            g2, extra, note = pa
            try:
                if decide(hs + extra, g2, Z3_MS).outcome == "proved":
                    return Verdict("verified", f"z3 decision procedure, with {note}")
            except NotEncodable:
                pass
    cx, n = _numeric_search(hs, g, symbols, ab)
    if cx is not None:
        if evaluates:
            return Verdict("unknown", f"the step evaluates {', '.join(sorted(evaluates))} (not defined in a display); "
                                      "it fails for some function values", _show(cx, g, ab))
        return Verdict("refuted", "numeric search + exact substitution", _show(cx, g, ab))
    if sides is not None and n:
        ok, m = _numeric_equal(lhs, rhs, hs, symbols)
        if ok:
            return Verdict("verified", f"numeric: equal at {m} random points to 20 digits (not a proof)")
    why = "; ".join(r for r in reasons if r) or "no proof"
    return Verdict("unknown", f"{why}; no counterexample in {n} random draws" if n else
                   f"{why}; no point of the assumptions could be drawn")


def relation(op: str, lhs: sp.Basic, rhs: sp.Basic) -> sp.Basic:
    return RELATIONS[op](lhs, rhs, evaluate=False)


def one_sided_functions(lhs: sp.Basic, rhs: sp.Basic) -> set:
    """Functions applied on one side of a step and not at all on the other."""
    ab = Abstraction()
    a, b = ab(lhs), ab(rhs)
    fa, fb = ab.functions(a), ab.functions(b)
    return (fa - fb) | (fb - fa)


def resolve_partials(e: sp.Basic, definitions) -> tuple[sp.Basic, list[str]]:
    """``dX/dY`` of names replaced by implicit differentiation of the last equation that has both."""
    notes = []
    for p in sorted(e.atoms(Partial), key=sp.sstr):
        X, Y = p.args
        for line, eq in reversed(definitions):
            F = eq.lhs - eq.rhs
            if F.has(X) and F.has(Y):
                dx = sp.diff(F, X)
                if dx == 0:
                    continue
                e = e.xreplace({p: -sp.diff(F, Y) / dx})
                notes.append(f"d{X}/d{Y} by implicit differentiation of line {line}")
                break
        else:
            raise LookupError(f"d{X}/d{Y}: no earlier equation defines {X} in terms of {Y}")
    return e, notes
