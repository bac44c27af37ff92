r"""Verdicts on claims: symbolic first, then a decision procedure, then sampling.

For each part :math:`P` of a claim, with hypotheses :math:`H` (the domain and the part's
``given``):

1. **symbolic** -- an equality is proved when ``simplify(lhs - rhs)`` is 0; an inequality
   :math:`a > b` when :func:`sympy.ask` answers True for :math:`Q.positive(a - b)` under the
   domain's facts.  ``ask`` answering None means *unknown*, never false.
2. **decision procedure** -- :func:`symbolic.decide.decide` (z3, nonlinear real arithmetic):
   unsat of :math:`H \wedge \neg P` proves :math:`P`; a model is a counterexample once exact
   substitution confirms it.  With the proof procedures on (:func:`symbolic.proofs.procedures_enabled`)
   z3 runs briefly in process; a part still open whose samples show no violation goes to the
   rewriting procedures of :mod:`symbolic.proofs` (case splits, radicals, implicit quantities,
   intervals), and only then, if none of its cases already went there, to the solver portfolio
   (:mod:`symbolic.smt`) for the rest of its budget.
3. **numeric** -- :math:`N` seeded draws from :math:`H`; a violation beyond the tolerance is
   converted to rationals and confirmed by exact substitution before it refutes.  Without a
   violation the verdict is *checked* (numerically only), and the reason no proof was found is
   recorded.

The numeric stage also runs after a proof, as a guard: a proved part that fails at a sample
point means the toolkit is wrong, and the verdict says so instead of claiming a proof; a proved
part whose hypotheses cannot be sampled because z3 shows them unsatisfiable is *vacuous* and is
reported ``unknown`` (method ``vacuous``) instead.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np
import sympy as sp

from .claims import Claim, Computed, DerivativeSign, Equal, Equivalent, Holds, Proposition
from .decide import NotEncodable, decide, simplify_point
from .domain import Q_OF, Domain
from .intervals_iv import certainly, prove_by_intervals
from .numeric import NumericFunction, nodes, numeric_derivative, truth_with_margin
from .proofs import Attempt, Prover, procedures_enabled, prove_implicit_monotone, prove_rewritten

STATUSES = ("proved", "refuted", "checked", "not_encodable", "unknown")


@dataclass
class Settings:
    """Verification knobs: draws, seed, numeric tolerance, z3 time budget per part (ms)."""

    samples: int = 2000
    seed: int = 0
    tol: float = 1e-9
    timeout_ms: int = 10000


#: How a numeric check that drew no points begins its detail (a proof under such hypotheses may be vacuous).
NO_DRAWS = "could not sample the hypotheses"


@dataclass
class PartVerdict:
    """The verdict on one proposition."""

    label: str
    status: str
    method: str
    detail: str = ""
    counterexample: dict | None = None
    samples: int | None = None
    max_error: float | None = None


@dataclass
class Verdict:
    """The verdict on a claim (JSON keys as documented in the README)."""

    model: str
    claim: str
    status: str
    method: str
    detail: str
    counterexample: dict | None
    samples: int | None
    max_error: float | None
    statement: str = ""
    parts: list[PartVerdict] = field(default_factory=list)
    repair: "Verdict | None" = None

    def as_json(self) -> dict:
        """The documented keys, JSON-ready (counterexample values as numbers)."""
        cx = None
        if self.counterexample is not None:
            cx = {k: _json_number(v) for k, v in self.counterexample.items()}
        return {"model": self.model, "claim": self.claim, "status": self.status,
                "method": self.method, "detail": self.detail, "counterexample": cx,
                "samples": self.samples,
                "max_error": None if self.max_error is None else float(self.max_error),
                "parts": [{"label": q.label, "status": q.status, "method": q.method, "samples": q.samples}
                          for q in self.parts]}


def _json_number(v):
    r = sp.Rational(v)
    return int(r) if r.q == 1 else float(r)


def exact_str(point: dict) -> str:
    """``s=1/10, a_J=0`` -- a counterexample written exactly."""
    return ", ".join(f"{k}={v}" for k, v in point.items())


# ---------------------------------------------------------------------------------------
class PartVerifier:
    """Verifies propositions over one domain; ``expand`` substitutes defined symbols."""

    def __init__(self, domain: Domain, expand: Callable[[sp.Basic], sp.Basic], settings: Settings):
        self.domain = domain
        self.expand = expand
        self.settings = settings
        self._draws: dict = {}  # the last few samples, by hypotheses and parameters
        self._emptiness: dict = {}  # hypotheses -> whether z3 showed them empty
        self.prover = Prover()

    # -- helpers -----------------------------------------------------------------------------
    def _hypotheses(self, prop: Proposition, formula=None) -> tuple[list[sp.Basic], list[sp.Basic]]:
        given = [self.expand(g) for g in prop.given]
        symbols = set() if formula is None else set(formula.free_symbols)
        for g in given:
            symbols |= g.free_symbols
        if isinstance(prop, DerivativeSign):
            symbols |= {prop.wrt} | self.expand(prop.function).free_symbols
        return self.domain.conditions(symbols), given

    def _is_violation(self, formula, hyps) -> Callable[[dict], bool]:
        # an implicitly defined quantity has no exact value at a rational point (SymPy would compare
        # its floating-point root): the violation is confirmed with a certified enclosure of its root
        # instead (symbolic.intervals_iv.certainly)
        def truth(e):
            return certainly(e) if _implicit(e) else _truth(e)

        def check(point: dict) -> bool:
            try:
                # xreplace: the keys are plain symbols, and it is much faster than subs on large
                # Piecewise expressions (conditions with numbers collapse as nodes are rebuilt)
                for h in hyps:
                    # a condition on parameters the point does not mention at all constrains
                    # nothing here (a numeric search draws only the parameters the part uses)
                    if h.free_symbols and not h.free_symbols & point.keys():
                        continue
                    if truth(h.xreplace(point)) is not True:
                        return False
                return truth(formula.xreplace(point)) is False
            except (TypeError, ValueError, ZeroDivisionError):
                return False
        return check

    def _empty(self, hyps) -> bool:
        """True when z3 shows that no point satisfies ``hyps`` (a part about no point is vacuous);
        remembered, since parts under the same hypotheses ask again."""
        key = tuple(hyps)
        if key not in self._emptiness:
            try:
                self._emptiness[key] = decide(hyps, sp.false, 10000).outcome == "proved"
            except NotEncodable:
                self._emptiness[key] = False
        return self._emptiness[key]

    def _with_solved(self, point: dict, solved: dict) -> dict:
        """A counterexample with the parameters eliminated by equality hypotheses put back."""
        if not solved:
            return point
        values = {self.domain[k].symbol: sp.sympify(v) for k, v in point.items()}
        out = dict(point)
        for sym, expr in solved.items():
            out[sym.name] = sp.nsimplify(expr.xreplace(values))
        return {s.name: out[s.name] for s in self.domain.order({self.domain[k].symbol for k in out})}

    def _relevant(self, point: dict, formula, given) -> dict:
        syms = set(formula.free_symbols)
        for g in given:
            syms |= g.free_symbols
        return {s.name: point[s] for s in self.domain.order(syms) if s in point}

    # -- the pipeline ------------------------------------------------------------------------
    def verify(self, prop: Proposition) -> PartVerdict:
        if isinstance(prop, Computed):
            status, detail, cx = prop.run()
            return PartVerdict(prop.label, status, prop.method, detail, cx)
        if isinstance(prop, Equivalent) and sp.sympify(prop.left) == sp.sympify(prop.right) and \
                sp.sympify(prop.left) not in (sp.true, sp.false):
            return PartVerdict(prop.label, "proved", "symbolic", "both sides are the same condition (a derived "
                               "condition equal to the one stated)")
        written = prop.formula
        if isinstance(prop, (Holds, Equivalent)) and (written is sp.true or written is sp.false):
            return PartVerdict(prop.label, "unknown", "vacuous",
                               f"{'true' if written is sp.true else 'false'} as written (SymPy evaluated it when it "
                               "was built): it states nothing about the model; write the comparison so that it "
                               "keeps its sides (e.g. with evaluate=False, or compare quantities)")
        formula = self.expand(prop.formula)
        domain_hyps, given = self._hypotheses(prop, formula)
        solved = {}
        if not isinstance(prop, DerivativeSign):
            formula, given, solved = self._eliminate_equalities(formula, given)
        hyps = domain_hyps + given
        check = self._is_violation(formula, hyps)
        label = prop.label
        verdict = None
        why_not = []

        # with the procedures on, the portfolio on the whole part waits until they have failed:
        # what they prove (a case split, an algebraic identity) they prove faster than the solvers
        defer = procedures_enabled() and not isinstance(prop, DerivativeSign)
        deferred = False
        if self._symbolic(prop, formula, given):
            verdict = PartVerdict(label, "proved", "symbolic",
                                  "simplify(lhs - rhs) = 0" if isinstance(prop, Equal)
                                  else "sympy ask under the domain's assumptions")
        else:
            why_not.append("symbolic simplification inconclusive")
            budget = getattr(prop, "timeout_ms", None)  # a part may carry its own z3 budget
            budget = self.settings.timeout_ms if budget is None else budget
            try:
                d, winner, said = self.prover.decide(hyps, formula, budget, check=check, portfolio=not defer)
                deferred = defer and self.prover.has_rest(d, budget)
                ran = "then" in said  # the portfolio ran after z3's first pass
                verdict = self._decided(label, d, winner, said if ran else "", formula, given, solved)
                if verdict is None:
                    why_not.append(said if ran else (d.reason or "z3 returned unknown"))
            except NotEncodable as exc:
                why_not.append(f"not polynomial/rational for z3 ({exc})")

        numeric = self._numeric(prop, formula, given, check)
        if numeric.counterexample:
            numeric.counterexample = self._with_solved(numeric.counterexample, solved)
        if verdict is None and numeric.status != "refuted" and defer:
            logged = len(self.prover.log)
            attempt = self._procedures(formula, hyps, budget, check)
            # a piece of the part (a case of its split) the portfolio left open leaves the whole open too
            deferred = deferred and not self.prover.tried_portfolio(logged)
            if attempt.status == "proved":
                verdict = PartVerdict(label, "proved", attempt.method, attempt.detail)
            elif attempt.status == "refuted":
                cx = self._with_solved(self._relevant(attempt.counterexample, formula, given), solved)
                verdict = PartVerdict(label, "refuted", attempt.method,
                                      f"counterexample {exact_str(cx)} confirmed by exact substitution "
                                      f"({attempt.detail})", counterexample=cx)
            else:
                why_not.append(f"rewriting (abstraction, case split, radicals, denominators): {attempt.detail}")
            if verdict is None and deferred:
                d, winner, said = self.prover.rest(hyps, formula, budget, check=check)
                said = f"the whole part on the portfolio: {said}"
                verdict = self._decided(label, d, winner, said, formula, given, solved)
                if verdict is None:
                    why_not.append(said)
        if verdict is None:
            if numeric.status == "checked":
                numeric.detail = f"{numeric.detail}; no proof: {'; '.join(why_not)}"
            return numeric
        verdict.samples, verdict.max_error = numeric.samples, numeric.max_error
        if verdict.status == "proved" and numeric.status == "refuted":
            return PartVerdict(label, "unknown", "inconsistent",
                               f"INTERNAL INCONSISTENCY: proved ({verdict.method}) but sampling found "
                               f"{exact_str(numeric.counterexample)}", numeric.counterexample,
                               numeric.samples, numeric.max_error)
        if verdict.status == "proved" and numeric.detail.startswith(NO_DRAWS):
            if self._empty(hyps):
                return PartVerdict(label, "unknown", "vacuous",
                                   f"the hypotheses are empty (z3: unsatisfiable), so the {verdict.method} proof "
                                   "says nothing")
            verdict.detail += f"; the sample check did not run ({numeric.detail})"
        return verdict

    def _decided(self, label, d, winner, said, formula, given, solved) -> PartVerdict | None:
        """The verdict of a solver's decision (None when it is undecided), with what the
        solvers ``said`` in its detail (empty: nothing worth recording)."""
        said = f" ({said})" if said else ""
        if d.outcome == "proved":
            return PartVerdict(label, "proved", f"{winner} decision procedure",
                               "negation unsatisfiable over the domain" + said)
        if d.outcome == "refuted":
            cx = self._with_solved(self._relevant(d.counterexample, formula, given), solved)
            return PartVerdict(label, "refuted", f"{winner} + exact substitution",
                               f"counterexample {exact_str(cx)} confirmed by exact substitution" + said,
                               counterexample=cx)
        return None

    def _procedures(self, formula, hyps, budget: int, check) -> Attempt:
        """The procedures beyond the direct decision (:mod:`symbolic.proofs`): monotonicity of an
        implicit quantity, then abstraction, case split, algebra and the solvers, then certified
        interval arithmetic where every parameter's domain is bounded."""
        originals = set(formula.free_symbols)
        for h in hyps:
            originals |= h.free_symbols
        reasons = []
        self.prover.start()
        monotone = prove_implicit_monotone(formula, hyps, self.prover, budget)
        if monotone is not None:
            if monotone.status == "proved":
                return monotone
            reasons.append(f"monotonicity: {monotone.detail}")
        if isinstance(formula, sp.And):  # a conjunction: each conjunct on its own (smaller problems)
            parts = []
            for c in formula.args:
                parts.append(prove_rewritten(c, hyps, self.prover, budget, check, originals))
                if parts[-1].status != "proved":
                    break
            if all(a.status == "proved" for a in parts):
                methods = list(dict.fromkeys(m for a in parts for m in a.method.split(" + ")))
                return Attempt("proved", "conjunction split + " + " + ".join(methods),
                               "; ".join(f"conjunct {i}: {a.detail}" for i, a in enumerate(parts, 1)))
            shown = str(formula.args[len(parts) - 1])
            shown = shown if len(shown) <= 120 else shown[:117] + "..."
            done = "conjunct 1" if len(parts) == 2 else f"conjuncts 1-{len(parts) - 1}"
            reasons.append(f"{done} proved, conjunct {len(parts)} of {len(formula.args)} ({shown}) not: "
                           f"{parts[-1].detail}" if len(parts) > 1 else
                           f"conjunct 1 of {len(formula.args)} ({shown}) not proved: {parts[-1].detail}")
        else:
            attempt = prove_rewritten(formula, hyps, self.prover, budget, check, originals)
            if attempt.status != "unknown":
                return attempt
            reasons.append(attempt.detail)
        boxes = prove_by_intervals(formula, hyps, self.domain)
        if boxes.status == "proved":
            return boxes
        reasons.append(f"interval arithmetic: {boxes.detail}")
        return Attempt("unknown", detail="; ".join(reasons))

    def _eliminate_equalities(self, formula, given):
        """Equality hypotheses (``given=[sp.Eq(d1, d2)]``) used by substitution: each is solved
        for one of its parameters (the last declared one it is linear in), which is replaced in the
        formula and the other hypotheses, its bounds becoming hypotheses on the rest.  Sampling then
        draws points on the sub-manifold, so the numeric check after a proof still runs.  Returns
        ``(formula, given, {symbol: expression})``."""
        solved = {}
        rest = []
        for g in given:
            if not isinstance(g, sp.Eq):
                rest.append(g)
                continue
            diff = sp.expand((g.lhs - g.rhs).xreplace(solved))
            choice = None
            for sym in reversed(self.domain.order(diff.free_symbols)):
                coeff = diff.coeff(sym)
                if coeff != 0 and not coeff.free_symbols and sym not in (diff - coeff * sym).free_symbols:
                    choice = (sym, -(diff - coeff * sym) / coeff)
                    break
            if choice is None:
                rest.append(g)
                continue
            sym, value = choice
            solved = {k: v.xreplace({sym: value}) for k, v in solved.items()}
            solved[sym] = value
            rest += [rel.xreplace({sym: value}) for rel in self.domain.by_symbol(sym).domain.relations(sym)]
        if not solved:
            return formula, given, solved
        rest = [r.xreplace(solved) for r in rest]
        return formula.xreplace(solved), [r for r in rest if r is not sp.true], solved

    def _symbolic(self, prop: Proposition, formula, given) -> bool:
        if isinstance(prop, Equal):
            diff = self.expand(prop.lhs - prop.rhs)
            if sp.cancel(sp.together(diff)) == 0:
                return True
            # simplify cannot use a part's hypotheses, and on a Piecewise it is slow: leave those to z3
            return not (given and diff.has(sp.Piecewise)) and sp.simplify(diff) == 0
        if formula == sp.true:
            return True
        if not isinstance(formula, sp.Rel) or formula.rel_op in ("==", "!="):
            return False
        diff = formula.lhs - formula.rhs
        op = formula.rel_op
        attribute = {">": "is_positive", ">=": "is_nonnegative", "<": "is_negative", "<=": "is_nonpositive"}[op]
        if getattr(diff, attribute) is True:  # the symbols' own assumptions decide it
            return True
        facts = self.domain.assumptions(diff.free_symbols, given)
        if len(diff.free_symbols) > 2 or len(facts) > 4:
            return False  # ask's SAT back end grows fast; leave larger cases to z3
        try:
            return sp.ask(Q_OF[op](diff), sp.And(*facts)) is True  # None means unknown
        except Exception:  # ask raises on some inputs; that is "unknown" too
            return False

    def _numeric(self, prop: Proposition, formula, given, check) -> PartVerdict:
        s = self.settings
        label = prop.label
        abstract = _abstract_parts([formula, *given])
        if abstract:  # a general F (undefined function, unevaluated integral): no numbers exist
            return PartVerdict(label, "unknown", "numeric",
                               f"not numerically evaluable (stated for a general function: {abstract})")
        used = set(formula.free_symbols)
        if isinstance(prop, DerivativeSign):
            used |= self.expand(prop.function).free_symbols | {prop.wrt}
        try:  # only the parameters the part uses (and those tied to them) are drawn
            draws = self._sample(given, {x.name for x in used})
        except Exception as exc:
            return PartVerdict(label, "unknown", "numeric", f"{NO_DRAWS}: {exc}")
        point = {self.domain[n].symbol: v for n, v in draws.items()}
        drawn = len(next(iter(draws.values()))) if draws else 1  # a part free of parameters is one point
        truth, ambiguous, err = truth_with_margin(formula, point, s.tol)
        max_error = float(np.max(err)) if err.size and np.any(err > 0) else None
        if isinstance(prop, DerivativeSign):
            max_error = self._finite_difference_error(prop, point)
        bad = np.flatnonzero(~truth & ~ambiguous)
        detail = f"no violation in {drawn} draws (tolerance {s.tol:g}, seed {s.seed})"
        for i in bad[:20]:
            exact = {sym: _rational(point[sym][i]) for sym in point}
            simpler = simplify_point(exact, check)
            if simpler is not None:
                cx = self._relevant(simpler, formula, given)
                how = "exact substitution" + (" and a certified enclosure of each implicit quantity (interval "
                                              "arithmetic)" if _implicit(formula) else "")
                return PartVerdict(label, "refuted", "numeric search + " + how.split(" and ")[0]
                                   + (" + certified enclosure" if _implicit(formula) else ""),
                                   f"counterexample {exact_str(cx)} confirmed by {how}", cx, drawn, max_error)
        if len(bad):
            detail = (f"{len(bad)} of {drawn} draws violate it numerically, but none could be confirmed exactly "
                      f"(tolerance {s.tol:g}, seed {s.seed})")
        return PartVerdict(label, "checked", f"numeric (N={drawn}, tol={s.tol:g})", detail,
                           None, drawn, max_error)

    def _sample(self, given, names) -> dict:
        """Seeded draws under the hypotheses ``given``; parts with the same hypotheses and
        parameters share them (the draws depend on nothing else)."""
        key = (tuple(given), frozenset(names))
        if key not in self._draws:
            if len(self._draws) >= 8:
                self._draws.pop(next(iter(self._draws)))
            rng = np.random.default_rng(self.settings.seed)
            self._draws[key] = self.domain.sample(self.settings.samples, rng, given=given, only=names)
        return self._draws[key]

    def _finite_difference_error(self, prop: DerivativeSign, point) -> float | None:
        """Cross-check the symbolic derivative against a numeric (complex-step) derivative."""
        f = self.expand(prop.function)
        syms = sorted(f.free_symbols | {prop.wrt}, key=lambda x: x.name)
        values = {x.name: point[x] for x in syms}
        numeric = numeric_derivative(f, prop.wrt, values)
        exact = NumericFunction(self.expand(prop.derivative), syms)(**values)
        rel = np.abs(numeric - exact) / (1 + np.abs(exact))
        return float(np.nanmax(rel)) if np.isfinite(rel).any() else None


