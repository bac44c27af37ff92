"""The solving layer on synthetic models: unknowns, systems, optima, intervals, quantities in
claims.  Closed forms are compared with formulas typed independently here."""
import numpy as np
import pytest
import sympy as sp

from symbolic import NONNEGATIVE, POSITIVE, PROBABILITY, REAL, Claim, DerivationError, Equal, Holds, Model, interval


def _linear_model():
    """Two linear conditions: x + y = a, x - y = b  =>  x = (a + b)/2, y = (a - b)/2."""
    m = Model("lin", "linear")
    a = m.parameter("a", interval(2, 3))
    b = m.parameter("b", interval(0, 1))
    x = m.unknown("x", REAL, "x")
    y = m.unknown("y", REAL, "y")
    return m, a, b, x, y


def test_unknowns_are_listed_apart_and_never_drawn_as_inputs():
    m, a, b, x, y = _linear_model()
    assert list(m.domain.parameters) == ["a", "b"] and list(m.unknowns) == ["x", "y"]
    xs, ys = m.solve([sp.Eq(x + y, a), sp.Eq(x - y, b)], {"x_star": x, "y_star": y})
    assert m.parameters_of("x_star") == ["a", "b"]          # the solution is a function of inputs only
    assert sp.simplify(m.quantity("x_star") - (a + b) / 2) == 0
    assert sp.simplify(m.quantity("y_star") - (a - b) / 2) == 0
    assert m.evaluate("y_star", a=2.5, b=0.5) == pytest.approx(1.0, abs=1e-15)
    with pytest.raises(Exception, match="x"):
        m.domain["x"]                                        # not a parameter
    checks = {c.quantity: c for c in m.cross_check(samples=300)}
    assert checks["x_star"].passed and checks["x_star"].samples == 300


def test_cutoff_accepts_an_unknown():
    m = Model("c", "c")
    w = m.parameter("w", PROBABILITY)
    s = m.unknown("s", interval(0, 1), "s", "a share")
    game = m.payoffs(["A"])
    game.outcome("Accept", A="s")
    game.outcome("Reject", A="w/2")
    cut = m.cutoff("shat", game.prefers("A", "Accept", "Reject"), solve_for=s, latex=r"\hat s")
    assert sp.simplify(m.quantity("shat") - w / 2) == 0 and cut.cutoff.direction == ">="


def test_list_of_preferences_to_cutoff_is_a_clear_error():
    m = Model("c", "c")
    m.parameter("w", PROBABILITY)
    s = m.unknown("s", interval(0, 1))
    game = m.payoffs(["A"])
    game.outcome("X", A="s")
    game.outcome("Y", A="w")
    with pytest.raises(DerivationError, match="Model.interval"):
        m.cutoff("bad", [game.prefers("A", "X", "Y")], solve_for=s, latex="b")


def test_polynomial_system_keeps_only_the_root_in_the_domain():
    """x y = a, x = 2 y with x, y > 0: x = sqrt(2a), y = sqrt(a/2); the negative roots are dropped."""
    m = Model("p", "p")
    a = m.parameter("a", POSITIVE)
    x = m.unknown("x", POSITIVE)
    y = m.unknown("y", POSITIVE)
    sol = m.solve([x * y - a, x - 2 * y], {"xs": x, "ys": y})
    assert sol.unique and len(sol.dropped) == 1
    for v in (0.3, 2.0, 7.5):
        assert m.evaluate("xs", a=v) == pytest.approx(np.sqrt(2 * v), rel=1e-14)
        assert m.evaluate("ys", a=v) == pytest.approx(np.sqrt(v / 2), rel=1e-14)


