"""Shared fixtures: small synthetic models with known answers."""
import pytest
import sympy as sp

from symbolic import NONNEGATIVE, POSITIVE, PROBABILITY, Model


@pytest.fixture
def entry_model():
    """Entry deterrence: an incumbent fights entry iff its cost c <= v*w + r.

    Payoffs: fight w*v - c, accommodate -r (reputation loss).  Cutoff chat = w*v + r.
    """
    m = Model("entry", title="Entry deterrence")
    w = m.parameter("w", PROBABILITY, "w")
    v = m.parameter("v", POSITIVE, "v", sample_range=(0, 3))
    c = m.parameter("c", POSITIVE, "c")
    r = m.parameter("r", NONNEGATIVE, "r")
    game = m.payoffs(["I"])
    game.outcome("Fight", I="w*v - c")
    game.outcome("Accommodate", I="-r")
    return m, game, dict(w=w, v=v, c=c, r=r)


@pytest.fixture
def ordered_model():
    """Two probabilities with q < p, used for ordering constraints."""
    m = Model("ordered", title="Ordered")
    p = m.parameter("p", PROBABILITY)
    q = m.parameter("q", PROBABILITY)
    m.constrain(sp.StrictLessThan(q, p), "q below p")
    return m, p, q


@pytest.fixture(autouse=True)
def _no_result_cache(monkeypatch):
    """Tests compute results afresh unless they test the cache itself."""
    monkeypatch.setenv("GT_DERIVATIONS_NO_CACHE", "1")
