"""Parameters and domains: SymPy assumptions, membership, errors, the sampler."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbolic import NONNEGATIVE, POSITIVE, PROBABILITY, REAL, UNIT_INTERVAL, DomainError, Model, interval
from symbolic.errors import UnknownNameError


def test_symbols_carry_assumptions():
    m = Model("a", "a")
    assert m.parameter("x", POSITIVE).is_positive
    assert m.parameter("y", NONNEGATIVE).is_nonnegative
    assert m.parameter("z", NONNEGATIVE).is_positive is None
    assert m.parameter("u", REAL).is_real and m.parameter("u2", REAL).is_positive is None


def test_bounds_are_unevaluated_relations():
    # a positive symbol would make `x > 0` evaluate to True and vanish from z3's constraints
    x = sp.Symbol("x", positive=True)
    rels = PROBABILITY.relations(x)
    assert len(rels) == 2 and all(isinstance(r, sp.Rel) for r in rels)


def test_interval_rejects_empty():
    with pytest.raises(ValueError):
        interval(1, 0)


def test_check_messages_name_parameter_and_domain(ordered_model):
    m, p, q = ordered_model
    with pytest.raises(DomainError, match=r"p=1.5 is outside its domain: p in \(0, 1\)"):
        m.domain.check({"p": "1.5"})
    with pytest.raises(DomainError, match="not a number"):
        m.domain.check({"p": "abc"})
    with pytest.raises(DomainError, match="not finite"):
        m.domain.check({"p": "inf"})
    with pytest.raises(DomainError, match="missing value for q"):
        m.domain.check({"p": "0.5"}, needed=["p", "q"])
    with pytest.raises(DomainError, match="constraint q < p"):
        m.domain.check({"p": "0.2", "q": "0.5"})
    with pytest.raises(UnknownNameError, match="unknown parameter 'r'"):
        m.domain.check({"r": "0.5"})
    assert m.domain.check({"p": "0.5", "q": "0.25"}) == {"p": 0.5, "q": 0.25}


def test_closed_ends_are_inclusive():
    m = Model("c", "c")
    m.parameter("F", UNIT_INTERVAL)
    assert m.domain.check({"F": 0}) == {"F": 0.0}
    assert m.domain.check({"F": 1}) == {"F": 1.0}
    m2 = Model("o", "o")
    m2.parameter("s", PROBABILITY)
    with pytest.raises(DomainError):
        m2.domain.check({"s": 0})


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400))
def test_sampler_stays_inside_domain(seed, n):
    m = Model("s", "s")
    p = m.parameter("p", PROBABILITY)
    q = m.parameter("q", PROBABILITY)
    c = m.parameter("c", POSITIVE)
    a = m.parameter("a", NONNEGATIVE)
    m.parameter("F", UNIT_INTERVAL)
    m.parameter("x", REAL)
    m.constrain(q < p)
    m.constrain(c <= a + 1)
    draws = m.domain.sample(n, seed)
    assert all(len(v) == n for v in draws.values())
    assert m.domain.contains(draws).all()
    assert (draws["q"] < draws["p"]).all() and (draws["c"] <= draws["a"] + 1).all()
    assert np.isfinite(draws["x"]).all() and ((draws["F"] >= 0) & (draws["F"] <= 1)).all()


def test_sampler_is_seeded_and_respects_given(ordered_model):
    m, p, q = ordered_model
    a = m.domain.sample(500, 7, given=[p > sp.Rational(9, 10)])
    b = m.domain.sample(500, 7, given=[p > sp.Rational(9, 10)])
    assert np.array_equal(a["p"], b["p"]) and (a["p"] > 0.9).all()


def test_sampler_reports_empty_condition(ordered_model):
    from symbolic import DerivationError
    m, p, q = ordered_model
    with pytest.raises(DerivationError, match="could not sample"):
        m.domain.sample(10, 0, given=[p > 2], max_rounds=3)
    # a condition that accepts nothing stops once the rest of the budget could not make up n
    # even at a rate far above the one observed (1000 draws per round, 200 rounds allowed)
    with pytest.raises(DerivationError, match=r"could not sample.*in (\d+) draws \(at that rate the budget of 200000"):
        m.domain.sample(10, 0, given=[p > 2])


def test_sampler_hits_closed_bounds_and_near_open_ones():
    m = Model("b", "b")
    m.parameter("F", UNIT_INTERVAL)
    m.parameter("s", PROBABILITY)
    d = m.domain.sample(20000, 1)
    assert (d["F"] == 0).any() and (d["F"] == 1).any()
    assert d["s"].min() < 1e-3 and d["s"].max() > 1 - 1e-3