def _abstract_parts(exprs) -> str:
    """Names of undefined functions / unevaluated integrals and derivatives in ``exprs`` ('' if none).

    Functions that carry a numeric implementation (``_imp_``, e.g. :mod:`symbolic.implicit`)
    are not abstract.
    """
    from sympy.core.function import AppliedUndef

    found = set()
    for e in exprs:
        for a in nodes(sp.sympify(e)):
            if isinstance(a, (sp.Integral, sp.Derivative, sp.Subs)):
                found.add(type(a).__name__)
            elif isinstance(a, sp.Function):
                cls = type(a)
                user_defined = isinstance(a, AppliedUndef) or not cls.__module__.startswith("sympy")
                if user_defined and getattr(cls, "_imp_", None) is None:
                    found.add(cls.__name__)
    return ", ".join(sorted(found))


def _implicit(expr) -> bool:
    from .implicit import ImplicitFunction
    return any(isinstance(f, ImplicitFunction) for f in sp.sympify(expr).atoms(sp.Function))


def _truth(b):
    if b in (sp.true, True):
        return True
    if b in (sp.false, False):
        return False
    b = sp.simplify(b)
    if b in (sp.true, True):
        return True
    if b in (sp.false, False):
        return False
    return None


def _rational(x: float) -> sp.Rational:
    f = Fraction(float(x))
    return sp.Rational(f.numerator, f.denominator)


