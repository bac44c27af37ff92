"""The z3 decision procedure: proofs, counterexamples (exact), and what it refuses."""
import pytest
import sympy as sp

from symbolic.decide import NotEncodable, decide, simplify_point

x, y = sp.symbols("x y", real=True)


def _violates(goal, hyps):
    def check(point):
        return all(bool(h.subs(point)) for h in hyps) and not bool(goal.subs(point))
    return check


def test_proves_polynomial_inequality():
    hyps = [x > 0, y > 0]
    assert decide(hyps, (x + y) ** 2 >= 4 * x * y).outcome == "proved"


def test_proves_rational_inequality_with_ordering():
    hyps = [x > 0, x < 1, y > 0, y < x]
    assert decide(hyps, y / x < 1).outcome == "proved"


def test_refutes_with_exact_rechecked_counterexample():
    hyps = [x > 0, x < 1]
    goal = x ** 2 > x / 2
    d = decide(hyps, goal, check=_violates(goal, hyps))
    assert d.outcome == "refuted"
    point = d.counterexample
    assert all(isinstance(v, sp.Rational) for v in point.values())
    assert bool(point[x] > 0) and bool(point[x] < 1) and not bool((point[x] ** 2 > point[x] / 2))


def test_irrational_model_is_rounded_then_rechecked():
    # the only violations are near x = sqrt(2); z3 reports an algebraic number
    hyps = [x > 0]
    goal = sp.Or(x ** 2 < 2 - sp.Rational(1, 10**6), x ** 2 > 2 + sp.Rational(1, 10**6))
    d = decide(hyps, goal, check=_violates(goal, hyps))
    assert d.outcome == "refuted"
    assert abs(float(d.counterexample[x]) - 2 ** 0.5) < 1e-3


def test_equivalence_and_piecewise():
    hyps = [x > 0]
    pw = sp.Piecewise((x, x < 1), (1, True))
    assert decide(hyps, sp.Equivalent(pw < 1, x < 1, evaluate=False)).outcome == "proved"
    assert decide(hyps, sp.Min(x, 1) <= 1).outcome == "proved"


def test_square_roots_are_encoded():
    assert decide([x > 0], sp.sqrt(x) ** 2 - x <= 0).outcome == "proved"
    assert decide([x > 1], sp.sqrt(x) < x).outcome == "proved"


def test_denominators_must_not_vanish():
    # 1/x > 0 is true wherever defined on x >= 0
    assert decide([x >= 0], 1 / x > 0).outcome == "proved"


def test_not_encodable():
    with pytest.raises(NotEncodable):
        decide([x > 0], sp.exp(x) > 2 * x)
    f = sp.Function("F")
    with pytest.raises(NotEncodable):
        decide([x > 0], f(x) >= 0)


def test_simplify_point_keeps_violation_and_simplifies():
    goal = x < sp.Rational(1, 3)
    check = _violates(goal, [])
    p = simplify_point({x: sp.Rational(5000001, 10000000)}, check)
    assert p[x] == sp.Rational(1, 2)
    assert simplify_point({x: sp.Rational(1, 10)}, check) is None
