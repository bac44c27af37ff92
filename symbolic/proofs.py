r"""Proof procedures for claim parts the direct decision procedure leaves open.

:class:`Prover` decides ``hypotheses => goal`` with the solvers: first a short pass of z3 in this
process (most goals that z3 decides at all it decides in milliseconds, and a child process would
cost more than that), then the portfolio of :mod:`symbolic.smt` (z3 and cvc5 side by side in
child processes) for the rest of the part's budget (:meth:`Prover.rest`: for a whole part, the
verifier calls it after the procedures below).  Every answer is recorded.  Every solver is bounded
by the clock (z3's resource count spends at rates 8-fold apart on these problems).

:func:`prove_rewritten` then tries, in this order, on what is left:

1. **abstraction** -- an implicitly defined quantity :math:`v(a)` (:mod:`symbolic.implicit`) becomes
   a fresh variable confined to its bracket :math:`[\ell(a), h(a)]` (where every root the quantity
   can take lies); a transcendental atom (``(1-z)**s``, ``exp``, ``log``) a fresh variable with its
   decided bounds (:func:`symbolic.preprocess.abstract_atoms`).  Proved for every value in the
   bounds means proved for the quantity itself;
2. **case split** -- ``Piecewise``/``Min``/``Max``/``Abs`` split into cases, each with its
   condition as a hypothesis; cases whose conditions z3 shows empty are dropped;
3. per case: an equation is proved **algebraically** when its difference vanishes modulo the
   defining polynomials of its radicals (substitute, reduce -- no solver); otherwise
   **denominators of decided sign are cleared** and the case goes to the solvers.

:func:`prove_implicit_monotone` proves a bound :math:`v(a) \le c(a)` (or ``>=``, ``<``, ``>``) on an
implicit quantity from the implicit function theorem: when the sign of :math:`\partial G/\partial v`
is decided on the bracket, :math:`G(\cdot, a)` is strictly monotone there, so :math:`v \le c` iff
:math:`c` lies above the bracket or :math:`G(c, a)` has the sign of :math:`G` above the root.

:func:`symbolic.intervals_iv.prove_by_intervals` (certified interval arithmetic, branch and bound over
boxes) is the last resort where every parameter of the part has a bounded domain.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

import sympy as sp

from . import smt
from .decide import Decision, NotEncodable, _Translator, decide, solver_for
from .preprocess import TooManyCases, abstract_atoms, clear_denominators, radicals, split_cases, vanishes_modulo

#: The in-process z3 pass before the portfolio (ms).
FIRST_PASS_MS = 100
#: Budget of each feasibility check of a case split (in-process z3, ms).
FEASIBILITY_MS = 100
#: Wall-clock allowance of the procedures beyond the direct decision, per part (s; a safety net --
#: the seed models' parts take 0.4-2.5 s), and the budget of each solver call among them (ms; at
#: most the part's own budget).
PROCEDURE_SECONDS = 60.0
CASE_BUDGET_MS = 500


class OutOfTime(Exception):
    """The part's allowance for the procedures is spent."""


def procedures_enabled() -> bool:
    """``GT_DERIVATIONS_PROCEDURES=0`` turns off everything beyond the direct z3 decision (the
    configuration the benchmark measures against)."""
    return os.environ.get("GT_DERIVATIONS_PROCEDURES", "1") != "0"


@dataclass
class Attempt:
    """What a procedure achieved: ``proved``, ``refuted`` or ``unknown`` (with the reason)."""

    status: str
    method: str = ""
    detail: str = ""
    counterexample: dict | None = None


