r"""Mutation testing of the verifier: inject one fault at a time, see whether verification notices.

A *mutant* is the model rebuilt from its ``build()`` function with exactly one fault injected
while it is built:

* ``payoff-sign``  -- one additive term of one payoff has its sign flipped;
* ``payoff-drop``  -- one additive term is dropped;
* ``payoff-scale`` -- one additive term is doubled;
* ``payoff-swap``  -- one parameter in one payoff is replaced by another parameter of the payoffs;
* ``cutoff-shift`` -- a derived cutoff is off by the constant 1/7 (the display check is bypassed,
  so only the claims and the numeric cross-check can notice);
* ``claim-flip``   -- one inequality in one claim part has its direction reversed, an equality's
  right side is shifted by 1/7, or a derivative's claimed sign is flipped;
* ``domain``       -- a parameter's bound is moved (0 -> -1, 1 -> 2; a sampling window that starts
  or ends at that bound moves with it) or an ordering constraint is dropped.

The mutant is *caught* when its build fails with a clear derivation error, any claim's verdict
(or a part's, a counterexample, or a repair's verdict) differs from the unmutated model's, or a
numeric cross-check disagrees.

A mutant that is not caught may be *equivalent*: every claim keeps its truth value, so no correct
verifier could notice it.  Each survivor goes to :func:`symbolic.equivalence.recognise`, which
compares it with the unmutated model part by part and accepts it only where a decision procedure
shows it (the part is unchanged; its hypotheses are equivalent by z3; or the recogniser decides it
again with the verifier's proof stages -- symbolic, z3 and the SMT portfolio, the rewriting
procedures, an exactly confirmed counterexample -- and finds the original's truth value), never on
numeric evidence; its reason, ``automatic: ...``, is recorded on the result
(``MutantResult.equivalence == "automatic"``).  What no procedure decides, a model declares by
hand in a ``MUTATION_EQUIVALENTS = {mutant id: reason}`` dict (``equivalence == "declared"``).  A
declaration whose mutant the recogniser also recognises (``MutationReport.redundant``) or that is
caught (``MutationReport.stale``) is reported, so the tables do not rot.  The score is caught /
(mutants - equivalent ones).
"""
from __future__ import annotations

import concurrent.futures
import copy
import multiprocessing as mp
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Callable
from unittest import mock

import sympy as sp

from .claims import DerivativeSign, Equal, Equivalent, Holds
from .domain import Interval
from .equivalence import Reference, recognise
from .errors import ToolkitError
from .model import Model
from .payoffs import Game

SHIFT = sp.Rational(1, 7)


@dataclass
class Mutant:
    """One fault: ``id`` is stable across runs (used to declare equivalents)."""

    id: str
    kind: str
    description: str
    patch: Callable  # () -> context manager that injects the fault while build() runs
    target: tuple | None = None  # claim-flip: (claim id, part index) of the one part it changes


@dataclass
class MutantResult:
    """What happened to one mutant."""

    id: str
    kind: str
    description: str
    caught: bool
    how: str
    equivalent: str = ""    # the reason it is equivalent (automatic or declared), '' if it is not
    equivalence: str = ""   # "automatic" (recognised), "declared" (by hand) or ''
    declared: str = ""      # the model's declared reason, if it declares this mutant
    not_recognised: str = ""  # a survivor: why the recogniser did not recognise it
    seconds: float = 0.0    # time spent recognising


@dataclass
class MutationReport:
    """All results for one model."""

    model: str
    results: list[MutantResult] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if not r.caught and not r.equivalent]

    @property
    def automatic(self) -> list[MutantResult]:
        """Equivalent mutants the recogniser recognised."""
        return [r for r in self.results if r.equivalence == "automatic"]

    @property
    def declared(self) -> list[MutantResult]:
        """Equivalent mutants only the model's declaration accounts for."""
        return [r for r in self.results if r.equivalence == "declared"]

    @property
    def redundant(self) -> list[MutantResult]:
        """Declared equivalents that the recogniser recognises too (the declaration can go)."""
        return [r for r in self.results if r.declared and r.equivalence == "automatic"]

    @property
    def stale(self) -> list[MutantResult]:
        """Declared equivalents that are caught (the declaration is wrong or out of date)."""
        return [r for r in self.results if r.declared and r.caught]

    @property
    def score(self) -> tuple[int, int]:
        """(caught, mutants that are not equivalent)."""
        counted = [r for r in self.results if not r.equivalent]
        return sum(r.caught for r in counted), len(counted)


