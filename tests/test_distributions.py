"""Tests for symbolic.distributions and symbolic.implicit (model-agnostic core modules)."""
import numpy as np
import pytest
import sympy as sp

from symbolic import ToolkitError
from symbolic import distributions as D
from symbolic.implicit import compose, implicit, invert_increasing, lift_piecewise

cbar = sp.Symbol("cbar", positive=True)
t = sp.Symbol("t", positive=True)
gamma = sp.Symbol("gamma", positive=True)


def test_uniform_closed_forms_by_integration():
    u = D.get("uniform").bind(cbar)
    assert sp.simplify(u.conditional_expectation(t).args[0][0] - t / 2) == 0   # interior: half the cutoff
    assert sp.simplify(u.conditional_expectation(t).args[1][0] - cbar / 2) == 0  # beyond the support
    assert u.inverse(sp.Rational(1, 3)) == cbar / 3
    assert u.cdf(sp.Integer(-1)) == 0 and u.cdf(cbar + 1) == 1
    assert u.cdf(cbar / 2) == sp.Rational(1, 2)


def test_power_family_conditional_expectation_matches_quadrature():
    """E[c | c < t] derived by integration vs scipy quad at 50 seeded points, tolerance 1e-10."""
    from scipy.integrate import quad

    dist = D.get("power").bind(cbar, gamma=gamma)
    f = sp.lambdify((t, cbar, gamma), dist.conditional_expectation(t), "numpy")
    rng = np.random.default_rng(1)
    for _ in range(50):
        cb, g = rng.uniform(0.2, 3), rng.uniform(0.3, 4)
        tt = rng.uniform(0.01, 1.5 * cb)
        top = min(tt, cb)
        num = quad(lambda c, g=g, cb=cb: c * g * c ** (g - 1) / cb ** g, 0, top, epsabs=1e-14, epsrel=1e-13)[0]
        assert abs(f(tt, cb, g) - num / (top / cb) ** g) < 1e-10


def test_integrated_cdf_is_an_antiderivative_on_each_piece():
    dist = D.get("power").bind(cbar, gamma=gamma)
    H = dist.integrated_cdf(t)
    for (h, _), (F, _) in zip(H.args, dist.cdf(t).args[-2:]):
        assert sp.simplify(sp.diff(h, t) - F) == 0
    # continuity at the end of the support
    assert sp.simplify(H.args[0][0].subs(t, cbar) - H.args[1][0].subs(t, cbar)) == 0


def test_general_cdf_leibniz_rule():
    G = D.GENERAL.bind(cbar, "s")
    PE = G.partial_expectation(t)
    assert sp.simplify(sp.diff(PE, t) - t * sp.diff(G.F(t), t)) == 0
    assert not G.family.concrete


def test_cdf_below_equals_the_clipped_comparison():
    """F(t) < u written without Piecewise agrees with the clipped CDF on a 40x40 grid."""
    u = sp.Symbol("u", real=True)
    dist = D.get("uniform").bind(cbar)
    lhs = sp.lambdify((t, u, cbar), dist.cdf_below(t, u), "numpy")
    rhs = sp.lambdify((t, u, cbar), dist.cdf(t) < u, "numpy")
    T, U = np.meshgrid(np.linspace(0.01, 3, 40), np.linspace(0.05, 1.5, 40))
    assert np.array_equal(lhs(T, U, 1.3), rhs(T, U, 1.3))


def test_unknown_distribution_is_a_one_line_toolkit_error():
    with pytest.raises(ToolkitError) as err:
        D.get("beta")
    assert "\n" not in str(err.value) and "uniform" in str(err.value)


def test_implicit_function_values_and_derivative():
    """v^3 + a v - y = 0: bisection value and the implicit-function derivative vs central differences."""
    v, a, y = sp.symbols("v a y", positive=True)
    V = implicit("root", v ** 3 + a * v - y, v, (0, y + 1), params=(a, y))
    f = sp.lambdify((a, y), V, "numpy")
    df = sp.lambdify((a, y), sp.diff(V, y), "numpy")
    aa, yy = np.array([0.5, 2.0, 1.0]), np.array([1.0, 3.0, 0.2])
    r = f(aa, yy)
    assert np.max(np.abs(r ** 3 + aa * r - yy)) < 1e-12
    h = 1e-6
    fd = (f(aa, yy + h) - f(aa, yy - h)) / (2 * h)
    assert np.max(np.abs(fd - df(aa, yy))) < 1e-7


def test_invert_increasing_picks_the_root_on_each_piece():
    w, y = sp.symbols("w y", nonnegative=True)
    sol = invert_increasing([(w ** 2 / (2 * cbar), cbar), (w - cbar / 2, None)], w, y, [cbar > 0])
    f = sp.lambdify((y, cbar), sol, "numpy")
    for yy, cb in ((0.1, 1.0), (0.7, 1.0), (2.0, 0.5)):
        ww = f(yy, cb)
        h = ww ** 2 / (2 * cb) if ww < cb else ww - cb / 2
        assert abs(h - yy) < 1e-12 and ww >= 0


def test_compose_keeps_conditions_free_of_piecewise():
    x, y = sp.symbols("x y", real=True)
    outer = sp.Piecewise((x ** 2, x < 1), (x, True))
    inner = sp.Piecewise((y + 1, y < 0), (2 * y, True))
    out = compose(outer, x, inner)
    for node in sp.preorder_traversal(out):
        if isinstance(node, sp.Piecewise):
            assert all(not c.has(sp.Piecewise) for _, c in node.args)
    f, g = sp.lambdify(y, out), sp.lambdify(y, outer.subs(x, inner))
    for yy in (-2.0, -0.5, 0.2, 0.7, 3.0):
        assert abs(f(yy) - g(yy)) < 1e-12
    assert lift_piecewise(x + 1) == x + 1