def test_solutions_on_part_of_the_domain_carry_their_region():
    """x = 1 - a must lie in [0, 1/2]: only where a >= 1/2; eval refuses elsewhere."""
    m = Model("r", "r")
    a = m.parameter("a", PROBABILITY)
    x = m.unknown("x", interval(0, sp.Rational(1, 2)))
    (xs,) = m.solve([x - (1 - a)], {"xs": x})
    assert xs.defined_when is not None
    assert sp.simplify(xs.defined_when.subs(a, sp.Rational(3, 4))) is sp.true
    assert sp.simplify(xs.defined_when.subs(a, sp.Rational(1, 4))) is sp.false
    assert m.evaluate("xs", a=0.75) == pytest.approx(0.25)
    with pytest.raises(Exception, match="not defined"):
        m.evaluate("xs", a=0.25)


def test_coexisting_solutions_are_returned_with_their_regions():
    """x^2 = a with x in [-2, 2]: both +sqrt(a) and -sqrt(a) where a <= 4."""
    m = Model("two", "two")
    a = m.parameter("a", interval(0, 9))
    x = m.unknown("x", interval(-2, 2))
    sol = m.solve([x ** 2 - a], {"xs": x})
    names = [q.name for q in sol.quantities]
    assert names == ["xs_1", "xs_2"]
    values = sorted(m.evaluate(n, a=2.0) for n in names)
    assert values == pytest.approx([-np.sqrt(2), np.sqrt(2)])
    with pytest.raises(Exception, match="not defined"):
        m.evaluate("xs_1", a=5.0)


@pytest.mark.parametrize("conditions, message", [
    (lambda x, y, a: [x + y - a, 2 * x + 2 * y - 2 * a], "dependent.*a continuum"),
    (lambda x, y, a: [x + y - a, x + y - a - 1], "inconsistent.*no solution"),
    (lambda x, y, a: [x ** 2 + a, y - x], "no solution lies in the unknowns' domain.*"),       # not real
    (lambda x, y, a: [x - a - 5, y], "no solution lies in the unknowns' domain"),  # outside [0, 1]
    (lambda x, y, a: [x * y - a], "one per unknown"),
    (lambda x, y, a: [x * (y - a), 2 * x * (y - a)], "continuum"),                  # polynomial, not 0-dim
])
def test_bad_systems_are_one_line_errors(conditions, message):
    m = Model("bad", "bad")
    a = m.parameter("a", PROBABILITY)
    x = m.unknown("x", interval(0, 1))
    y = m.unknown("y", interval(0, 1))
    with pytest.raises(DerivationError, match=message) as err:
        m.solve(conditions(x, y, a), {"xs": x, "ys": y})
    assert "\n" not in str(err.value) and str(err.value).startswith("xs, ys:")


def test_budget_is_enforced():
    m = Model("slow", "slow")
    a = m.parameter("a", POSITIVE)
    xs = [m.unknown(f"x{i}", REAL) for i in range(4)]
    eqs = [sum((i + j + 1) * xs[j] ** (i + 3) for j in range(4)) - a * (i + 1) for i in range(4)]
    with pytest.raises(DerivationError, match="budget"):
        m.solve(eqs, {f"s{i}": x for i, x in enumerate(xs)}, seconds=0.5)


def test_optimum_with_corners_and_derived_interior_region():
    """max_x  t x - x^2 / 2 over [0, 1]: x* = 0 if t <= 0, t if 0 < t < 1, 1 if t >= 1."""
    m = Model("o", "o")
    t = m.parameter("t", interval(-2, 3))
    x = m.unknown("x", interval(0, 1))
    q = m.optimum("xs", t * x - x ** 2 / 2, over=x)
    opt = q.derivation
    assert "concave" in opt.soc_method
    for v, want in ((-1.0, 0.0), (0.4, 0.4), (2.5, 1.0)):
        assert m.evaluate("xs", t=v) == pytest.approx(want)
    assert sp.simplify(sp.And(opt.interior, t > 0, t < 1).subs(t, sp.Rational(1, 2))) is sp.true
    assert opt.interior.subs(t, 2) is sp.false
    check = {c.quantity: c for c in m.cross_check(samples=500)}["xs"]
    assert check.passed, check