# -- fingerprints ------------------------------------------------------------------------------
def fingerprint(model: Model, samples: int, seed: int) -> tuple[dict, list[str]]:
    """Claim verdicts (with parts, counterexamples and repairs) and the failing cross-checks."""
    verdicts = {}
    for v in model.verify(samples=samples, seed=seed):
        parts = tuple((p.status, _point(p.counterexample)) for p in v.parts)
        repair = (v.repair.status, tuple(p.status for p in v.repair.parts)) if v.repair else None
        verdicts[v.claim] = (v.status, parts, repair)
    failing = [c.quantity for c in model.cross_check(samples=samples, seed=seed) if not c.passed]
    return verdicts, failing


def _point(point) -> tuple | None:
    return None if point is None else tuple(sorted((k, str(v)) for k, v in point.items()))


def _difference(base: dict, mutated: dict) -> str:
    changed = []
    for cid in base:
        if cid not in mutated:
            changed.append(f"{cid} missing")
        elif mutated[cid] != base[cid]:
            changed.append(f"{cid} {base[cid][0]}->{mutated[cid][0]}"
                           + ("" if mutated[cid][0] != base[cid][0] else " (a part or counterexample changed)"))
    return ", ".join(changed)


# -- enumerating mutants ---------------------------------------------------------------------
@dataclass
class _Recording:
    payoffs: list = field(default_factory=list)      # (outcome, player, expr)
    parameters: list = field(default_factory=list)   # (name, Interval)
    constraints: list = field(default_factory=list)  # str(relation)
    cutoffs: list = field(default_factory=list)      # names
    claims: list = field(default_factory=list)       # Claim objects


def _record(build) -> _Recording:
    rec = _Recording()
    orig_outcome, orig_param, orig_constrain = Game.outcome, Model.parameter, Model.constrain
    orig_cutoff, orig_claim = Model.cutoff, Model.claim

    def outcome(self, name, description="", **payoffs):
        orig_outcome(self, name, description, **payoffs)
        for pl in self.players:
            rec.payoffs.append((name, pl, self.outcomes[name][pl]))

    def parameter(self, name, domain, *a, **k):
        rec.parameters.append((name, domain))
        return orig_param(self, name, domain, *a, **k)

    def constrain(self, relation, reason=""):
        rec.constraints.append(str(relation))
        return orig_constrain(self, relation, reason)

    def cutoff(self, name, *a, **k):
        rec.cutoffs.append(name)
        return orig_cutoff(self, name, *a, **k)

    def claim(self, c):
        rec.claims.append(c)
        return orig_claim(self, c)

    with mock.patch.object(Game, "outcome", outcome), mock.patch.object(Model, "parameter", parameter), \
            mock.patch.object(Model, "constrain", constrain), mock.patch.object(Model, "cutoff", cutoff), \
            mock.patch.object(Model, "claim", claim):
        build()
    return rec


def _terms(expr) -> list:
    expr = sp.sympify(expr)
    if expr == 0:
        return []
    return list(sp.Add.make_args(sp.expand(expr)))


def _payoff_patch(outcome_name: str, player: str, transform: Callable):
    @contextmanager
    def patch():
        orig = Game.outcome

        def outcome(self, name, description="", **payoffs):
            orig(self, name, description, **payoffs)
            if name == outcome_name:
                new = transform(self.outcomes[name][player])
                self.outcomes[name][player] = new
                self.forms[name][player] = new
        with mock.patch.object(Game, "outcome", outcome):
            yield
    return patch


def _cutoff_patch(cutoff_name: str):
    @contextmanager
    def patch():
        orig = Model.cutoff

        def cutoff(self, name, *a, **k):
            q = orig(self, name, *a, **k)
            if name == cutoff_name:
                q.expr = q.expr + SHIFT
                q.cutoff.expr = q.expr
                q.display = None
                self._numeric.pop(name, None)
            return q
        with mock.patch.object(Model, "cutoff", cutoff):
            yield
    return patch


