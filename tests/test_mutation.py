"""The mutation harness: faults are injected one at a time and must be noticed.

The full CSD run (about 150 mutants) takes minutes; it runs when FULL_MUTATION=1 (CI sets it) and
otherwise every fourth mutant is run.  The alliance model's 197 mutants take about 18 minutes with two
workers in full (also with FULL_MUTATION=1); otherwise every sixth mutant and the cutoff shifts run.
"""
import os
from collections import Counter
from pathlib import Path

import pytest

import derivations
from symbolic import mutation

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
    # the only survivors widen a bound that no claim of the tutorial depends on
    assert {r.id for r in report.survivors} == {"domain:w:lo=-1", "domain:k:lo=-1"}
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


@pytest.mark.parametrize("name, every", [("csd_signaling", 4), ("alliance_moral_hazard", 6)])
def test_mutants_are_all_caught(name, every):
    """Every ``every``-th mutant plus every cutoff shift; with FULL_MUTATION=1 (CI) all of them
    (alliance: 197 mutants, the longest test of the suite)."""
    mod = derivations.module(name)
    every = 1 if os.environ.get("FULL_MUTATION") == "1" else every
    mutants = mutation.enumerate_mutants(mod.build)
    chosen = {m.id for i, m in enumerate(mutants) if i % every == 0 or m.kind == "cutoff-shift"}
    report = mutation.run(name, mod.build, mod.MUTATION_EQUIVALENTS, samples=300, workers=2,
                          only=lambda m: m.id in chosen)
    assert not report.false_alarms
    assert not [r.id for r in report.results if "CRASH" in r.how]
    assert [r.id for r in report.survivors] == []
    caught, counted = report.score
    assert caught == counted > 0
