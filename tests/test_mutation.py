"""The mutation harness: faults are injected one at a time and must be noticed.

The full CSD run (about 150 mutants) takes minutes; it runs when FULL_MUTATION=1 (CI sets it) and
otherwise every fourth mutant is run.  The alliance model's 197 mutants take about 20 minutes with two
workers in full (FULL_MUTATION=1 runs every other one); otherwise every eighth mutant and the cutoff shifts run.
The Called Bluff model's 97 mutants (about 5 minutes) run only with FULL_MUTATION=1.

The equivalence recogniser (:mod:`symbolic.equivalence`) is tested on a small synthetic model with a
mutant for each of its procedures, mutants it must not recognise (a part checked only numerically, a
changed truth value the verdicts do not show) and declarations it makes redundant.
"""
import io
import os
from collections import Counter
from pathlib import Path

import pytest
import sympy as sp

import derivations
from derivations import audit
from symbolic import NONNEGATIVE, POSITIVE, PROBABILITY, Claim, Equal, Holds, Model, equivalence, mutation

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "audience_costs.py")


def test_every_kind_of_fault_is_generated():
    kinds = Counter(m.kind for m in mutation.enumerate_mutants(derivations.module(EXAMPLE).build))
    assert set(kinds) == {"payoff-sign", "payoff-drop", "payoff-scale", "payoff-swap", "cutoff-shift",
                          "claim-flip", "domain"}
    ids = [m.id for m in mutation.enumerate_mutants(derivations.module(EXAMPLE).build)]
    assert len(ids) == len(set(ids))          # stable, unique ids (equivalents are declared by id)


def test_tutorial_model_mutants():
    report = mutation.run("example", derivations.module(EXAMPLE).build, samples=200)
    assert not report.false_alarms
    assert not [r for r in report.results if "CRASH" in r.how]
    # the two mutants not caught widen a bound no claim depends on: z3 decides every claim part they
    # change again, with the same truth value, so both are recognised as equivalent
    assert report.survivors == []
    assert {r.id for r in report.automatic} == {"domain:w:lo=-1", "domain:k:lo=-1"}
    assert report.score[0] == report.score[1] == len(report.results) - 2
    shifted = next(r for r in report.results if r.id == "cutoff-shift:khat")
    assert shifted.caught and "cross-check disagrees: khat" in shifted.how and "AC-1" in shifted.how


def test_unmutated_model_raises_no_false_alarm():
    mod = derivations.module("csd_signaling")
    base = mutation.fingerprint(mod.build(), 300, 0)
    assert base[1] == [] and mutation.fingerprint(mod.build(), 300, 0) == base


@pytest.mark.parametrize("name", ["csd_signaling", "called_bluff", "alliance_moral_hazard"])
def test_declared_equivalents_name_real_mutants(name):
    mod = derivations.module(name)
    ids = {m.id for m in mutation.enumerate_mutants(mod.build)}
    assert set(mod.MUTATION_EQUIVALENTS) <= ids and all(mod.MUTATION_EQUIVALENTS.values())


@pytest.mark.parametrize("name, every", [("csd_signaling", 4), ("alliance_moral_hazard", 8), ("called_bluff", None)])
def test_mutants_are_all_caught(name, every):
    """Every ``every``-th mutant plus every cutoff shift; with FULL_MUTATION=1 (CI) all of them
    except alliance's, of which every other one (FULL_MUTATION=all: all 197; Called Bluff only then).  No survivor, no
    false alarm, and no declaration that the recogniser makes redundant or that is caught."""
    mod = derivations.module(name)
    level = os.environ.get("FULL_MUTATION", "")
    full = level in ("1", "all")
    if every is None and not full:
        pytest.skip("runs with FULL_MUTATION=1")
    # CI (FULL_MUTATION=1) runs every mutant of CSD and Called Bluff and every other alliance mutant
    # (its proof procedures made each alliance verification about 3x slower; the whole run would not
    # fit CI's budget); FULL_MUTATION=all, or `python -m derivations audit`, runs every one
    every = 1 if level == "all" or (full and name != "alliance_moral_hazard") else 2 if full else every
    mutants = mutation.enumerate_mutants(mod.build)
    chosen = {m.id for i, m in enumerate(mutants) if i % every == 0 or m.kind == "cutoff-shift"}
    report = mutation.run(name, mod.build, mod.MUTATION_EQUIVALENTS, samples=300, workers=2,
                          only=lambda m: m.id in chosen)
    assert not report.false_alarms
    assert not [r.id for r in report.results if "CRASH" in r.how]
    assert [r.id for r in report.survivors] == []
    assert [r.id for r in report.redundant] == []     # recognised: delete the declaration
    assert [r.id for r in report.stale] == []         # caught: the declaration is wrong or out of date
    caught, counted = report.score
    assert caught == counted > 0