def _claim_patch(claim_id: str, mutate_parts: Callable):
    @contextmanager
    def patch():
        orig = Model.claim

        def claim(self, c):
            if c.id == claim_id:
                c = copy.copy(c)
                c.parts = mutate_parts(list(c.parts))
            return orig(self, c)
        with mock.patch.object(Model, "claim", claim):
            yield
    return patch


def _domain_patch(param: str | None = None, domain: Interval | None = None, drop_constraint: str | None = None):
    @contextmanager
    def patch():
        orig_param, orig_constrain = Model.parameter, Model.constrain

        def parameter(self, name, dom, *a, **k):
            sym = orig_param(self, name, domain if name == param else dom, *a, **k)
            par = self.domain.parameters[name]
            if name == param and par.sample_range is not None:
                # a sampling window that starts (ends) at the old bound restates that bound: it
                # moves with it, or the draws would never leave the old domain
                lo, hi = par.sample_range
                lo = float(domain.lo) if dom.lo is not None and lo == dom.lo else lo
                hi = float(domain.hi) if dom.hi is not None and hi == dom.hi else hi
                par.sample_range = (lo, hi)
            return sym

        def constrain(self, relation, reason=""):
            if str(relation) == drop_constraint:
                return None
            return orig_constrain(self, relation, reason)
        with mock.patch.object(Model, "parameter", parameter), mock.patch.object(Model, "constrain", constrain):
            yield
    return patch


_FLIP = {sp.StrictLessThan: sp.StrictGreaterThan, sp.StrictGreaterThan: sp.StrictLessThan,
         sp.LessThan: sp.GreaterThan, sp.GreaterThan: sp.LessThan}


def _relationals(b) -> list:
    """Every occurrence of an inequality inside a Boolean, in traversal order."""
    if isinstance(b, sp.Rel) and type(b) in _FLIP:
        return [b]
    if isinstance(b, (sp.And, sp.Or, sp.Not, sp.Equivalent, sp.Implies)):
        out = []
        for a in b.args:
            out += _relationals(a)
        return out
    return []


def _short(expr, width: int = 60) -> str:
    """A readable, stable name for a (possibly huge) expression in a mutant id."""
    text = str(expr)
    if len(text) <= width:
        return text
    import hashlib
    return text[:width - 12] + "..#" + hashlib.sha1(text.encode()).hexdigest()[:8]


def _flip_rel(rel):
    return _FLIP[type(rel)](rel.lhs, rel.rhs, evaluate=False)


def _flip_nth(b, n: int):
    """``b`` with only its ``n``-th inequality occurrence (traversal order) reversed."""
    count = [0]

    def walk(e):
        if isinstance(e, sp.Rel) and type(e) in _FLIP:
            hit = count[0] == n
            count[0] += 1
            return _flip_rel(e) if hit else e
        if isinstance(e, (sp.And, sp.Or, sp.Not, sp.Equivalent, sp.Implies)):
            return e.func(*[walk(a) for a in e.args], evaluate=False)
        return e
    return walk(b)


def _part_mutations(part) -> list[tuple[str, Callable]]:
    """(description, function part -> mutated part) for one claim part."""
    out = []
    if isinstance(part, Equal):
        def shift(p):
            q = Equal(p.lhs, p.rhs + SHIFT, p.label, p.given)
            q.lhs_latex = p.lhs_latex
            return q
        out.append(("equality right side + 1/7", shift))
    elif isinstance(part, DerivativeSign):
        out.append(("derivative sign flipped",
                    lambda p: DerivativeSign(p.of, p.wrt, -p.sign, p.label, p.given, p.strict)))
    elif isinstance(part, (Holds, Equivalent)):
        sides = [part.prop] if isinstance(part, Holds) else [part.left, part.right]
        k = 0
        for side, body in enumerate(sides):
            for n, rel in enumerate(_relationals(body)):
                def flip(p, side=side, n=n):
                    if isinstance(p, Holds):
                        return Holds(_flip_nth(p.prop, n), p.label, p.given)
                    left, right = p.left, p.right
                    if side == 0:
                        left = _flip_nth(left, n)
                    else:
                        right = _flip_nth(right, n)
                    return Equivalent(left, right, p.label, p.given)
                k += 1
                out.append((f"inequality {k} ({_short(rel)}) reversed", flip))
    for j, g in enumerate(part.given):
        if isinstance(g, sp.Rel) and type(g) in _FLIP:
            def flip_given(p, j=j):
                given = list(p.given)
                given[j] = _flip_rel(given[j])
                q = copy.copy(p)
                q.given = tuple(given)
                return q
            out.append((f"hypothesis {j + 1} ({_short(g)}) reversed", flip_given))
    return out


