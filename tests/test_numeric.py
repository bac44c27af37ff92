"""The vectorised root finders of symbolic.numeric (the independent solvers of the cross-checks)."""
import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbolic.numeric import find_root, mp_recheck, root_bracketed, tanh_sinh


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=20), st.floats(0.1, 5))
def test_root_bracketed_finds_roots_of_monotone_functions(roots, k):
    """x^3 + k x - c on a wide bracket: the root to 1e-12 relative to (1 + |root|)."""
    r = np.array(roots)
    c = r**3 + k * r
    x = root_bracketed(lambda x: x**3 + k * x - c, np.full(r.shape, -100.0), np.full(r.shape, 100.0))
    assert np.all(np.abs(x - r) <= 1e-12 * (1 + np.abs(r)))


def test_root_bracketed_is_faster_than_bisection_and_survives_jumps():
    calls = []

    def g(x):
        calls.append(1)
        return np.exp(x) - 2.0 + np.where(x > 1.5, 3.0, 0.0)  # smooth root at log 2, a jump at 1.5

    x = root_bracketed(g, np.zeros(3), np.array([1.0, 3.0, 1.2]))
    assert np.allclose(x, np.log(2), rtol=0, atol=1e-14)
    assert len(calls) < 25  # bisection needs ~55 evaluations for this accuracy
    # a sign change made only by the jump: the jump is what is found
    jump = root_bracketed(lambda x: np.where(x > 1.5, 1.0, -1.0), np.zeros(1), np.full(1, 3.0))
    assert abs(jump[0] - 1.5) < 1e-14


def test_root_bracketed_nan_without_sign_change_or_with_nan_inside():
    x = root_bracketed(lambda x: x**2 + 1, np.array([-1.0]), np.array([1.0]))
    assert np.isnan(x).all()
    y = root_bracketed(lambda x: np.where(np.abs(x) < 0.25, np.nan, x), np.array([-1.0]), np.array([1.0]))
    assert np.isnan(y).all()


def test_find_root_brackets_unbounded_sides():
    target = np.array([-40.0, 0.5, 1e3])
    root, found = find_root(lambda x: x - target, 3, lo=None, hi=None)
    assert found.all() and np.allclose(root, target, rtol=1e-14)


def test_find_root_looks_outside_the_domain_with_and_without_args():
    """Roots inside [0, 1] and outside it (found on the whole line), g with args or closing over them."""
    target = np.array([-40.0, 0.5, 3.0, -7.0])
    by_args, found_a = find_root(lambda x, t: x - t, 4, lo=0.0, hi=1.0, args=(target,))
    by_closure, found_c = find_root(lambda x: x - target, 4, lo=0.0, hi=1.0)
    half_line, found_h = find_root(lambda x, t: x - t, 4, lo=0.0, hi=None, args=(target,))
    assert found_a.all() and found_c.all() and found_h.all()
    for root in (by_args, by_closure, half_line):
        assert np.allclose(root, target, rtol=1e-14)


def test_root_bracketed_with_args_evaluates_only_unconverged_problems():
    """The same roots with and without args; with args, later calls see fewer problems."""
    rng = np.random.default_rng(1)
    c, k = rng.uniform(-20, 20, 2000), rng.uniform(0.1, 3, 2000)
    sizes = []

    def g(x, c, k):
        sizes.append(len(x))
        return np.cbrt(x) + k * x - c  # steep at 0: some problems converge slowly

    lo, hi = np.full(2000, -1e3), np.full(2000, 1e3)
    with_args = root_bracketed(g, lo, hi, args=(c, k))
    closure = root_bracketed(lambda x: np.cbrt(x) + k * x - c, lo, hi)
    assert np.allclose(with_args, closure, rtol=0, atol=1e-12)
    assert np.all(np.abs(np.cbrt(with_args) + k * with_args - c) < 1e-9)
    assert sizes[0] == 2000 and sizes[-1] < 2000