def test_optimum_cross_check_catches_a_wrong_optimum():
    """The numeric maximiser is independent: a deliberately wrong closed form fails it."""
    m = Model("o2", "o2")
    t = m.parameter("t", interval(0, 1))
    x = m.unknown("x", interval(0, 1))
    q = m.optimum("xs", t * x - x ** 2 / 2, over=x)
    q.expr = q.expr + sp.Rational(1, 100)
    m._numeric.clear()
    check = {c.quantity: c for c in m.cross_check(samples=200)}["xs"]
    assert not check.passed


def test_minimum_and_single_peaked_objective():
    """min_x (x - a)^4 + x^2 is convex; max_x log(x) - a x (x > 0) has x* = 1/a."""
    m = Model("o3", "o3")
    a = m.parameter("a", POSITIVE)
    x = m.unknown("x", POSITIVE)
    m.optimum("xs", sp.log(x) - a * x, over=x)
    for v in (0.5, 2.0):
        assert m.evaluate("xs", a=v) == pytest.approx(1 / v)


def test_unbounded_objective_is_a_clear_error():
    m = Model("u", "u")
    a = m.parameter("a", POSITIVE)
    x = m.unknown("x", NONNEGATIVE)
    with pytest.raises(DerivationError, match="unbounded"):
        m.optimum("xs", a * x ** 2, over=x)


def test_interval_from_a_conjunction():
    """x >= a/2, x <= 1 - a/2, x <= 3/4 over x in [0, 1]: [a/2, min(3/4, 1 - a/2)], non-empty iff a <= 1."""
    m = Model("i", "i")
    a = m.parameter("a", interval(0, 2, left_open=True))
    x = m.unknown("x", interval(0, 1))
    iv = m.interval("sep", [x >= a / 2, x <= 1 - a / 2, x <= sp.Rational(3, 4)], over=x)
    for v in (0.2, 0.5, 0.9):
        assert m.evaluate("sep_lo", a=v) == pytest.approx(v / 2)
        assert m.evaluate("sep_hi", a=v) == pytest.approx(min(0.75, 1 - v / 2))
    assert iv.nonempty.subs(a, 1) is sp.true and iv.nonempty.subs(a, sp.Rational(3, 2)) is sp.false
    with pytest.raises(Exception, match="not defined"):
        m.evaluate("sep_lo", a=1.5)
    checks = {c.quantity: c for c in m.cross_check(samples=300)}
    assert checks["sep_lo"].passed and checks["sep_hi"].passed


def test_conjunction_in_two_unknowns_is_refused():
    m = Model("i2", "i2")
    a = m.parameter("a", PROBABILITY)
    x = m.unknown("x", interval(0, 1))
    y = m.unknown("y", interval(0, 1))
    with pytest.raises(DerivationError, match="one unknown"):
        m.interval("bad", [x >= a, x <= y], over=x)


def test_quantities_compare_and_are_printed_by_name():
    m, a, b, x, y = _linear_model()
    xs, ys = m.solve([sp.Eq(x + y, a), sp.Eq(x - y, b)], {"x_star": x, "y_star": y})
    m.claim(Claim("Q-1", "x* >= y*", [Holds(xs >= ys, "x* >= y*")]))
    m.claim(Claim("Q-2", "x* > 2 y* (false)", [Holds(xs.symbol > 2 * ys.symbol, "x* > 2 y*")]))
    m.claim(Claim("Q-3", "x* - y* = b", [Equal(xs - ys, b, "difference")]))
    verdicts = {v.claim: v for v in m.verify(samples=300)}
    assert verdicts["Q-1"].status == "proved"
    assert verdicts["Q-2"].status == "refuted"
    cx = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in verdicts["Q-2"].counterexample.items()}
    at = {s.name: v for s, v in cx.items()}
    assert not ((at["a"] + at["b"]) / 2 > 2 * (at["a"] - at["b"]) / 2)      # confirmed independently
    assert verdicts["Q-3"].status == "proved"
    from symbolic.latex import proposition
    assert "x^*" in proposition(m.claims[0].parts[0], m) or "{x}^*" in proposition(m.claims[0].parts[0], m)


