"""Cutoffs solved from indifference conditions, on synthetic models with known answers."""
import numpy as np
import pytest
import sympy as sp

from symbolic import POSITIVE, REAL, DerivationError, Model
from symbolic.errors import UnknownNameError


def test_linear_cutoff_and_direction(entry_model):
    m, game, s = entry_model
    fights = game.prefers("I", "Fight", "Accommodate")
    chat = m.cutoff("chat", fights, solve_for=s["c"], latex=r"\hat c")
    assert sp.simplify(chat.expr - (s["w"] * s["v"] + s["r"])) == 0
    assert chat.cutoff.direction == "<="          # fights iff c <= chat
    # solving the same indifference for r flips the direction: fights iff r >= c - w v
    rhat = m.cutoff("rhat", fights, solve_for=s["r"], latex=r"\hat r")
    assert rhat.cutoff.direction == ">=" and sp.simplify(rhat.expr - (s["c"] - s["w"] * s["v"])) == 0


def test_lottery_preferences(entry_model):
    m, game, s = entry_model
    lottery = {"Fight": s["w"], "Accommodate": 1 - s["w"]}
    pref = game.prefers("I", lottery, "Accommodate")
    expected = s["w"] * (s["w"] * s["v"] - s["c"]) + (1 - s["w"]) * (-s["r"]) + s["r"]
    assert sp.simplify(pref.difference - expected) == 0


def test_display_form_must_equal_derived(entry_model):
    m, game, s = entry_model
    fights = game.prefers("I", "Fight", "Accommodate")
    from symbolic import ToolkitError
    with pytest.raises(ToolkitError, match="not equal"):
        m.cutoff("bad", fights, solve_for=s["c"], latex="x", display="w*v - r")
    q = m.cutoff("good", fights, solve_for=s["c"], latex="x", display="w*v + r")
    from symbolic.latex import tex
    assert tex(q.display, m) == "w v + r"  # kept in the order written
    assert tex(q.expr, m) != "w v + r"     # SymPy's own order differs


def test_direction_undecidable_is_an_error():
    m = Model("u", "u")
    a = m.parameter("a", REAL)
    x = m.parameter("x", REAL)
    game = m.payoffs(["P"])
    game.outcome("A", P=a * x)
    game.outcome("B", P=0)
    with pytest.raises(DerivationError, match="may vanish or change sign"):
        m.cutoff("xhat", game.prefers("P", "A", "B"), solve_for=x, latex="x")


def test_no_dependence_is_an_error(entry_model):
    m, game, s = entry_model
    with pytest.raises(DerivationError, match="does not depend on"):
        m.cutoff("vhat", game.prefers("I", "Accommodate", "Accommodate"), solve_for=s["c"], latex="x")


def test_quadratic_root_in_domain():
    # u(A) - u(B) = t - x^2 with x > 0: A preferred iff x <= sqrt(t)
    m = Model("q", "q")
    t = m.parameter("t", POSITIVE)
    x = m.parameter("x", POSITIVE)
    game = m.payoffs(["P"])
    game.outcome("A", P=t - x ** 2)
    game.outcome("B", P=0)
    xhat = m.cutoff("xhat", game.prefers("P", "A", "B"), solve_for=x, latex=r"\hat x")
    assert sp.simplify(xhat.expr - sp.sqrt(t)) == 0 and xhat.cutoff.direction == "<="
    assert m.cross_check(samples=500)[0].passed


def test_unknown_player_and_outcome(entry_model):
    m, game, s = entry_model
    with pytest.raises(UnknownNameError, match="unknown player"):
        game.payoff("X", "Fight")
    with pytest.raises(UnknownNameError, match="unknown outcome"):
        game.payoff("I", "Peace")


def test_cross_check_detects_a_wrong_closed_form(entry_model):
    m, game, s = entry_model
    q = m.cutoff("chat", game.prefers("I", "Fight", "Accommodate"), solve_for=s["c"], latex="x")
    assert all(c.passed for c in m.cross_check(samples=300))
    q.expr = q.expr + sp.Rational(1, 1000)       # a cutoff off by a constant
    m._numeric.clear(); m._verdicts.clear()
    check = m.cross_check(samples=300)[0]
    assert not check.passed and check.max_error > 1e-4


def test_numeric_is_vectorised_and_checks_arguments(entry_model):
    m, game, s = entry_model
    m.cutoff("chat", game.prefers("I", "Fight", "Accommodate"), solve_for=s["c"], latex="x")
    f = m.numeric("chat")
    w = np.linspace(0.1, 0.9, 5)
    out = f(w=w, v=2.0, r=0.5)
    assert out.shape == (5,) and np.allclose(out, w * 2 + 0.5, rtol=0, atol=1e-15)
    assert isinstance(f(w=0.5, v=2.0, r=0.5), float)
    from symbolic import DomainError
    with pytest.raises(DomainError, match="needs values for: r"):
        f(w=0.5, v=2.0)
    with pytest.raises(DomainError, match="outside its domain"):
        m.evaluate("chat", w=1.5, v=2.0, r=0.5)