# ---------------------------------------------------------------------------------------
def combine(model: str, claim: Claim, parts: list[PartVerdict], cross_errors: dict[str, float],
            cross_samples: int | None) -> Verdict:
    """Fold part verdicts into the claim's verdict."""
    if claim.not_encodable:
        return Verdict(model, claim.id, "not_encodable", "none",
                       f"stated, not checked: {claim.not_encodable}", None, None, None, claim.statement)
    statuses = [p.status for p in parts]
    if "refuted" in statuses:
        status = "refuted"
    elif all(s == "proved" for s in statuses):
        status = "proved"
    elif "unknown" in statuses:
        status = "unknown"
    else:
        status = "checked"
    methods = []
    for p in parts:
        if p.method not in methods:
            methods.append(p.method)
    details = []
    for p in parts:
        tag = f"{p.label}: " if p.label else ""
        details.append(f"{tag}{p.status} ({p.detail})")
    counterexample = next((p.counterexample for p in parts if p.status == "refuted"), None)
    samples = max((p.samples or 0 for p in parts), default=0) or None
    errors = [p.max_error for p in parts if p.max_error is not None]
    errors += [e for e in cross_errors.values() if e is not None]
    if cross_errors:
        details.append("cross-checked: " + ", ".join(f"{k} max error {v:.2e}" for k, v in cross_errors.items()))
        samples = max(samples or 0, cross_samples or 0)
    max_error = max(errors) if errors else None
    if max_error is not None and not math.isfinite(max_error):
        max_error = None
    return Verdict(model, claim.id, status, " + ".join(methods), "; ".join(details), counterexample,
                   samples, max_error, claim.statement, parts)