@dataclass
class Prover:
    """Decides implications with z3 in process, then the SMT portfolio (see the module docstring)."""

    solvers: tuple = field(default_factory=smt.available)
    log: list = field(default_factory=list)
    _feasible: dict = field(default_factory=dict)
    _sessions: dict = field(default_factory=dict)
    deadline: float | None = None

    def start(self, seconds: float = PROCEDURE_SECONDS) -> None:
        """Open a part's allowance for the procedures."""
        self.deadline = time.perf_counter() + seconds

    def left_ms(self) -> int:
        """Milliseconds left of the allowance (raises :class:`OutOfTime` when none)."""
        if self.deadline is None:
            return 10**9
        left = int((self.deadline - time.perf_counter()) * 1000)
        if left <= 0:
            raise OutOfTime()
        return left

    @property
    def portfolio(self) -> bool:
        """Whether undecided goals go on to the portfolio (a solver besides z3 is configured)."""
        return procedures_enabled() and bool(set(self.solvers) - {"z3"})

    def decide(self, hyps, goal, budget_ms: int, check=None, split: tuple | None = None,
               portfolio: bool = True) -> tuple[Decision, str, str]:
        """``(decision, solver that decided it or '', what every solver said)``.

        ``split = (base, extra)`` with ``hyps = base + extra``: the in-process pass reuses the
        session holding ``base`` (translated once per part) and proves only (a refutation is the
        portfolio's).  ``portfolio=False`` stops after the in-process pass (:meth:`rest` runs the
        portfolio later).  Raises :class:`NotEncodable`."""
        first = self.first_ms(budget_ms)
        t = time.perf_counter()
        if split is not None:
            base, extra = split
            session = self.session(base)
            if not session.ok:
                raise NotEncodable("a hypothesis is not polynomial")
            d = Decision("proved") if session.implies(extra, goal, first, short=self.portfolio) else \
                Decision("unknown", reason="z3: unknown")
        else:
            d = decide(hyps, goal, first, check=check, short=self.portfolio)
        self.log.append(("z3-in-process", d.outcome, time.perf_counter() - t))
        said = f"z3 (in process, {first} ms) {_word(d)}"
        if not portfolio or not self.has_rest(d, budget_ms):
            return d, ("z3" if d.outcome != "unknown" else ""), said + ("" if d.outcome != "unknown" else
                                                                        f" ({d.reason})")
        d2, winner, rest = self.rest(hyps, goal, budget_ms, check)
        return d2, winner, f"{said}; then {rest}"

    def first_ms(self, budget_ms: int) -> int:
        """The in-process pass's share of a budget (all of it without the portfolio)."""
        return budget_ms if not self.portfolio else min(budget_ms, FIRST_PASS_MS)

    def has_rest(self, d: Decision, budget_ms: int) -> bool:
        """Whether :meth:`rest` has anything to do after an in-process pass that decided ``d``."""
        return d.outcome == "unknown" and self.portfolio and budget_ms > self.first_ms(budget_ms)

    def rest(self, hyps, goal, budget_ms: int, check=None) -> tuple[Decision, str, str]:
        """The portfolio on what the in-process pass left, for the rest of ``budget_ms``:
        ``(decision, winner or '', what every solver said)``."""
        d, result = smt.decide_smt(hyps, goal, budget_ms - self.first_ms(budget_ms), check=check,
                                   solvers=self.solvers)
        self.log.append(("portfolio", d.outcome, result.describe()))
        winner = result.winner.solver if result.winner is not None and d.outcome != "unknown" else ""
        if d.outcome == "unknown" and not d.reason:
            d.reason = result.describe()
        return d, winner, result.describe()

    def tried_portfolio(self, since: int) -> bool:
        """Whether the portfolio left a goal open since log entry ``since`` (a case of a part's
        split it could not decide: the whole part, no easier, is not sent there again)."""
        return any(step == "portfolio" and outcome == "unknown" for step, outcome, _ in self.log[since:])

    def session(self, hyps) -> Z3Session:
        """The z3 session holding ``hyps`` (one per hypothesis list, kept for the part)."""
        key = tuple(hyps)
        hit = self._sessions.get(key)
        if hit is None:
            if len(self._sessions) > 8:
                self._sessions.clear()
            hit = self._sessions[key] = Z3Session(hyps)
        return hit

    def feasible(self, hyps) -> Callable[[list], bool]:
        """``conditions -> False`` only when z3 proves ``hyps and conditions`` empty, from the plain
        hypotheses alone (:func:`slim`: a smaller problem, decided in milliseconds where the
        conditions contradict the domain; a case it keeps that is empty is proved anyway)."""
        session = self.session(slim(hyps))

        def test(conds) -> bool:
            self.left_ms()  # OutOfTime ends the split
            key = (id(session), frozenset(conds))
            if key not in self._feasible:
                self._feasible[key] = not session.implies(conds, sp.false, FEASIBILITY_MS)
            return self._feasible[key]
        return test

    def holds(self, hyps, cond, ms: int = FEASIBILITY_MS) -> bool:
        """Whether z3 proves ``cond`` under ``hyps`` within ``ms`` (False: not shown)."""
        try:
            return decide(list(hyps), cond, ms, short=True).outcome == "proved"
        except NotEncodable:
            return False


