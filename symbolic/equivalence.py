r"""Equivalent mutants, recognised by decision procedures (never by sampling).

A mutant (:mod:`symbolic.mutation`) that verification does not notice is either a fault the
verifier misses or an *equivalent* mutant: one in which every claim keeps its truth value, so that
no correct verifier could tell it from the original model.  :func:`recognise` shows the second
where a decision procedure can, part by part, and records how.

**What a part means.**  A claim part with formula :math:`P` and hypotheses :math:`H` (the domain's
bounds and constraints and the part's ``given``) states :math:`\forall x:\ H(x) \Rightarrow P(x)`.
Its *meaning* here is the pair (relevant hypotheses, formula), in parameters only (quantities and
abbreviations expanded, as the verifier expands them), with every symbol read as a plain real (a
symbol's sign assumption is a bound already among the hypotheses) and every implicit function by
its name (which is a digest of its definition).  The *relevant* hypotheses are the given ones and
the domain's conditions connected to the formula's symbols through shared symbols, transitively:
the other conditions constrain other parameters only, so when the domain is non-empty (decided by
z3, once per model) they cannot change the part's truth.

**The procedures**, applied to each part of the mutant against the same part of the original:

1. *unchanged* -- the meanings are identical (so are the truth values);
2. *hypotheses equivalent* -- the formulas are identical and z3 proves that each set of relevant
   hypotheses implies every hypothesis of the other (the hypotheses that differ must be
   polynomial, so that no denominator or root of theirs restricts z3 to where it is defined): a
   moved bound or a dropped constraint that the other conditions imply;
3. *also a theorem / also refuted* -- the original part was proved or refuted, and the recogniser
   decides the mutated part again itself (never taking the mutant's verdicts) with the verifier's
   proof stages and without its sampling -- symbolic simplification, the direct decision (z3, the
   SMT portfolio), the rewriting procedures of :mod:`symbolic.proofs` (with
   :data:`RECOGNISER_ALLOWANCE` times their time allowance) -- and finds the same truth value; a
   refutation needs a point that exact substitution confirms (the recorded counterexample
   re-checked, or a solver's model).

A :class:`~symbolic.claims.Computed` part (an exact computation whose statement is text) counts as
unchanged only in a claim-flip mutant of another part (the mutant rebuilds the model identically
but for that one part); otherwise its exact computation must decide it (``proved`` or ``refuted``)
the same way in both models.  A changed part that the original's verifier could only check
numerically has no known truth value to keep: unless procedure 1 or 2 applies, the mutant is not
recognised.  Numeric evidence never recognises a mutant.

**Quantities** are compared too (expanded and normalised as above): the reason says whether every
derived quantity is unchanged ("derives the same quantities and claims") or which ones moved while
every claim kept its truth value.  A ``cutoff-shift`` mutant injects its fault into a derivation,
which the claims alone cannot vouch for: it is recognised only if no quantity changed.
"""
from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass, field

import sympy as sp

from .claims import Computed, DerivativeSign, Equivalent, Holds
from .decide import NotEncodable, decide
from .implicit import ImplicitFunction
from .proofs import PROCEDURE_SECONDS, procedures_enabled
from .verify import PartVerifier, Settings, exact_str

#: The recogniser's allowance for the rewriting procedures, in multiples of the verifier's.
RECOGNISER_ALLOWANCE = 3


@dataclass
class Recognition:
    """The recogniser's answer: ``reason`` ('' when not recognised), or ``why_not``."""

    reason: str = ""
    why_not: str = ""
    seconds: float = 0.0


class _NotEquivalent(Exception):
    """A part (or the claims' structure) that no procedure shows unchanged in truth."""


@dataclass
class _Meaning:
    formula: sp.Basic
    hyps: list
    raw: tuple  # (formula, hypotheses) in the model's own symbols: equal raw keys are equal keys
    _key: tuple | None = None

    @property
    def key(self) -> tuple:
        """(formula, hypotheses) in normal form (:func:`plain`)."""
        if self._key is None:
            self._key = (plain(self.formula), frozenset(plain(h) for h in self.hyps))
        return self._key

    def same(self, other: "_Meaning") -> bool:
        return self.raw == other.raw or self.key == other.key


@dataclass
class _Side:
    """One model as the recogniser sees it: its verifier, verdicts by claim id, cached meanings."""

    model: object
    verdicts: dict
    verifier: PartVerifier = field(init=False)
    meanings: dict = field(default_factory=dict)
    quantities: dict | None = None
    nonempty: bool | None = None

    def __post_init__(self):
        self.verifier = PartVerifier(self.model.space, self.model.expand, Settings())
        # the rewriting procedures get three times the verifier's wall-clock allowance per part, so
        # that a part the verifier proved under load is not left undecided here for want of time
        prover = self.verifier.prover
        prover.start = functools.partial(type(prover).start, prover, RECOGNISER_ALLOWANCE * PROCEDURE_SECONDS)


