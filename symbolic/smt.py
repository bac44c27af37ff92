r"""SymPy -> SMT-LIB, and a portfolio of SMT solvers deciding it side by side.

:func:`encode` writes ``hypotheses and not goal`` as an SMT-LIB 2.6 script over the reals (the same
translation as :mod:`symbolic.decide`: ``+ - * /``, integer powers, square roots through an
auxiliary :math:`y \ge 0,\ y^2 = u`, ``Min``/``Max``/``Abs``/``Piecewise`` as ``ite``, the Boolean
connectives; every denominator met is asserted non-zero, so a claim is decided where it is
defined).  Any solver that reads SMT-LIB can decide the script; two are wired in:

* ``z3`` (``z3-solver``): the script is parsed by ``z3.parse_smt2_string``;
* ``cvc5`` (PyPI ``cvc5``): its own SMT-LIB parser, nonlinear real arithmetic by cylindrical
  algebraic coverings -- it decides some problems on which z3's ``nlsat`` runs out of time and
  the other way round.

:func:`portfolio` runs the solvers in child processes (``fork``) within one time budget; the
first *definitive* answer (``unsat`` or ``sat``) wins and the others are stopped.  Every solver's
answer (or that it was stopped) is recorded, so a verdict can say which solver decided it and
what the other said.  A ``sat`` model is turned into exact rationals; the caller re-checks it by
exact substitution before calling it a counterexample (:func:`decide_smt`).

``GT_DERIVATIONS_SOLVERS`` (comma-separated, default ``z3,cvc5``) chooses the solvers; a solver
whose module cannot be imported is left out (and said so in :func:`available`).
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterable

import sympy as sp

from .decide import Decision, NotEncodable, factors, piecewise_chain, simplify_point, solver_for

#: The solvers this module can run, in the order they are listed in a verdict's detail.
SOLVERS = ("z3", "cvc5")


# ---------------------------------------------------------------------------------------------
# SymPy -> SMT-LIB
# ---------------------------------------------------------------------------------------------
def _num(value: Fraction) -> str:
    """An SMT-LIB real constant (decimal numerals are reals in every logic)."""
    p, q = value.numerator, value.denominator
    text = f"{abs(p)}.0" if q == 1 else f"(/ {abs(p)}.0 {q}.0)"
    return f"(- {text})" if p < 0 else text


class SmtTranslator:
    """SymPy terms and conditions as SMT-LIB text; side conditions collected in :attr:`side`."""

    def __init__(self):
        self.vars: dict[sp.Symbol, str] = {}
        self.aux: list[str] = []
        self.side: list[str] = []
        self.uses_ite = False
        self._memo: dict = {}

    def var(self, s: sp.Symbol) -> str:
        if s not in self.vars:
            if "|" in s.name or "\\" in s.name:
                raise NotEncodable(f"symbol name {s.name!r}")
            self.vars[s] = f"|{s.name}|"
        return self.vars[s]

    def fresh(self) -> str:
        name = f"|__aux{len(self.aux) + 1}|"
        self.aux.append(name)
        return name

    def term(self, e: sp.Basic) -> str:
        key = e
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        out = self._term(e)
        self._memo[key] = out
        return out

    def _nonzero(self, t: str) -> None:
        self.side.append(f"(not (= {t} 0.0))")

    def _term(self, e: sp.Basic) -> str:
        if e.is_Symbol:
            return self.var(e)
        if e.is_Rational:
            return _num(Fraction(int(e.p), int(e.q)))
        if e.is_Float:
            return _num(Fraction(str(e)))
        if e.is_Add:
            return "(+ " + " ".join(self.term(a) for a in e.args) + ")"
        if e.is_Mul:
            num, den = [], []
            for a, below in factors(e):
                (den if below else num).append(self.term(a))
            top = num[0] if len(num) == 1 else ("(* " + " ".join(num) + ")") if num else "1.0"
            for d in den:
                self._nonzero(d)
                top = f"(/ {top} {d})"
            return top
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                k = int(ex)
                if k == 0:
                    return "1.0"
                b = self.term(base)
                pos = b if abs(k) == 1 else "(* " + " ".join([b] * abs(k)) + ")"
                if k > 0:
                    return pos
                self._nonzero(b)
                return f"(/ 1.0 {pos})"
            if ex == sp.Rational(1, 2) or ex == sp.Rational(-1, 2):
                b = self.term(base)
                y = self.fresh()
                self.side += [f"(>= {y} 0.0)", f"(= (* {y} {y}) {b})", f"(>= {b} 0.0)"]
                if ex > 0:
                    return y
                self._nonzero(y)
                return f"(/ 1.0 {y})"
            raise NotEncodable(f"power {e}")
        if isinstance(e, (sp.Min, sp.Max)):
            self.uses_ite = True
            terms = [self.term(a) for a in e.args]
            acc = terms[0]
            op = "<" if isinstance(e, sp.Min) else ">"
            for t in terms[1:]:
                acc = f"(ite ({op} {t} {acc}) {t} {acc})"
            return acc
        if isinstance(e, sp.Abs):
            self.uses_ite = True
            t = self.term(e.args[0])
            return f"(ite (>= {t} 0.0) {t} (- {t}))"
        if isinstance(e, sp.Piecewise):
            self.uses_ite = True
            otherwise, branches = piecewise_chain(e)
            acc = self.term(otherwise)
            for expr, cond in branches:
                acc = f"(ite {self.boolean(cond)} {self.term(expr)} {acc})"
            return acc
        raise NotEncodable(f"{type(e).__name__} in {e}")

    def boolean(self, b: sp.Basic) -> str:
        if b is sp.true or b == sp.true:
            return "true"
        if b is sp.false or b == sp.false:
            return "false"
        if isinstance(b, sp.And):
            return "(and " + " ".join(self.boolean(a) for a in b.args) + ")"
        if isinstance(b, sp.Or):
            return "(or " + " ".join(self.boolean(a) for a in b.args) + ")"
        if isinstance(b, sp.Not):
            return f"(not {self.boolean(b.args[0])})"
        if isinstance(b, sp.Implies):
            return f"(=> {self.boolean(b.args[0])} {self.boolean(b.args[1])})"
        if isinstance(b, sp.Equivalent):
            parts = [self.boolean(a) for a in b.args]
            return "(and " + " ".join(f"(= {parts[0]} {p})" for p in parts[1:]) + ")"
        if isinstance(b, sp.Xor):
            parts = [self.boolean(a) for a in b.args]
            return f"(xor {parts[0]} {parts[1]})" if len(parts) == 2 else "(not (and " + " ".join(parts) + "))"
        if isinstance(b, sp.Rel):
            lhs, rhs = self.term(b.lhs), self.term(b.rhs)
            op = b.rel_op
            if op == "!=":
                return f"(not (= {lhs} {rhs}))"
            return f"({op if op != '==' else '='} {lhs} {rhs})"
        raise NotEncodable(f"{type(b).__name__} in {b}")


@dataclass
class Encoding:
    """``hypotheses and not goal`` as an SMT-LIB script; :attr:`names` maps SMT names to symbols."""

    script: str
    names: dict[str, sp.Symbol]
    uses_ite: bool


def encode(hypotheses: Iterable[sp.Basic], goal: sp.Basic) -> Encoding:
    """The SMT-LIB script whose unsatisfiability proves ``hypotheses => goal``.

    A symbol's own SymPy sign assumptions are asserted too (``w > 0`` for a positive ``w`` is
    ``True`` as soon as it is built, so it would otherwise reach the solver as no constraint).
    Raises :class:`NotEncodable` when the formulas leave polynomial arithmetic."""
    tr = SmtTranslator()
    hyps = [tr.boolean(h) for h in hypotheses]
    neg = f"(not {tr.boolean(goal)})"
    signs = [f"(> {tr.vars[s]} 0.0)" if s.is_positive else f"(>= {tr.vars[s]} 0.0)" for s in tr.vars
             if s.is_positive or s.is_nonnegative]
    lines = ["(set-logic QF_NRA)"]
    lines += [f"(declare-fun {n} () Real)" for n in [*tr.vars.values(), *tr.aux]]
    lines += [f"(assert {a})" for a in [*hyps, *signs, *dict.fromkeys(tr.side), neg]]
    lines.append("(check-sat)")
    return Encoding("\n".join(lines) + "\n", {n.strip("|"): s for s, n in tr.vars.items()}, tr.uses_ite)


# ---------------------------------------------------------------------------------------------
# The solvers: each returns (outcome 'unsat' | 'sat' | 'unknown', {name: Fraction} | None, reason)
# ---------------------------------------------------------------------------------------------
def _run_z3(enc: Encoding, timeout_ms: int):
    import z3

    ctx = z3.Context()
    body = "\n".join(line for line in enc.script.splitlines() if not line.startswith(("(set-logic", "(check-sat")))
    assertions = z3.parse_smt2_string(body, ctx=ctx)
    solver = solver_for(enc.uses_ite, ctx=ctx)  # the general solver: this child has the rest of the budget
    solver.set("timeout", int(timeout_ms))
    solver.add(assertions)
    res = solver.check()
    if res == z3.unsat:
        return "unsat", None, ""
    if res == z3.unknown:
        return "unknown", None, solver.reason_unknown()
    model = solver.model()
    point = {}
    for decl in model.decls():
        name = decl.name()
        if name in enc.names:
            v = model.eval(decl(), model_completion=True)
            if z3.is_rational_value(v):
                point[name] = Fraction(v.numerator_as_long(), v.denominator_as_long())
            elif z3.is_algebraic_value(v):
                a = v.approx(30)
                point[name] = Fraction(a.numerator_as_long(), a.denominator_as_long())
    return "sat", point, ""


def _run_cvc5(enc: Encoding, timeout_ms: int):
    import cvc5

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("produce-models", "true")
    solver.setOption("tlimit-per", str(int(timeout_ms)))
    parser = cvc5.InputParser(solver)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, enc.script, "goal")
    symbols = parser.getSymbolManager()
    answer = ""
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        answer = cmd.invoke(solver, symbols) or answer
    answer = answer.strip()
    if answer == "unsat":
        return "unsat", None, ""
    if answer != "sat":
        return "unknown", None, answer or "no answer"
    point = {}
    for t in symbols.getDeclaredTerms():
        name = str(t).strip("|")
        if name not in enc.names:
            continue
        v = solver.getValue(t)
        if v.isRealValue():
            point[name] = Fraction(v.getRealValue())
        elif v.isRealAlgebraicNumber():
            lo = v.getRealAlgebraicNumberLowerBound()
            hi = v.getRealAlgebraicNumberUpperBound()
            point[name] = (Fraction(lo.getRealValue()) + Fraction(hi.getRealValue())) / 2
    return "sat", point, ""


RUNNERS: dict[str, Callable] = {"z3": _run_z3, "cvc5": _run_cvc5}


def available() -> tuple[str, ...]:
    """The solvers configured (``GT_DERIVATIONS_SOLVERS``) whose module imports."""
    wanted = [s.strip() for s in os.environ.get("GT_DERIVATIONS_SOLVERS", ",".join(SOLVERS)).split(",") if s.strip()]
    out = []
    for name in wanted:
        if name not in RUNNERS:
            continue
        try:
            __import__(name)
        except ImportError:
            continue
        out.append(name)
    return tuple(out)


@dataclass
class Answer:
    """One solver's answer: ``unsat``, ``sat``, ``unknown``, ``error`` or ``stopped``."""

    solver: str
    outcome: str
    seconds: float
    reason: str = ""
    model: dict | None = None

    def describe(self) -> str:
        """``cvc5 unsat``, ``z3 unknown (timeout)`` ... (no timings: verdicts must not depend on the clock)."""
        extra = f" ({self.reason})" if self.reason and self.outcome in ("unknown", "error", "stopped") else ""
        return f"{self.solver} {self.outcome}{extra}"