class _MemoTranslator(_Translator):
    """z3 translation that translates each sub-expression once (a radical met twice gets one
    auxiliary variable: the same value).  Each translated term keeps the side conditions it
    brought (radical definitions, non-zero denominators) and whether it uses ``ite``, so a term
    met again in another formula brings them along: :meth:`formula` returns a formula's own."""

    def __init__(self):
        super().__init__()
        self._memo: dict = {}

    def term(self, e):
        hit = self._memo.get(e)
        if hit is None:
            mark, ite = len(self.side), self.uses_ite
            self.uses_ite = False
            value = super().term(e)
            hit = self._memo[e] = (value, self.side[mark:], self.uses_ite)
            self.uses_ite = ite or self.uses_ite
            return value
        value, side, ite = hit
        self.side += side
        self.uses_ite = self.uses_ite or ite
        return value

    def formula(self, b) -> tuple:
        """``(b in z3, its side conditions, whether it uses ite)``; raises :class:`NotEncodable`."""
        mark, ite = len(self.side), self.uses_ite
        self.uses_ite = False
        try:
            value = self.boolean(b)
            return value, self.side[mark:], self.uses_ite
        finally:
            del self.side[mark:]
            self.uses_ite = ite


class Z3Session:
    """``hyps`` translated to z3 once; each query gets a fresh solver (z3's nonlinear tactic is
    not incremental) with those assertions and its own.  A query's conditions are translated
    once per session (case splits ask about the same conditions many times), sub-expressions
    shared with the hypotheses and with other conditions by the same z3 terms.

    ``implies(conds, goal, ms)`` is True only when z3 shows ``hyps and conds and not goal``
    unsatisfiable within ``ms`` (denominators of the query non-zero, as in :func:`decide`); a
    ``short`` query gets the tactic that keeps to its timeout (:func:`symbolic.decide.solver_for`)."""

    def __init__(self, hyps):
        import z3
        self._z3 = z3
        self.tr = _MemoTranslator()
        self._translated: dict = {}
        try:
            self.base = [self.tr.boolean(h) for h in hyps]
            self.ok = True
        except NotEncodable:
            self.base, self.ok = [], False
        self.base_side, self.base_ite = list(self.tr.side), self.tr.uses_ite
        del self.tr.side[:]

    def _translate(self, cond) -> tuple | None:
        if cond not in self._translated:
            try:
                self._translated[cond] = self.tr.formula(cond)
            except NotEncodable:
                self._translated[cond] = None
        return self._translated[cond]

    def implies(self, conds, goal, ms: int, short: bool = True) -> bool:
        z3 = self._z3
        if not self.ok:
            return False
        parts = [self._translate(c) for c in [*conds, goal]]
        if None in parts:
            return False
        parts[-1] = (z3.Not(parts[-1][0]), *parts[-1][1:])
        signs = [v > 0 if s.is_positive else v >= 0 for s, v in self.tr.vars.items()
                 if s.is_positive or s.is_nonnegative]
        solver = solver_for(self.base_ite or any(p[2] for p in parts), short)
        solver.set("timeout", int(ms))
        side = {e.get_id(): e for p in parts for e in p[1]}
        solver.add(*self.base, *signs, *self.base_side, *side.values(), *(p[0] for p in parts))
        return solver.check() == z3.unsat


def slim(hyps) -> list:
    """The hypotheses free of ``Piecewise`` and radicals: fewer, simpler facts.  What follows from
    them follows from all the hypotheses, and nonlinear arithmetic often decides a goal from them
    at once that it cannot decide with the whole set."""
    return [h for h in hyps if not h.has(sp.Piecewise, sp.Min, sp.Max, sp.Abs)
            and not any(not a.exp.is_Integer for a in h.atoms(sp.Pow))]


def _word(d: Decision) -> str:
    return {"proved": "unsat", "refuted": "sat", "unknown": "unknown"}[d.outcome]


# ---------------------------------------------------------------------------------------------
def _implicit_atoms(expr: sp.Basic) -> list:
    from .implicit import ImplicitFunction
    return sorted({f for f in expr.atoms(sp.Function) if isinstance(f, ImplicitFunction)}, key=sp.default_sort_key)