# -- the equivalence recogniser on a synthetic model ------------------------------------------------
def synthetic() -> Model:
    """A leader fights (payoff w - k) or backs down (-a); the public's payoffs enter nothing.

    S-1 is proved symbolically, S-2 by z3, S-3 only numerically (no procedure proves
    e^r >= 1 + r + r^2/2 on the unbounded r > 0), S-4 is false."""
    m = Model("synthetic", title="equivalence recogniser test model")
    w = m.parameter("w", PROBABILITY, "w", "the leader's probability of winning")
    k = m.parameter("k", POSITIVE, "k", "the cost of war")
    a = m.parameter("a", NONNEGATIVE, "a", "the audience cost")
    q = m.parameter("q", PROBABILITY, "q", "a probability below w")
    r = m.parameter("r", POSITIVE, "r", "a parameter only S-3 uses")
    m.constrain(q < w)
    game = m.payoffs(["Leader", "Public"])
    game.outcome("Fight", "war", Leader="w - k", Public="q - 1")
    game.outcome("BackDown", "backs down", Leader="-a", Public="q")
    fights = game.prefers("Leader", "Fight", "BackDown", "the leader fights")
    khat = m.cutoff("khat", fights, solve_for=k, latex=r"\hat k", description="the costliest war fought")
    m.claim(Claim("S-1", "khat = w + a", [Equal(khat, w + a, "khat = w + a")], about=["khat"]))
    m.claim(Claim("S-2", "w + a > q", [Holds(w + a > q, "w + a > q", given=[k < 1])]))
    m.claim(Claim("S-3", "e^r >= 1 + r + r^2/2", [Holds(sp.exp(r) >= 1 + r + r**2 / 2, "e^r >= 1 + r + r^2/2",
                                                        given=[a < 1])]))
    m.claim(Claim("S-4", "war costs less than a + 1", [Holds(k < a + 1, "k < a + 1")]))
    return m


HAND = "the public's payoffs enter no decision (declared by hand)"
SYNTHETIC = {
    "payoff-sign:Fight.Public:q": "same derivation",
    "domain:q:hi=2": "implied bound",
    "domain:k:lo=-1": "decided again",
    "claim-flip:S-2:part1:hypothesis 1 (k < 1) reversed": "decided again",
    "claim-flip:S-3:part1:hypothesis 1 (a < 1) reversed": "numeric only",
    "cutoff-shift:khat": "caught",
}


@pytest.fixture(scope="module")
def synthetic_report():
    ids = {m.id for m in mutation.enumerate_mutants(synthetic)}
    assert set(SYNTHETIC) <= ids
    equivalents = {"payoff-sign:Fight.Public:q": HAND, "cutoff-shift:khat": "declared, wrongly"}
    report = mutation.run("synthetic", synthetic, equivalents, samples=200, only=lambda m: m.id in SYNTHETIC)
    return report, {r.id: r for r in report.results}


def test_synthetic_verdicts():
    status = {v.claim: v.status for v in synthetic().verify(samples=200)}
    assert status == {"S-1": "proved", "S-2": "proved", "S-3": "checked", "S-4": "refuted"}


def test_recogniser_same_derivation(synthetic_report):
    """Procedure 1: a payoff nothing uses -- every quantity and claim part is unchanged."""
    report, by_id = synthetic_report
    r = by_id["payoff-sign:Fight.Public:q"]
    assert not r.caught and r.equivalence == "automatic"
    assert r.equivalent.startswith("automatic: derives the same quantities and claims")


def test_recogniser_implied_bound(synthetic_report):
    """Procedure 2: q < 2 is implied by q < w < 1; z3 shows the two domains are one set."""
    r = synthetic_report[1]["domain:q:hi=2"]
    assert r.equivalence == "automatic"
    assert "the mutated domain is the original one" in r.equivalent
    assert "hypotheses equivalent over the domain" in r.equivalent


