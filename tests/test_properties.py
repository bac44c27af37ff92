"""Property-based tests (hypothesis) of the guarantees users rely on."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import derivations
from symbolic import POSITIVE, Claim, DomainError, Holds, Model
from symbolic.decide import decide
from symbolic.numeric import truth_with_margin

CSD = derivations.load("csd_signaling")
x, y = sp.symbols("x y", positive=True)
HYPS = [sp.StrictLessThan(x, 1, evaluate=False), sp.StrictLessThan(y, 1, evaluate=False),
        sp.StrictGreaterThan(x, 0, evaluate=False), sp.StrictGreaterThan(y, 0, evaluate=False)]


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(float("nan"))))
def test_eval_rejects_points_outside_the_domain(value):
    with pytest.raises(DomainError):
        CSD.evaluate("chat_U", p=value, q=0.1, F=0.5, delta_U=0.5)


def _exact_violation(goal, point):
    return all(bool(h.subs(point)) for h in HYPS) and not bool(goal.subs(point))


coef = st.integers(-3, 3)


@settings(max_examples=60, deadline=None)
@given(a=coef, b=coef, c=coef, d=coef, e=coef)
def test_decision_procedure_counterexamples_recheck_exactly(a, b, c, d, e):
    goal = a * x**2 + b * x * y + c * y**2 + d * x + e > 0
    result = decide(HYPS, goal, check=lambda pt: _exact_violation(goal, pt))
    if result.outcome == "refuted":
        assert _exact_violation(goal, result.counterexample)
    elif result.outcome == "proved":
        # 2000 random points of the unit square: none may violate a proved claim
        rng = np.random.default_rng(0)
        xs, ys = rng.random(2000), rng.random(2000)
        values = a * xs**2 + b * xs * ys + c * ys**2 + d * xs + e
        assert (values > -1e-12).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), name=st.sampled_from(sorted(CSD.quantities)))
def test_numeric_functions_agree_with_high_precision_sympy(seed, name):
    """5 domain points per example, relative tolerance 1e-12 against 30-digit evalf."""
    draws = CSD.domain.sample(5, seed)
    f = CSD.numeric(name)
    expr = CSD.quantity(name)
    got = f.call(draws)
    for i in range(5):
        point = {CSD.domain[p].symbol: sp.Float(draws[p][i], 30) for p in f.parameters}
        exact = float(expr.evalf(30, subs=point))
        assert np.isclose(np.atleast_1d(got)[i], exact, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["alliance_moral_hazard", "called_bluff"])
def test_numeric_functions_keep_their_digits_at_the_domain_edges(name):
    """Every closed-form quantity at 300 seeded draws (10 % of each parameter near each end, e.g.
    pi_s = 1e-6): |numeric - exact| / (1 + |exact|) <= 1e-9, exact at 40 digits (mpmath), on
    both paths (numpy for the 300 draws, the C kernel for them repeated to 5000).  The
    alliance's hat quantities lost up to 3e-6 here before their equations were solved per unit
    of pi_s."""
    import mpmath

    from symbolic.numeric import has_implemented_function
    model = derivations.load(name)
    draws = model.domain.sample(300, 11)
    checked = 0
    for q in model.quantities.values():
        expr = model.expand(q.expr)
        if has_implemented_function(expr) or expr.has(sp.Integral, sp.Derivative) or expr.atoms(sp.Function) - \
                {f for f in expr.atoms(sp.Function) if type(f).__module__.startswith("sympy")}:
            continue  # roots found numerically, or abstract functions: nothing to compare at 40 digits
        syms = sorted(expr.free_symbols, key=lambda s: s.name)
        exact_f = sp.lambdify(syms, expr, "mpmath")
        f = model.numeric(q.name)
        small = np.broadcast_to(f.call(draws), (300,))
        large = np.broadcast_to(f.call({k: np.resize(v, 5000) for k, v in draws.items()}), (5000,))[:300]
        for i in np.flatnonzero(np.isfinite(small)):  # NaN: outside where the quantity is defined
            with mpmath.workdps(40):
                try:
                    exact = exact_f(*[mpmath.mpf(float(draws[s.name][i])) for s in syms])
                except (ZeroDivisionError, ValueError, TypeError):
                    continue  # undefined at this draw
                if isinstance(exact, mpmath.mpc) or not mpmath.isfinite(exact):
                    continue
                for got in (small[i], large[i]):
                    assert abs(got - exact) / (1 + abs(exact)) <= 1e-9, (q.name, i, got, exact)
        checked += 1
    assert checked >= 10


PROVED = [v for v in CSD.verify() if v.status == "proved"]


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_proved_claims_never_fail_at_random_points(seed):
    draws = CSD.domain.sample(500, seed)
    point = {CSD.domain[n].symbol: v for n, v in draws.items()}
    for verdict in PROVED:
        for part in CSD.claim_by_id(verdict.claim).parts:
            if part.given:
                continue
            truth, ambiguous, _ = truth_with_margin(CSD.expand(part.formula), point, 1e-9)
            assert (truth | ambiguous).all(), (verdict.claim, part.label)


@settings(max_examples=5, deadline=None)
@given(n=st.integers(50, 400))
def test_numerically_checked_claims_report_their_sample_size(n):
    m = Model("num", "num")
    t = m.parameter("t", POSITIVE)     # unbounded: no procedure proves it (interval arithmetic needs a box)
    m.claim(Claim("N", "e^t >= 1 + t + t^2/2", [Holds(sp.exp(t) >= 1 + t + t**2 / 2)]))
    v = m.verify(samples=n)[0]
    assert v.status == "checked" and v.samples == n and f"N={n}" in v.method