def abstract_implicit(formula: sp.Basic, hyps: list) -> tuple[sp.Basic, list, list, list]:
    """Every implicit quantity in ``formula`` replaced by a fresh variable in its bracket.

    Returns ``(formula, bracket facts, defining equations G(v, a) = 0, descriptions)``;
    innermost quantities first (a bracket may use another implicit quantity)."""
    facts, defining, said = [], [], []
    k = 0
    while True:
        atoms = [f for f in _implicit_atoms(formula) if not _implicit_atoms(sp.Add(*f.args))]
        if not atoms:
            return formula, facts, defining, said
        sub = {}
        for f in atoms:
            lo, hi = f._bracket
            if lo is None or hi is None:
                raise NotEncodable(f"implicit quantity {type(f).__name__} without a bracket")
            k += 1
            v = sp.Symbol(f"_v{k}", real=True)
            args = {s: a for s, a in zip(f._params, f.args) if s != a}
            with sp.evaluate(False):  # large Piecewise expressions: no re-evaluation of every node
                lo, hi = lo.xreplace(args), hi.xreplace(args)
                residual = f._residual.xreplace({**args, f._var: v})
            lo_open, hi_open = f._open_ends
            facts += [v > lo if lo_open else v >= lo, v < hi if hi_open else v <= hi]
            defining.append(sp.Eq(residual, 0, evaluate=False))
            sub[f] = v
            said.append(f"{f._latex_name} by {v}")
        with sp.evaluate(False):  # no re-evaluation of the large formula's every node
            formula = formula.xreplace(sub)
        facts = [x.xreplace(sub) for x in facts]
        defining = [x.xreplace(sub) for x in defining]


def _mask_radicals(expr: sp.Basic, table: dict) -> sp.Basic:
    """``expr`` with each outermost radical replaced by a placeholder (``table``: placeholder -> radical)."""
    found = [p for p in expr.atoms(sp.Pow) if not p.exp.is_Integer]
    outer = [p for p in found if not any(p != q and q.has(p) for q in found)]
    sub = {}
    for p in outer:
        for k, v in table.items():
            if v == p:
                sub[p] = k
                break
        else:
            k = sp.Dummy(f"m{len(table)}")
            table[k] = p
            sub[p] = k
    return expr.xreplace(sub)


def _substitute_definitions(goal: sp.Basic, premises: list, variables: set) -> sp.Basic:
    """``goal`` with each premise ``E = 0`` that is linear in an abstraction variable ``v`` outside
    its radicals (numeric coefficient) used to eliminate ``v`` there: at the root ``v`` equals the
    rest, so replacing the occurrences of ``v`` outside radicals keeps the goal's truth value
    (the fixed point ``v = g(v)`` of a composed closed form becomes an identity in ``v``)."""
    table: dict = {}
    for eq in premises:
        if not isinstance(eq, sp.Eq):
            continue
        e = sp.expand(_mask_radicals(eq.lhs - eq.rhs, table))
        for v in sorted(variables & e.free_symbols, key=lambda x: x.name):
            coeff = e.coeff(v)
            rest = e - coeff * v
            if coeff.is_number and coeff != 0 and not rest.has(v):
                with sp.evaluate(False):  # no re-evaluation (assumption queries) of the large goal
                    goal = _mask_radicals(goal, table).xreplace({v: -rest / coeff}).xreplace(table)
                break
    with sp.evaluate(False):
        return goal.xreplace(table)


def _is_equation(f: sp.Basic) -> bool:
    return isinstance(f, sp.Eq)


def _clear(goal: sp.Basic, base: list, conds: list, prover: Prover) -> sp.Basic:
    """Relational atoms of ``goal`` with denominators of decided sign cleared (the sign decided by
    z3 from the plain hypotheses and the case's conditions)."""
    session = prover.session(slim(base))
    extra = slim(conds)

    def sign_of(den):
        if session.implies(extra, den > 0, FEASIBILITY_MS):
            return 1
        if session.implies(extra, den < 0, FEASIBILITY_MS):
            return -1
        return None
    if isinstance(goal, sp.Rel):
        return clear_denominators(goal, sign_of)
    return goal