def _ratio_function():
    import sympy as sp

    from symbolic.numeric import NumericFunction

    a, b = sp.symbols("a b")
    return NumericFunction(a / (1 + b**2), [a, b])


def _evaluate_ratio(x):
    return _ratio_function()(a=x, b=x)


def test_compiled_kernels_work_in_a_forked_child():
    """GNU OpenMP hangs a forked child's first parallel loop once the parent ran one; kernels
    in such a child run on one thread instead (the build forks one process per model)."""
    import multiprocessing as mp

    import pytest

    from symbolic.codegen import compile_kernel
    from symbolic.numeric import C_THRESHOLD

    f = _ratio_function()
    if compile_kernel(f.expr, f.symbols) is None:
        pytest.skip("no C compiler")
    x = np.linspace(0, 1, 2 * C_THRESHOLD)
    expected = x / (1 + x**2)
    assert np.allclose(f(a=x, b=x), expected)  # the parent runs a parallel loop first
    with mp.get_context("fork").Pool(1) as pool:
        got = pool.apply_async(_evaluate_ratio, (x,)).get(timeout=60)
    assert np.allclose(got, expected)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.01, 6), min_size=1, max_size=10), st.floats(0.1, 10))
def test_tanh_sinh_integrates_powers_with_endpoint_singularities(exponents, b):
    """int_0^b c^g dc = b^(g+1)/(g+1), to 1e-13 relative, for g down to 0.01 (a singular derivative at 0)."""
    g = np.array(exponents)
    ends = np.full(g.shape, b)
    got = tanh_sinh(lambda c, gs: c ** gs, np.zeros_like(ends), ends, args=(g,))
    exact = b ** (g + 1) / (g + 1)
    assert np.all(np.abs(got - exact) <= 1e-13 * exact)


def test_mp_recheck_settles_an_ill_conditioned_root():
    """(p x + 1)/3 = (q x + 2)/3 with p - q = 1.5e-10: float64 rounding of the two sides moves the
    root (about 7e9) by far more than 1e-8 relative; at 40 digits the root meets the closed form
    1/(p - q) to 1e-20, and a closed form off by 1e-6 is still told apart."""
    x, p, q = sp.symbols("x p q", real=True)
    diff = (p * x + 1) / 3 - (q * x + 2) / 3
    pv, qv = 0.8799233835710922, 0.879923383423372
    g = sp.lambdify([x, p, q], diff)
    root, found = find_root(g, 1, lo=0.0, hi=None, args=(np.array([pv]), np.array([qv])))
    closed = 1 / (pv - qv)
    assert found.all() and abs(root[0] - closed) / closed > 1e-8  # what the float64 check sees
    point = {p: pv, q: qv}
    assert mp_recheck(1 / (p - q), point, root[0], diff, x) < 1e-20
    assert mp_recheck((1 + sp.Rational(1, 10**6)) / (p - q), point, root[0], diff, x) > 1e-7
    assert mp_recheck(1 / (p - q), point, float("nan"), diff, x) is None
    assert mp_recheck(1 / (p - q), point, closed) < 1e-15  # a value compared as it is


# ---- open domains: a pole at an excluded end is never evaluated, never bracketed ------------
def _one_shot(x, T, R, P):
    """The grim-trigger PD's one-shot deviation condition with 1/(1 - d) left uncleared."""
    return R / (1 - x) - (T + x * P / (1 - x))