class Reference:
    """What the recogniser needs of the unmutated model (built once, shared by every mutant)."""

    def __init__(self, model, verdicts):
        self.side = _Side(model, {v.claim: v for v in verdicts})


# -- normal forms -------------------------------------------------------------------------------
def plain(expr) -> sp.Basic:
    """``expr`` with every symbol a plain real of the same name and every implicit function an
    undefined function of its class name (a digest of its definition): equal results mean the
    same function of the reals, whatever sign assumptions the two models' symbols carry."""
    expr = sp.sympify(expr)
    if isinstance(expr, bool):
        return sp.true if expr else sp.false
    if expr.atoms(ImplicitFunction):
        expr = expr.replace(lambda e: isinstance(e, ImplicitFunction),
                            lambda e: sp.Function(_plain_name(type(e)), real=True)(*e.args))
    table = {s: sp.Symbol(s.name, real=True) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return expr.xreplace(table)


@functools.lru_cache(maxsize=256)
def _plain_name(cls) -> str:
    """An implicit function's name from its definition in plain reals: a bound moved in the domain
    changes its symbols' assumptions (and so the class name) but not the function."""
    definition = tuple(plain(x) for x in (cls._residual, cls._var, *cls._params, *cls._bracket))
    digest = hashlib.sha1(sp.srepr(definition + (tuple(cls._open_ends),)).encode()).hexdigest()[:8]
    return f"{cls.__name__.rsplit('_', 1)[0]}_{digest}"


def relevant(conditions, symbols) -> list:
    """The conditions connected to ``symbols`` through shared symbols (by name, transitively)."""
    names = {s.name for s in symbols}
    kept, rest = [], [c for c in conditions if c.free_symbols]
    grown = True
    while grown:
        grown = False
        for c in list(rest):
            cn = {s.name for s in c.free_symbols}
            if cn & names:
                kept.append(c)
                rest.remove(c)
                names |= cn
                grown = True
    return kept


def _nonempty(side: _Side) -> bool:
    """Whether z3 finds a point of the whole domain (then conditions unconnected to a part's symbols
    cannot change its truth)."""
    if side.nonempty is None:
        try:
            side.nonempty = decide(side.model.space.conditions(), sp.false, 10000).outcome == "refuted"
        except NotEncodable:
            side.nonempty = False
    return side.nonempty


def meaning(side: _Side, where: tuple, prop) -> _Meaning:
    """The part's expanded formula, its relevant hypotheses, and their normal form."""
    if where in side.meanings:
        return side.meanings[where]
    v = side.verifier
    formula = v.expand(prop.formula)
    domain_hyps, given = v._hypotheses(prop, formula)
    symbols = set(formula.free_symbols)
    for g in given:
        symbols |= g.free_symbols
    if isinstance(prop, DerivativeSign):
        symbols |= {prop.wrt} | v.expand(prop.function).free_symbols
    hyps = (relevant(domain_hyps, symbols) if _nonempty(side) else list(domain_hyps)) + list(given)
    side.meanings[where] = out = _Meaning(formula, hyps, (formula, frozenset(hyps)))
    return out


def _quantities(side: _Side) -> dict:
    if side.quantities is None:
        m = side.model
        side.quantities = {name: m.expand(q.expr) for name, q in m.quantities.items() if q.kind != "definition"}
    return side.quantities


def _same_expression(a, b) -> bool:
    if a == b:
        return True
    a, b = plain(a), plain(b)
    if a == b:
        return True
    if a.has(sp.Piecewise) or b.has(sp.Piecewise) or sp.count_ops(a) + sp.count_ops(b) > 400:
        return False
    try:
        return sp.cancel(sp.together(a - b)) == 0
    except Exception:  # a failed simplification is "not shown equal"
        return False


# -- deciding one part without sampling ---------------------------------------------------------
def _point(side: _Side, cx: dict | None) -> dict | None:
    if not cx:
        return None
    try:
        return {side.model.space[k].symbol: sp.Rational(v) for k, v in cx.items()}
    except Exception:  # a name the mutated model lacks, or a value that is not exact
        return None


def decide_part(side: _Side, prop, counterexamples=()) -> tuple[bool | None, str]:
    """The part's truth by the verifier's proof stages without its sampling: ``(True, how)`` proved
    by symbolic simplification, the direct decision (z3, the SMT portfolio) or the rewriting
    procedures of :mod:`symbolic.proofs`; ``(False, how)`` refuted by a point confirmed by exact
    substitution (one of ``counterexamples`` re-checked, or a solver's model); ``(None, why)``
    otherwise."""
    v = side.verifier
    if isinstance(prop, Equivalent) and sp.sympify(prop.left) == sp.sympify(prop.right) and \
            sp.sympify(prop.left) not in (sp.true, sp.false):
        return True, "symbolic (both sides the same condition)"
    if isinstance(prop, (Holds, Equivalent)) and prop.formula in (sp.true, sp.false):
        return None, "true or false as written"
    formula = v.expand(prop.formula)
    domain_hyps, given = v._hypotheses(prop, formula)
    violated = v._is_violation(formula, domain_hyps + given)
    for cx in counterexamples:
        point = _point(side, cx)
        if point and formula.free_symbols <= point.keys() and violated(point):
            return False, f"refuted: {exact_str(cx)} violates it (exact substitution)"
    if not isinstance(prop, DerivativeSign):
        formula, given, _ = v._eliminate_equalities(formula, given)
    hyps = domain_hyps + given
    if v._symbolic(prop, formula, given):
        return True, "proved (symbolic)"
    budget = getattr(prop, "timeout_ms", None) or v.settings.timeout_ms
    check = v._is_violation(formula, hyps)
    why = ""
    # as in the verifier: the whole part's portfolio after the rewriting procedures
    procedures = procedures_enabled() and not isinstance(prop, DerivativeSign)
    deferred = False
    try:
        d, winner, said = v.prover.decide(hyps, formula, budget, check=check, portfolio=not procedures)
        deferred = procedures and v.prover.has_rest(d, budget)
        if d.outcome == "proved":
            return True, f"proved ({winner})"
        if d.outcome == "refuted":
            return False, f"refuted ({winner} model confirmed by exact substitution)"
        why = d.reason or said or "the solvers returned unknown"
    except NotEncodable as exc:
        why = f"not encodable for the solvers ({str(exc)[:60]})"
    if procedures:
        logged = len(v.prover.log)
        attempt = v._procedures(formula, hyps, budget, check)
        if attempt.status == "proved":
            return True, f"proved ({attempt.method})"
        if attempt.status == "refuted":
            return False, f"refuted ({attempt.method}, confirmed by exact substitution)"
        why += f"; rewriting procedures: {attempt.detail[:200]}"
        if deferred and not v.prover.tried_portfolio(logged):
            d, winner, said = v.prover.rest(hyps, formula, budget, check=check)
            if d.outcome == "proved":
                return True, f"proved ({winner})"
            if d.outcome == "refuted":
                return False, f"refuted ({winner} model confirmed by exact substitution)"
            why += f"; the whole part on the portfolio: {said}"
    return None, why


def _implied(hyps, goals) -> bool:
    """z3 proves every goal from ``hyps`` (normalised, so symbols carry no sign assumptions)."""
    for g in goals:
        try:
            if decide(hyps, g, 5000).outcome != "proved":
                return False
        except NotEncodable:
            return False
    return True


def _polynomial(b) -> bool:
    if isinstance(b, sp.Rel):
        return (b.lhs - b.rhs).is_polynomial()
    if isinstance(b, (sp.And, sp.Or, sp.Not)):
        return all(_polynomial(a) for a in b.args)
    return b in (sp.true, sp.false)


def _equivalent_hypotheses(a: _Meaning, b: _Meaning) -> bool:
    """Procedure 2: the same formula, and z3 proves each hypothesis set implies the other."""
    if a.key[0] != b.key[0]:
        return False
    ha, hb = set(a.key[1]), set(b.key[1])
    if not all(_polynomial(h) for h in ha ^ hb):
        return False
    return _implied(list(ha), hb - ha) and _implied(list(hb), ha - hb)


# -- pairing the two models' parts --------------------------------------------------------------
def _pairs(base_claims, base_verdicts, mut_claims, mut_verdicts, prefix=()):
    """(where, label, base part, its verdict, mutant part, its verdict) for every part, repairs
    included; raises :class:`_NotEquivalent` when the claims do not correspond."""
    if [c.id for c in base_claims] != [c.id for c in mut_claims]:
        raise _NotEquivalent("the mutant's claims are not the original's")
    for bc, mc in zip(base_claims, mut_claims):
        bv, mv = base_verdicts[bc.id], mut_verdicts[mc.id]
        if bc.not_encodable and mc.not_encodable:
            continue  # prose: no truth value to keep
        if bool(bc.not_encodable) != bool(mc.not_encodable) or len(bc.parts) != len(mc.parts) or \
                (bc.repair is None) != (mc.repair is None):
            raise _NotEquivalent(f"{bc.id} has another shape in the mutant")
        for k, (bp, mp) in enumerate(zip(bc.parts, mc.parts)):
            yield (*prefix, bc.id, k), f"{bc.id} part {k + 1}", bp, bv.parts[k], mp, mv.parts[k]
        if bc.repair is not None:
            yield from _pairs([bc.repair], {bc.repair.id: bv.repair}, [mc.repair], {mc.repair.id: mv.repair},
                              (*prefix, bc.id, "repair"))


def _truth(verdict) -> bool | None:
    return {"proved": True, "refuted": False}.get(verdict.status)


def _compare(base: _Side, mut: _Side, mutant, where, label, bp, bv, mp, mv) -> str | None:
    """None when the part is unchanged, else how its truth value is shown unchanged; raises
    :class:`_NotEquivalent` when no procedure shows it."""
    target = getattr(mutant, "target", None)
    if isinstance(bp, Computed) or isinstance(mp, Computed):
        if mutant.kind == "claim-flip" and target is not None and where != target:
            return None  # the rebuild is the original's but for the one flipped part
        if type(bp) is type(mp) and _truth(bv) is not None and mv.status == bv.status:
            return f"{'also proved' if _truth(bv) else 'also refuted'} by its exact computation ({mv.method})"
        raise _NotEquivalent(f"{label} is an exact computation that is only {bv.status} ({bv.method}): "
                             "no procedure decides it")
    if type(bp) is not type(mp):
        raise _NotEquivalent(f"{label} changed kind")
    a, b = meaning(base, where, bp), meaning(mut, where, mp)
    if a.same(b):
        return None
    if _equivalent_hypotheses(a, b):
        return "hypotheses equivalent over the domain (z3: the moved bound or dropped constraint follows from the others)"
    truth = _truth(bv)
    if truth is None:
        raise _NotEquivalent(f"{label} changed and is only {bv.status} ({bv.method}): no procedure decides it")
    got, how = decide_part(mut, mp, [c for c in (bv.counterexample, mv.counterexample) if c])
    if got is None:
        raise _NotEquivalent(f"{label} changed and the decision procedures do not decide it ({how})")
    if got != truth:
        raise _NotEquivalent(f"{label} changed its truth value: {how} (the verifier did not notice)")
    return f"{'also a theorem' if truth else 'also false'}: {how}"


def _domain_unchanged(base: _Side, mut: _Side) -> bool:
    a = {plain(c) for c in base.model.space.conditions()}
    b = {plain(c) for c in mut.model.space.conditions()}
    if a == b or not all(_polynomial(h) for h in a ^ b):
        return a == b
    return _implied(list(a), b - a) and _implied(list(b), a - b)


def _compact(labels) -> str:
    """``CSD-2[1,2], CSD-9*[2]`` for the parts ``CSD-2 part 1``, ``CSD-2 part 2``, ``CSD-9* part 2``."""
    by_claim: dict[str, list[str]] = {}
    for label in labels:
        claim, _, k = label.rpartition(" part ")
        by_claim.setdefault(claim, []).append(k)
    return ", ".join(f"{c}[{','.join(ks)}]" for c, ks in by_claim.items())


def recognise(reference: Reference, model, verdicts, mutant) -> Recognition:
    """Whether the surviving ``mutant`` (its rebuilt ``model`` and ``verdicts``) is shown equivalent
    to the reference model by the procedures of the module docstring."""
    start = time.perf_counter()
    base = reference.side
    mut = _Side(model, {v.claim: v for v in verdicts})
    try:
        bq, mq = _quantities(base), _quantities(mut)
        moved = sorted(n for n in set(bq) | set(mq)
                       if n not in bq or n not in mq or not _same_expression(bq[n], mq[n]))
        if mutant.kind == "cutoff-shift" and moved:
            raise _NotEquivalent(f"a derivation changed ({', '.join(moved)}): a shifted cutoff is a fault "
                                 "the claims alone cannot vouch for")
        changed: dict[str, list[str]] = {}
        undecided = []
        for where, label, bp, bv, mp, mv in _pairs(base.model.claims, base.verdicts, model.claims, mut.verdicts):
            try:
                how = _compare(base, mut, mutant, where, label, bp, bv, mp, mv)
            except _NotEquivalent as exc:  # go on: the reason should name every undecided part
                undecided.append(str(exc))
                continue
            if how is not None:
                changed.setdefault(how, []).append(label)
        if undecided:
            raise _NotEquivalent("; ".join(undecided))
    except _NotEquivalent as exc:
        return Recognition(why_not=str(exc), seconds=time.perf_counter() - start)
    if not changed and not moved:
        reason = "derives the same quantities and claims (every quantity and claim part unchanged)"
    else:
        items = [f"{_compact(labels)}: {how}" for how, labels in changed.items()]
        if mutant.kind == "domain" and _domain_unchanged(base, mut):
            items.insert(0, "the mutated domain is the original one (z3: each set of bounds and constraints "
                            "implies the other)")
        if not changed:
            items.append("every claim part unchanged")
        items.append(f"quantities {', '.join(moved)} changed, but no claim's truth value did" if moved
                     else "every quantity unchanged")
        reason = "; ".join(items)
    return Recognition("automatic: " + reason, seconds=time.perf_counter() - start)