def prove_rewritten(formula: sp.Basic, hyps: list, prover: Prover, budget_ms: int,
                    check: Callable | None, originals: set, limit: int = 64) -> Attempt:
    """Abstraction, case split, algebra and the solvers, in that order (module docstring).

    Implicit quantities are tried first with their brackets alone (what holds for every value
    in the bracket holds for the quantity), then with their defining equations as premises."""
    try:
        abstracted, imp_facts, defining, said = abstract_implicit(formula, hyps)
    except NotEncodable as exc:
        return Attempt("unknown", detail=str(exc))
    variables = {v for f in imp_facts for v in f.free_symbols if v.name.startswith("_v")}
    facts = list(imp_facts)
    (abstracted,), atom_facts, table = abstract_atoms([abstracted], lambda c: prover.holds(list(hyps) + facts, c))
    steps = []
    if table:
        shown = ", ".join(f"{a} by {v} with {', '.join(str(f) for f in atom_facts if f.has(v)) or 'no bound'}"
                          for v, a in table.items())
        steps.append(f"transcendental atoms abstracted ({shown})")
        facts += atom_facts
    base = list(hyps) + facts
    if not said:
        return _cases(abstracted, base, variables, steps, prover, budget_ms, check, originals, limit)
    first = _cases(abstracted, base, variables, [f"implicit quantities abstracted ({'; '.join(said)}, in their "
                                                 "brackets)"] + steps,
                   prover, budget_ms, check, originals, limit, identities_only=True)
    if first.status == "proved":
        first.method = first.method.replace("implicit quantities abstracted", "implicit quantities bounded by "
                                                                              "their brackets")
        return first
    if not _is_equation(abstracted):
        # the defining equations serve identities (the fixed point substituted: v = g(v)); an
        # inequality that fails for some value in the bracket is left to the other procedures
        return Attempt("unknown", detail=f"with the brackets only: {first.detail}")
    with_eqs = sp.Implies(sp.And(*defining), abstracted)
    second = _cases(with_eqs, base, variables, [f"implicit quantities abstracted ({'; '.join(said)}, in their "
                                                "brackets, with their defining equations)"] + steps,
                    prover, budget_ms, check, originals, limit)
    if second.status == "proved":
        second.method = second.method.replace("implicit quantities abstracted", "implicit quantities by their "
                                                                                "defining equations")
        return second
    return Attempt("unknown", detail=f"with the brackets only: {first.detail}; with the defining equations: "
                                     f"{second.detail}")


def _cases(formula, base, variables, steps, prover, budget_ms, check, originals, limit,
           identities_only: bool = False) -> Attempt:
    steps = list(steps)
    has_cases = formula.has(sp.Piecewise, sp.Min, sp.Max, sp.Abs)
    try:
        cases = split_cases(formula, prover.feasible(base) if has_cases else None, limit=limit)
    except TooManyCases as exc:
        return Attempt("unknown", detail=f"{'; '.join(steps + [''])}case split: {exc}")
    except OutOfTime:
        return Attempt("unknown", detail=f"{'; '.join(steps + [''])}case split stopped: the procedures' allowance "
                                         f"of {PROCEDURE_SECONDS:g} s per part is spent")
    if has_cases:
        steps.append(f"case split ({len(cases)} feasible case{'s' if len(cases) != 1 else ''})")
    tags: list[str] = []
    said_all = []
    for i, case in enumerate(cases, 1):
        goal = case.formula
        case_hyps = base + case.conditions
        try:
            left = prover.left_ms()
        except OutOfTime:
            return Attempt("unknown", detail=f"{'; '.join(steps + [''])}stopped at case {i} of {len(cases)}: the "
                                             f"procedures' allowance of {PROCEDURE_SECONDS:g} s per part is spent")
        if goal is sp.true:
            tags.append("trivial")
            continue
        target = goal
        if isinstance(goal, sp.Implies):
            premises = list(goal.args[0].args) if isinstance(goal.args[0], sp.And) else [goal.args[0]]
            target = _substitute_definitions(goal.args[1], premises, variables)
        if _is_equation(target):
            (diff,), defs, _ = radicals(target.lhs - target.rhs)
            if vanishes_modulo(diff, defs):
                tags.append("algebraic reduction modulo radicals" if defs else "algebraic identity")
                continue
            if identities_only and target.free_symbols & variables:
                # an equation in a free abstraction variable that is no identity: only an empty
                # case could save it, and the plain check below is the cheap test of that
                if prover.session(slim(base)).implies(slim(case.conditions), sp.false, 2 * FEASIBILITY_MS):
                    tags.append("z3 decision procedure")
                    continue
                return Attempt("unknown", detail=f"{'; '.join(steps)}: case {i} of {len(cases)} is no identity in "
                                                 "the abstracted quantity")
        goal = _clear(goal, base, case.conditions, prover)
        where = f"case {i} of {len(cases)}: " if has_cases else ""
        if prover.session(slim(base)).implies(slim(case.conditions), goal, 2 * FEASIBILITY_MS):
            tags.append("z3 decision procedure")  # from the plain hypotheses alone
            said_all.append(f"{where}z3 (in process, plain hypotheses only) unsat")
            continue
        try:
            d, winner, said = prover.decide(case_hyps, goal, min(budget_ms, CASE_BUDGET_MS, left),
                                            check=_restricted(check, originals), split=(base, case.conditions))
        except NotEncodable as exc:
            return Attempt("unknown", detail=f"{'; '.join(steps + [''])}{where}not polynomial after the rewriting "
                                             f"({exc})")
        said_all.append(f"{where}{said}")
        if d.outcome == "proved":
            tags.append(f"{winner} decision procedure")
            continue
        if d.outcome == "refuted":
            cx = {k: v for k, v in d.counterexample.items() if k in originals}
            return Attempt("refuted", " + ".join([*_short(steps), f"{winner} + exact substitution"]),
                           f"{where}counterexample confirmed by exact substitution", cx)
        return Attempt("unknown", detail=f"{'; '.join(steps) or 'no rewriting applied'}: {where}undecided ({said})")
    method = " + ".join([*_short(steps), *dict.fromkeys(tags)]) or "rewriting"
    detail = "; ".join(steps + ([f"solvers: {'; '.join(said_all)}"] if said_all else []))
    return Attempt("proved", method, detail or "every case proved")