def test_find_root_never_evaluates_an_excluded_end_with_a_pole():
    """d in [0, 1): the roots (T - R)/(T - P) inside, and outside (R > T, below 0) -- where a
    bracket across the whole line would straddle the pole at d = 1 -- without evaluating d = 1."""
    rng = np.random.default_rng(4)
    T, P = rng.uniform(2, 3, 500), rng.uniform(0, 1, 500)
    R = np.concatenate([rng.uniform(1, 2, 250), rng.uniform(3.5, 4, 250)])   # half with R > T
    seen = []

    def g(x, *a):
        seen.append(np.asarray(x, dtype=float).copy())
        return _one_shot(x, *a)

    root, found = find_root(g, 500, lo=0.0, hi=1.0, hi_open=True, args=(T, R, P))
    assert found.all()
    assert np.allclose(root, (T - R) / (T - P), rtol=1e-12, atol=1e-14)
    assert not any((x == 1.0).any() for x in seen)
    # without the flag d = 1 is evaluated: inf - inf is NaN there, and no root is found (the old failure)
    _, found_closed = find_root(lambda x, *a: _one_shot(x, *a), 500, lo=0.0, hi=1.0, args=(T, R, P))
    assert not found_closed[:250].any()


def test_find_root_steps_past_an_overflowing_pole_and_keeps_a_root_at_the_end():
    # 1/(1 - x)^20 overflows to inf at the next float below 1: the end steps further in
    root, found = find_root(lambda x: (1 - x) ** -20.0 - 2.0, 1, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    assert found.all() and abs(root[0] - (1 - 2 ** (-1 / 20))) < 1e-14
    # a root exactly at an excluded end (a_J/q at a_J = 0) is still found there
    q, a = np.array([0.3, 0.6, 0.9]), np.array([0.0, 0.0, 0.15])
    root, found = find_root(lambda x, q, a: q * x - a, 3, lo=0.0, hi=1.0, lo_open=True, hi_open=True, args=(q, a))
    assert found.all() and np.allclose(root, a / q, rtol=1e-14, atol=1e-300)
    # a pole at the end is no root: 1/x - 1/x on both sides of 0 changes sign, but it is not finite at 0
    root, found = find_root(lambda x: -1 / x, 1, lo=0.0, hi=1.0, lo_open=True)
    assert not found.any() and np.isnan(root).all()


def _discount_model(uncleared: str, domain):
    from symbolic import Model, interval

    m = Model("pd_threshold", title="grim trigger threshold")
    m.parameter("T", interval(2, 3), "T", "temptation")
    m.parameter("R", interval(1, 2, True, True), "R", "reward")
    m.parameter("P", interval(0, 1), "P", "punishment")
    d = m.parameter("d", domain, r"\delta", "discount factor")
    game = m.payoffs(["Row"])
    game.outcome("Coop", "cooperate forever", Row=uncleared)
    game.outcome("Dev", "deviate, then mutual defection", Row="T + d*P/(1 - d)")
    m.cutoff("dhat", game.prefers("Row", "Coop", "Dev", "cooperation is sustained"), solve_for=d,
             latex=r"\hat\delta", description="the cooperation threshold")
    return m


def test_discount_cutoff_with_the_pole_uncleared_passes_its_cross_check():
    """The issue's failure: R/(1-d) >= T + d P/(1-d) written as it is, d in [0, 1) or (0, 1); the
    cross-check was `max error inf` (bracketed at d = 1).  Also an implicit cutoff (a quartic
    with no usable closed form) on the same interval: its own root finder steps inside too."""
    from symbolic import PROBABILITY, interval

    for domain in (interval(0, 1, right_open=True), PROBABILITY):
        m = _discount_model("R/(1 - d)", domain)
        assert abs(m.evaluate("dhat", T=2.5, R=1.5, P=0.5) - 0.5) < 1e-15   # (T - R)/(T - P)
        (check,) = m.cross_check(samples=500)
        assert check.passed and check.max_error < 1e-12, check
    m = _discount_model("R/(1 - d) + d**3", interval(0, 1, right_open=True))
    assert "implicit" in str(m.quantities["dhat"].expr)
    (check,) = m.cross_check(samples=300)
    assert check.passed, check
    assert 0 < m.evaluate("dhat", T=2.5, R=1.5, P=0.5) < 1