def test_claims_over_unknowns_are_checked_for_every_value():
    m = Model("cu", "cu")
    a = m.parameter("a", POSITIVE)
    x = m.unknown("x", POSITIVE)
    m.claim(Claim("U-1", "the marginal objective 1 - 2 a x stays below 1", [Holds(sp.StrictLessThan(sp.diff(-a * x ** 2 + x, x), 1, evaluate=False), "concave")]))
    m.claim(Claim("U-2", "a x < 1 (false for large x)", [Holds(a * x < 1, "a x < 1")]))
    v = {v.claim: v for v in m.verify(samples=200)}
    assert v["U-1"].status == "proved" and v["U-2"].status == "refuted"
    assert set(v["U-2"].counterexample) == {"a", "x"}


def test_within_narrows_the_unknowns_domain():
    """max_q (a - q - c) q over [0, K] with q >= 0 kept: 0 if a <= c, K if a >= c + 2K, else (a - c)/2."""
    m = Model("cap", "cap")
    a = m.parameter("a", POSITIVE)
    c = m.parameter("c", NONNEGATIVE)
    K = m.parameter("K", POSITIVE)
    q = m.unknown("q", NONNEGATIVE)
    m.optimum("q_star", (a - q - c) * q, over=q, within=(0, K))
    for av, cv, Kv in ((1, 2, 3), (10, 2, 1), (5, 1, 10)):
        want = 0 if av <= cv else (Kv if av >= cv + 2 * Kv else (av - cv) / 2)
        assert m.evaluate("q_star", a=av, c=cv, K=Kv) == pytest.approx(want)


def test_optimum_always_at_a_corner_and_empty_interval():
    m = Model("corner", "corner")
    d = m.parameter("d", PROBABILITY)
    y = m.unknown("y", REAL)
    q = m.optimum("y_star", -(y - d) ** 2, over=y, within=(2, 3))
    assert q.expr == 2 and q.derivation.interior is sp.false
    with pytest.raises(DerivationError, match="empty"):
        m.optimum("y_bad", -(y - d) ** 2, over=y, within=(1, 0))


def test_holds_needs_a_condition_and_same_sides_are_proved():
    from symbolic import Equivalent, ToolkitError
    m, a, b, x, y = _linear_model()
    xs, ys = m.solve([sp.Eq(x + y, a), sp.Eq(x - y, b)], {"x_star": x, "y_star": y})
    with pytest.raises(ToolkitError, match="needs a condition"):
        Holds(xs, "not a condition")
    iv_model = Model("iv", "iv")
    p = iv_model.parameter("p", PROBABILITY)
    V = iv_model.parameter("V", POSITIVE)
    t = iv_model.unknown("t", NONNEGATIVE)
    iv = iv_model.interval("bribe", [t >= p, t <= V], over=t)
    iv_model.claim(Claim("I-1", "non-empty iff p <= V", [Equivalent(iv.nonempty, p <= V, "derived = stated")]))
    assert iv_model.verify(samples=100)[0].status == "proved"


def test_eval_outside_a_region_with_a_vanishing_denominator_is_refused():
    m = Model("z", "z")
    w = m.parameter("w", POSITIVE)
    c = m.parameter("c", POSITIVE)
    m.derived("share", w / (c - 1 + w), "s", defined_when=sp.And(w / (c - 1 + w) > 0, (c - 1) / (c - 1 + w) > 0))
    with pytest.raises(Exception, match="not defined"):
        m.evaluate("share", w=0.5, c=0.5)