def _short(steps: list[str]) -> list[str]:
    return [s.split(" (")[0] for s in steps]


def _restricted(check, originals: set):
    """The violation check applied to the original parameters only (abstraction variables
    are no part of a counterexample; a point that is not one in the original is rejected)."""
    if check is None:
        return None

    def inner(point: dict) -> bool:
        return check({k: v for k, v in point.items() if k in originals})
    return inner


# ---------------------------------------------------------------------------------------------
def prove_implicit_monotone(formula: sp.Basic, hyps: list, prover: Prover, budget_ms: int) -> Attempt | None:
    r"""A relation between one implicit quantity and an expression free of it, proved by
    monotonicity (module docstring).  None when the formula is not of that shape."""
    if not isinstance(formula, sp.Rel) or formula.rel_op in ("==", "!="):
        return None
    atoms = _implicit_atoms(formula)
    if len(atoms) != 1:
        return None
    f = atoms[0]
    lhs, rhs, op = formula.lhs, formula.rhs, formula.rel_op
    if lhs.has(f) and not rhs.has(f) and lhs == f:
        c = rhs
    elif rhs.has(f) and not lhs.has(f) and rhs == f:
        c, op = lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
    else:
        return None
    args = {s: a for s, a in zip(f._params, f.args)}
    G = f._residual.xreplace(args)
    w = f._var
    lo, hi = (b.xreplace(args) for b in f._bracket)
    dG = sp.diff(G, w)
    inside = list(hyps) + [w >= lo, w <= hi]
    sign = None
    for s, cond in ((1, dG > 0), (-1, dG < 0)):
        sub = prove_rewritten(cond, inside, prover, budget_ms, None, set())
        if sub.status == "proved":
            sign = s
            break
    if sign is None:
        return Attempt("unknown", detail=f"the sign of dG/d{w} on the bracket is not decided")
    # v <= c  <=  c >= hi, or c in the bracket and sign*G(c) >= 0 (G past the root has the sign 'sign')
    Gc = G.xreplace({w: c})
    if op in ("<=", "<"):
        goal = sp.Or(c >= hi if op == "<=" else c > hi, sp.And(c >= lo, sign * Gc >= 0 if op == "<=" else sign * Gc > 0))
    else:
        goal = sp.Or(c <= lo if op == ">=" else c < lo, sp.And(c <= hi, sign * Gc <= 0 if op == ">=" else sign * Gc < 0))
    sub = prove_rewritten(goal, list(hyps), prover, budget_ms, None, set())
    if sub.status != "proved":
        return Attempt("unknown", detail=f"G monotone in {w} (sign {sign:+d}) but the comparison at the bound is "
                                         f"undecided ({sub.detail})")
    return Attempt("proved", f"implicit function theorem + monotonicity ({sub.method})",
                   f"dG/d{w} has sign {sign:+d} on the bracket, so {f._latex_name} {op} {c} iff G({c}) compares so")