def enumerate_mutants(build) -> list[Mutant]:
    """Every mutant of the model that ``build()`` returns, in a deterministic order."""
    rec = _record(build)
    mutants: list[Mutant] = []
    payoff_symbols = []
    for _, _, e in rec.payoffs:
        for s in sorted(e.free_symbols, key=lambda x: x.name):
            if s not in payoff_symbols and s.name in {n for n, _ in rec.parameters}:
                payoff_symbols.append(s)

    for outcome, player, expr in rec.payoffs:
        terms = _terms(expr)
        where = f"{outcome}.{player}"
        for t in terms:
            mutants.append(Mutant(f"payoff-sign:{where}:{t}", "payoff-sign", f"u_{player}({outcome}): sign of {t} flipped",
                                  _payoff_patch(outcome, player, lambda e, t=t: sp.expand(e) - 2 * t)))
            if len(terms) > 1:
                mutants.append(Mutant(f"payoff-drop:{where}:{t}", "payoff-drop", f"u_{player}({outcome}): {t} dropped",
                                      _payoff_patch(outcome, player, lambda e, t=t: sp.expand(e) - t)))
            mutants.append(Mutant(f"payoff-scale:{where}:{t}", "payoff-scale", f"u_{player}({outcome}): {t} doubled",
                                  _payoff_patch(outcome, player, lambda e, t=t: sp.expand(e) + t)))
        for s in sorted(sp.sympify(expr).free_symbols, key=lambda x: x.name):
            if s not in payoff_symbols or len(payoff_symbols) < 2:
                continue
            other = payoff_symbols[(payoff_symbols.index(s) + 1) % len(payoff_symbols)]
            mutants.append(Mutant(f"payoff-swap:{where}:{s}->{other}", "payoff-swap",
                                  f"u_{player}({outcome}): {s} replaced by {other}",
                                  _payoff_patch(outcome, player, lambda e, s=s, o=other: e.xreplace({s: o}))))

    for name in rec.cutoffs:
        mutants.append(Mutant(f"cutoff-shift:{name}", "cutoff-shift", f"{name} off by 1/7", _cutoff_patch(name)))

    for c in rec.claims:
        for k, part in enumerate(c.parts):
            for desc, fn in _part_mutations(part):
                def mutate(parts, k=k, fn=fn):
                    parts[k] = fn(parts[k])
                    return parts
                mutants.append(Mutant(f"claim-flip:{c.id}:part{k + 1}:{desc}", "claim-flip",
                                      f"{c.id} part {k + 1}: {desc}", _claim_patch(c.id, mutate), (c.id, k)))

    for name, dom in rec.parameters:
        if dom.lo is not None and dom.lo == 0:
            wrong = Interval(-1, dom.hi, dom.lo_open, dom.hi_open)
            mutants.append(Mutant(f"domain:{name}:lo=-1", "domain", f"{name}: lower bound 0 -> -1",
                                  _domain_patch(param=name, domain=wrong)))
        if dom.hi is not None and dom.hi == 1:
            wrong = Interval(dom.lo, 2, dom.lo_open, dom.hi_open)
            mutants.append(Mutant(f"domain:{name}:hi=2", "domain", f"{name}: upper bound 1 -> 2",
                                  _domain_patch(param=name, domain=wrong)))
    for rel in rec.constraints:
        mutants.append(Mutant(f"domain:drop:{rel}", "domain", f"constraint {rel} dropped",
                              _domain_patch(drop_constraint=rel)))
    return mutants