def test_recogniser_decides_changed_parts_again(synthetic_report):
    """Procedure 3: the changed parts are decided again by z3 or symbolically with the same truth
    value -- a theorem stays a theorem, and the false S-4 stays false (its counterexample re-checked
    by exact substitution); S-3, which k does not touch, is unchanged."""
    by_id = synthetic_report[1]
    flip = by_id["claim-flip:S-2:part1:hypothesis 1 (k < 1) reversed"]
    assert flip.equivalence == "automatic" and "S-2[1]: also a theorem: proved (z3)" in flip.equivalent
    widened = by_id["domain:k:lo=-1"]
    assert widened.equivalence == "automatic"
    assert "S-2[1]: also a theorem" in widened.equivalent
    assert "S-4[1]: also false: refuted" in widened.equivalent and "exact substitution" in widened.equivalent
    assert "S-3" not in widened.equivalent


def test_recogniser_ignores_numeric_evidence(synthetic_report):
    """A mutant that changes a part only checked numerically is never recognised, although the
    mutated part is true: it survives, and says why."""
    report, by_id = synthetic_report
    mid = "claim-flip:S-3:part1:hypothesis 1 (a < 1) reversed"
    r = by_id[mid]
    assert not r.caught and r.equivalence == "" and not r.equivalent
    assert "S-3 part 1 changed and is only checked (numeric" in r.not_recognised
    assert [r.id for r in report.survivors] == [mid]


def test_recogniser_flags_declarations(synthetic_report):
    """A declaration the recogniser makes redundant is listed, and so is one of a caught mutant;
    neither counts as a declared equivalent."""
    report, by_id = synthetic_report
    assert [r.id for r in report.redundant] == ["payoff-sign:Fight.Public:q"]
    assert by_id["payoff-sign:Fight.Public:q"].declared == HAND
    assert [r.id for r in report.stale] == ["cutoff-shift:khat"] and by_id["cutoff-shift:khat"].caught
    assert report.declared == []
    out = io.StringIO()
    clean = audit.print_mutation([report], write=lambda line: out.write(line + "\n"))
    text = out.getvalue()
    assert not clean                                   # a survivor
    assert "synthetic: equivalent: 4 recognised automatically, 0 declared by hand" in text
    assert "overall: equivalent: 4 recognised automatically, 0 declared by hand" in text
    assert "DECLARED BUT RECOGNISED AUTOMATICALLY synthetic: payoff-sign:Fight.Public:q" in text
    assert "DECLARED BUT CAUGHT synthetic: cutoff-shift:khat" in text
    assert "SURVIVED synthetic: claim-flip:S-3:part1" in text and "only checked" in text


def test_declared_equivalent_still_counts():
    """A survivor the recogniser cannot decide but the model declares is a declared equivalent."""
    mid = "claim-flip:S-3:part1:hypothesis 1 (a < 1) reversed"
    why = "S-3 does not involve a: the hypothesis a < 1 or a > 1 leaves every value of r possible"
    report = mutation.run("synthetic", synthetic, {mid: why}, samples=200, only=lambda m: m.id == mid)
    (r,) = report.results
    assert r.equivalence == "declared" and r.equivalent == why and report.survivors == []
    assert report.score == (0, 0) and [x.id for x in report.declared] == [mid]


def test_recogniser_does_not_trust_the_verdicts():
    """Shown a mutant whose verdicts are (wrongly) the original's, the recogniser decides the changed
    part itself: khat = w + a + 1/7 is false, so the mutant is not equivalent."""
    base = synthetic()
    reference = equivalence.Reference(base, base.verify(samples=200))
    mutant = next(m for m in mutation.enumerate_mutants(synthetic) if m.id.startswith("claim-flip:S-1:"))
    with mutant.patch():
        model = synthetic()
    found = equivalence.recognise(reference, model, base.verify(samples=200), mutant)
    assert not found.reason
    assert "S-1 part 1 changed its truth value" in found.why_not


def test_cutoff_shift_is_never_recognised():
    """A shifted cutoff is a fault in a derivation: not equivalent even where no claim notices."""
    base = synthetic()
    verdicts = base.verify(samples=200)
    reference = equivalence.Reference(base, verdicts)
    mutant = next(m for m in mutation.enumerate_mutants(synthetic) if m.kind == "cutoff-shift")
    with mutant.patch():
        model = synthetic()
    found = equivalence.recognise(reference, model, verdicts, mutant)
    assert not found.reason and "a derivation changed (khat)" in found.why_not
