"""Golden verdicts: every seed model's claims keep the verdicts they had before the models moved
onto the solving layer (``tests/golden/verdicts.json``, recorded from the toolkit of 2026-12-01:
per claim its status, each part's label and status, and the repaired statement's status)."""
import json
from pathlib import Path

import pytest

from derivations import load

GOLDEN = json.loads((Path(__file__).parent / "golden" / "verdicts.json").read_text())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_seed_verdicts_unchanged(name):
    now = {v.claim: {"status": v.status, "parts": [[p.label, p.status] for p in v.parts],
                     "repair": None if v.repair is None else v.repair.status}
           for v in load(name).verify()}
    assert sorted(now) == sorted(GOLDEN[name]), "the set of claims changed"
    for claim, want in GOLDEN[name].items():
        assert now[claim] == want, f"{name} {claim}: {now[claim]} != golden {want}"


def _cx(point):
    return None if point is None else {k: str(x) for k, x in point.items()}


def test_csd_quantities_and_counterexamples_unchanged():
    """CSD moved onto its game tree: every derived quantity (its exact expression, assumptions
    included) and every part's verdict and counterexample as recorded before the move
    (``tests/golden/csd_outputs.json``)."""
    import sympy as sp

    want = json.loads((Path(__file__).parent / "golden" / "csd_outputs.json").read_text())
    m = load("csd_signaling")
    assert {n: {"expr": sp.srepr(q.expr), "kind": q.kind} for n, q in m.quantities.items()} == want["quantities"]
    for v in m.verify():
        got = {"status": v.status, "parts": [[p.label, p.status, _cx(p.counterexample)] for p in v.parts],
               "repair": None if v.repair is None else
               [v.repair.status, [[p.label, p.status, _cx(p.counterexample)] for p in v.repair.parts]]}
        assert got == want["claims"][v.claim], v.claim