# -- running ---------------------------------------------------------------------------------
_WORKER: dict = {}


@dataclass
class _Outcome:
    caught: bool
    how: str
    automatic: str = ""
    not_recognised: str = ""
    seconds: float = 0.0


def _run_one(build, mutant: Mutant, base, samples: int, seed: int, reference: Reference | None) -> _Outcome:
    try:
        with ExitStack() as stack:
            stack.enter_context(mutant.patch())
            stack.enter_context(mock.patch.object(Model, "_check_display", lambda self, q: None)
                                if mutant.kind == "cutoff-shift" else _null())
            model = build()
        verdicts, failing = fingerprint(model, samples, seed)
    except ToolkitError as exc:
        return _Outcome(True, f"derivation stopped: {exc}")
    except Exception as exc:  # a crash is noticed, but flagged: the toolkit should fail cleanly
        return _Outcome(True, f"CRASH {type(exc).__name__}: {exc}")
    diff = _difference(base[0], verdicts)
    if failing:
        diff = (diff + "; " if diff else "") + "cross-check disagrees: " + ", ".join(failing)
    if diff or reference is None:
        return _Outcome(bool(diff), diff)
    try:  # a survivor: is it equivalent?  (fingerprint cached the verdicts: no second verification)
        found = recognise(reference, model, model.verify(samples=samples, seed=seed), mutant)
    except Exception as exc:  # the recogniser failing recognises nothing
        return _Outcome(False, "", "", f"recogniser error {type(exc).__name__}: {exc}")
    return _Outcome(False, "", found.reason, found.why_not, found.seconds)


@contextmanager
def _null():
    yield


def _worker_init(build, samples, seed, base, reference):
    _WORKER.update(build=build, mutants=enumerate_mutants(build), samples=samples, seed=seed, base=base,
                   reference=reference)


def _worker_again():
    return fingerprint(_WORKER["build"](), _WORKER["samples"], _WORKER["seed"])


def _worker_run(i: int):
    w = _WORKER
    return _run_one(w["build"], w["mutants"][i], w["base"], w["samples"], w["seed"], w["reference"])


def run(name: str, build, equivalents: dict[str, str] | None = None, samples: int = 300, seed: int = 0,
        workers: int = 1, progress: Callable[[str], None] | None = None,
        only: Callable[[Mutant], bool] | None = None, automatic: bool = True) -> MutationReport:
    """Run every mutant of ``build`` (optionally only those ``only`` selects); with ``automatic``,
    each survivor goes to the equivalence recogniser (:mod:`symbolic.equivalence`)."""
    equivalents = equivalents or {}
    base_model = build()
    base = fingerprint(base_model, samples, seed)
    reference = Reference(base_model, base_model.verify(samples=samples, seed=seed)) if automatic else None
    report = MutationReport(name)
    if base[1]:
        report.false_alarms.append("cross-check disagrees on the unmutated model: " + ", ".join(base[1]))
    mutants = enumerate_mutants(build)
    index = [i for i, m in enumerate(mutants) if only is None or only(m)]
    if workers > 1 and len(index) > 1:
        ctx = mp.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init,
                                                    initargs=(build, samples, seed, base, reference)) as pool:
            again = pool.submit(_worker_again)  # the second build runs beside the mutants
            outcomes = list(pool.map(_worker_run, index))
            again = again.result()
    else:
        again = fingerprint(build(), samples, seed)
        outcomes = []
        for n, i in enumerate(index):
            if progress:
                progress(f"{name}: mutant {n + 1}/{len(index)} {mutants[i].id}")
            outcomes.append(_run_one(build, mutants[i], base, samples, seed, reference))
    if again[0] != base[0]:
        report.false_alarms.append("verdicts differ between two builds of the unmutated model")
    for i, out in zip(index, outcomes):
        m = mutants[i]
        declared = equivalents.get(m.id, "")
        equivalence = "" if out.caught else "automatic" if out.automatic else "declared" if declared else ""
        report.results.append(MutantResult(
            m.id, m.kind, m.description, out.caught, out.how,
            out.automatic or ("" if out.caught else declared), equivalence, declared,
            out.not_recognised, out.seconds))
    return report