@dataclass
class PortfolioResult:
    """The winning answer (``None`` when no solver answered definitively) and every solver's."""

    winner: Answer | None
    answers: list[Answer] = field(default_factory=list)

    def describe(self) -> str:
        return "; ".join(a.describe() for a in self.answers)


def _child(name: str, enc: Encoding, timeout_ms: int, fd: int) -> None:
    t = time.perf_counter()
    try:
        outcome, model, reason = RUNNERS[name](enc, timeout_ms)
        msg = (outcome, time.perf_counter() - t, reason, model)
    except Exception as exc:  # a solver's own error is an answer too (never a verdict)
        msg = ("error", time.perf_counter() - t, f"{type(exc).__name__}: {exc}"[:200], None)
    data = pickle.dumps(msg)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _spawn(name: str, enc: Encoding, timeout_ms: int) -> tuple[int, int]:
    """Fork a child running one solver; returns (pid, read end of its pipe)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave without any clean-up of the parent's
        code = 0
        try:
            os.close(r)
            _child(name, enc, timeout_ms, w)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _collect(name: str, pid: int, fd: int, start: float) -> Answer:
    data = _read_all(fd)
    os.close(fd)
    os.waitpid(pid, 0)
    try:
        outcome, seconds, reason, model = pickle.loads(data)
    except Exception:
        outcome, seconds, reason, model = "error", time.perf_counter() - start, "the solver's process died", None
    return Answer(name, outcome, seconds, reason, model)


def portfolio(enc: Encoding, timeout_ms: int, solvers: Iterable[str] | None = None) -> PortfolioResult:
    """Run ``solvers`` (default :func:`available`) on ``enc`` side by side in child processes.

    Each child gets the whole budget as its own time limit; the parent takes the first
    ``unsat``/``sat`` and stops the rest (and any child still running a quarter of a second past the
    budget: z3's nonlinear search notices its limit late)."""
    names = list(available() if solvers is None else solvers)
    if not names:
        return PortfolioResult(None, [])
    start = time.perf_counter()
    running = {}
    for name in names:
        pid, fd = _spawn(name, enc, timeout_ms)
        running[fd] = (name, pid)
    answers: dict[str, Answer] = {}
    winner = None
    deadline = start + timeout_ms / 1000 + 0.25
    try:
        while running and winner is None:
            ready, _, _ = select.select(list(running), [], [], max(0.0, deadline - time.perf_counter()))
            if not ready:
                break
            for fd in ready:
                name, pid = running.pop(fd)
                answers[name] = _collect(name, pid, fd, start)
            definitive = [answers[n] for n in names if n in answers and answers[n].outcome in ("unsat", "sat")]
            if definitive and running:
                # a short grace for the others, so that two solvers finishing together give the same
                # winner every run (the first in SOLVERS order), not whichever the scheduler favoured
                grace = min(0.25, 0.5 * (time.perf_counter() - start)) + 0.02
                for fd in select.select(list(running), [], [], grace)[0]:
                    name, pid = running.pop(fd)
                    answers[name] = _collect(name, pid, fd, start)
                definitive = [answers[n] for n in names if n in answers and answers[n].outcome in ("unsat", "sat")]
            if definitive:
                winner = definitive[0]
    finally:
        for fd, (name, pid) in running.items():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
            why = f"{winner.solver} answered first" if winner is not None else "out of time"
            answers[name] = Answer(name, "stopped", time.perf_counter() - start, why)
    return PortfolioResult(winner, [answers[n] for n in names if n in answers])


def decide_smt(hypotheses: Iterable[sp.Basic], goal: sp.Basic, timeout_ms: int = 10000,
               check: Callable[[dict], bool] | None = None,
               solvers: Iterable[str] | None = None) -> tuple[Decision, PortfolioResult]:
    """Decide ``hypotheses => goal`` with the portfolio (see :func:`symbolic.decide.decide`).

    Returns the decision and every solver's answer.  A ``sat`` model is converted to exact
    rationals, rounded to simple nearby rationals that still violate the goal and re-checked by
    ``check`` (exact substitution) before it is a counterexample."""
    enc = encode(hypotheses, goal)
    result = portfolio(enc, timeout_ms, solvers)
    win = result.winner
    if win is None:
        return Decision("unknown", reason=result.describe() or "no SMT solver available"), result
    if win.outcome == "unsat":
        return Decision("proved", reason=result.describe()), result
    point = {sym: sp.Rational(0) for sym in enc.names.values()}
    for name, value in (win.model or {}).items():
        point[enc.names[name]] = sp.Rational(value.numerator, value.denominator)
    if check is None:
        return Decision("refuted", point, result.describe()), result
    simpler = simplify_point(point, check)
    if simpler is not None:
        return Decision("refuted", simpler, result.describe()), result
    return Decision("unknown", reason=f"{win.solver} found a violating point but it did not survive exact "
                                      "re-checking"), result
