"""Tests for the alliance-as-insurance model (claims BMR-1 ... BMR-12)."""
import math

import numpy as np
import pytest
import sympy as sp

import derivations
from derivations import cli

NAME = "alliance_moral_hazard"

EXPECTED = {  # claim -> (verdict, verdict of the repair or None)
    "BMR-1": ("proved", None), "BMR-2": ("proved", None), "BMR-3": ("proved", None),
    "BMR-4": ("proved", None), "BMR-5": ("refuted", "proved"), "BMR-6": ("refuted", "proved"),
    "BMR-7": ("proved", None), "BMR-8": ("proved", None), "BMR-9": ("proved", None),
    "BMR-10": ("refuted", "checked"), "BMR-11": ("checked", None), "BMR-12": ("refuted", "proved"),
}


@pytest.fixture(scope="module")
def model():
    return derivations.load(NAME)


@pytest.fixture(scope="module")
def verdicts(model):
    """Default settings (2000 draws, seed 0), as `python -m derivations verify` uses."""
    return {v.claim: v for v in model.verify()}


@pytest.mark.parametrize("claim", sorted(EXPECTED, key=lambda c: int(c.split("-")[1])))
def test_verdict(verdicts, claim):
    status, repair = EXPECTED[claim]
    v = verdicts[claim]
    assert v.status == status, v.detail
    if repair is None:
        assert v.repair is None
    else:
        assert v.repair is not None and v.repair.status == repair, v.repair.detail


@pytest.mark.parametrize("claim", [c for c, (s, _) in EXPECTED.items() if s == "refuted"])
def test_counterexamples_are_exact(model, verdicts, claim):
    """Each refuted part's counterexample violates it by exact substitution (and satisfies its hypotheses)."""
    c = model.claim_by_id(claim)
    refuted = [(p, pv) for p, pv in zip(c.parts, verdicts[claim].parts) if pv.status == "refuted"]
    assert refuted
    for part, pv in refuted:
        point = {model.domain[n].symbol: sp.Rational(v) for n, v in pv.counterexample.items()}
        for g in part.given:
            assert bool(model.expand(g).xreplace(point)) is True
        assert bool(sp.simplify(model.expand(part.formula).xreplace(point))) is False


def test_bmr5_counterexample_by_hand(verdicts):
    """V = 1 - x + t^2/(2 cbar) (uniform, interior) exceeds 1 at the reported point, inside (0, theta_underbar)."""
    cx = {k: float(v) for k, v in verdicts["BMR-5"].counterexample.items()}
    x, p, k, cbar, th = cx["x"], cx["p"], cx["k"], cx["cbar"], cx["theta"]
    tu = cbar * x / (x + k - p) - x + p
    assert p < k and 0 < th < tu
    t = x - p + th
    assert t < cbar and 1 - x + t * t / (2 * cbar) > 1


def test_bmr10_counterexample_by_hand(verdicts):
    """Recompute bound (4) for L with plain numpy formulas of the clipped uniform model."""
    cx = {k: float(v) for k, v in verdicts["BMR-10"].counterexample.items()}
    a, cb, z, ts = cx["x_s"] - cx["p_s"], cx["cbar_s"], cx["z"], cx["theta_s"]
    aL, cL = cx["x_L"] - cx["p_L"], cx["cbar_L"]
    VL0 = 1 - cx["x_L"] + (aL * aL / (2 * cL) if aL < cL else aL - cL / 2)
    D = (1 - cx["pi_s"]) * (1 - VL0) / cx["pi_s"]                      # g(thetabar_s)
    g = lambda th: min((a + th) / cb, 1.0) * th
    gp = lambda th: (a + 2 * th) / cb if a + th < cb else 1.0
    target = z * D + (1 - z) * g(ts)
    lo, hi = 0.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if g(mid) < target else (lo, mid)
    assert (1 - z) * gp(ts) / gp(lo) >= 1


def test_cross_checks_agree(model):
    checks = model.cross_check()
    assert {c.quantity for c in checks} >= {"theta_underbar", "chat", "thetabar_s", "thetahat_s", "thetahat_L",
                                           "dthetahat_s", "dthetahat_L", "x_star", "y_star"}
    for c in checks:
        assert c.passed, (c.quantity, c.max_error, c.tol)
        assert c.samples >= 100, (c.quantity, c.samples)


def _draws(model, n=200, seed=3):
    return model.domain.sample(n, np.random.default_rng(seed))


def test_general_and_uniform_threat_value_and_crisis_value_agree(model):
    """General-F forms with F := uniform CDF (integral evaluated) equal the uniform quantities (200 draws, 1e-12)."""
    gen = model._general
    x, p, cbar = (model.domain[n].symbol for n in ("x", "p", "cbar"))
    c = sp.Dummy("c")
    F = [f for f in gen["crisis_value"].atoms(sp.Function) if type(f).__name__ == "F"][0].func
    uniform = sp.Lambda(c, sp.Piecewise((c / cbar, c < cbar), (1, True)))  # costs are >= 0
    d = _draws(model)
    for name in ("threat_value", "crisis_value"):
        concrete = gen[name].replace(F, uniform).doit()
        syms = sorted(concrete.free_symbols, key=lambda s: s.name)
        f = sp.lambdify(syms, concrete, "numpy")
        val = f(*[d[s.name] for s in syms])
        assert np.max(np.abs(val - model.numeric(name).call(d))) < 1e-12


def test_general_theta_underbar_with_uniform_inverse(model):
    tu_F = model._general["theta_underbar"]
    cbar = model.domain["cbar"].symbol
    (inv,) = [f for f in tu_F.atoms(sp.Function) if "inv" in type(f).__name__]
    closed = tu_F.xreplace({inv: cbar * inv.args[0]})
    assert sp.simplify(closed - model.quantity("theta_underbar")) == 0


def test_power_family_with_gamma_one_is_the_uniform_model():
    """build(dist='power') at gamma = 1 reproduces the uniform closed forms (implicit roots; 1e-9)."""
    uni, power = derivations.load(NAME), derivations.load(NAME, dist="power")
    pt = dict(x_L=0.6, p_L=0.2, k_L=1.0, cbar_L=1.0, x_s=0.5, p_s=0.3, cbar_s=0.7, pi_s=0.4, z=0.3,
              theta_s=0.25, x=0.5, p=0.2, k=0.6, cbar=1.0)
    for q in ("theta_underbar", "thetabar_s", "thetahat_s", "thetahat_L", "x_star", "y_star"):
        a = uni.evaluate(q, **{k: v for k, v in pt.items() if k in uni.numeric(q).parameters})
        b = power.evaluate(q, gamma=1.0, **{k: v for k, v in pt.items() if k in power.numeric(q).parameters})
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), q


def test_power_family_differs_from_uniform():
    power = derivations.load(NAME, dist="power")
    a = power.evaluate("theta_underbar", x=0.5, p=0.2, k=0.6, cbar=1.0, gamma=2.0)
    assert math.isclose(a, (0.5 / 0.9) ** 0.5 - 0.3, rel_tol=1e-12)


def test_thetahat_derivative_matches_finite_differences(model):
    """(6) in closed form vs five-point differences of the closed-form root (one point, 1e-7)."""
    pt = dict(x_L=0.6, p_L=0.2, k_L=1.0, cbar_L=1.0, x_s=0.5, p_s=0.3, cbar_s=0.7, pi_s=0.4, z=0.3)
    for who in ("s", "L"):
        f = model.numeric(f"thetahat_{who}")
        d = model.numeric(f"dthetahat_{who}")
        args = {k: v for k, v in pt.items() if k in f.parameters}
        ts, h = 0.15, 1e-3
        vals = [f(theta_s=ts + j * h, **args) for j in (-2, -1, 1, 2)]
        fd = (vals[0] - 8 * vals[1] + 8 * vals[2] - vals[3]) / (12 * h)
        assert abs(fd - d(theta_s=ts, **{k: v for k, v in pt.items() if k in d.parameters})) < 1e-7


def test_corollary_pair_solves_both_indifferences(model):
    """Both equations (8) hold at the numeric (x*, y*) to 1e-10, and x* < y* < thetabar_s."""
    pt = dict(x_L=0.6, p_L=0.2, k_L=1.0, cbar_L=1.0, x_s=0.5, p_s=0.3, cbar_s=1.0, pi_s=0.5, z=0.3)
    xs, ys = model.evaluate("x_star", **pt), model.evaluate("y_star", **pt)
    bar = model.evaluate("thetabar_s", **{k: v for k, v in pt.items() if k != "z"})
    assert 0 < xs < ys < bar
    us, uL = model.numeric("u_s"), model.numeric("u_L")
    a_s = {k: v for k, v in pt.items() if k in us.parameters}
    a_L = {k: v for k, v in pt.items() if k in uL.parameters}
    big = 1e6  # a deterrent support for L
    z = pt["z"]
    uL00 = uL(theta_L=0.0, theta_s=0.0, **a_L)
    assert abs(uL(theta_L=big, theta_s=ys, **a_L) - (z * uL00 + (1 - z) * uL(theta_L=big, theta_s=xs, **a_L))) < 1e-10
    us0 = us(theta_L=big, theta_s=0.0, **a_s)
    assert abs(us(theta_L=big, theta_s=xs, **a_s) - (z * us0 + (1 - z) * us(theta_L=big, theta_s=ys, **a_s))) < 1e-10


def test_lemma1_gain_formula_general_f(model):
    """BMR-5's first part is proved symbolically for a general F (not only numerically)."""
    v = {x.claim: x for x in model.verify()}["BMR-5"]
    assert v.parts[0].status == "proved" and v.parts[0].method == "symbolic"


def test_quantity_names(model):
    for q in ("fight_cutoff", "threat_value", "theta_underbar", "theta_all_fight", "u_i", "thetabar_s",
              "thetahat_s", "thetahat_L", "a6_ratio_s", "a6_ratio_L", "x_star", "y_star", "chat"):
        assert q in model.quantities


# ---- command line ------------------------------------------------------------------------------
def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_default_and_power(capsys):
    code, out, _ = run(capsys, "eval", NAME, "theta_underbar", "x=0.5", "p=0.2", "k=0.6", "cbar=1")
    assert code == 0 and math.isclose(float(out), 1 * 0.5 / 0.9 - 0.3, rel_tol=1e-12)
    code, out, _ = run(capsys, "eval", "--dist", "power", NAME, "theta_underbar", "x=0.5", "p=0.2", "k=0.6",
                       "cbar=1", "gamma=2")
    assert code == 0 and math.isclose(float(out), (0.5 / 0.9) ** 0.5 - 0.3, rel_tol=1e-12)


@pytest.mark.parametrize("argv, needle", [
    (["eval", "--dist", "beta", NAME, "theta_underbar", "x=0.5", "p=0.2", "k=0.6", "cbar=1"], "unknown distribution"),
    (["eval", "--dist", "power", "csd_signaling", "theta", "s=0.5"], "no --dist option"),
    (["eval", NAME, "theta_underbar", "x=0.5", "p=0.7", "k=0.6", "cbar=1"], "p < x"),
    (["eval", NAME, "theta_underbar", "x=0.5", "p=0.2", "k=-1", "cbar=1"], "outside its domain"),
])
def test_bad_input_is_one_line(capsys, argv, needle):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert needle in err and err.strip().count("\n") == 0


def test_theta_underbar_is_undefined_without_deterrence(model):
    """With p >= k no support deters: eval refuses the point, the numeric function gives NaN there."""
    from symbolic.errors import DomainError

    with pytest.raises(DomainError, match="needs p < k"):
        model.evaluate("theta_underbar", x=0.8, p=0.7, k=0.6, cbar=1)
    f = model.numeric("theta_underbar")
    assert math.isnan(f(x=0.8, p=0.7, k=0.6, cbar=1.0))
    both = f(x=np.array([0.8, 0.5]), p=np.array([0.7, 0.2]), k=0.6, cbar=1.0)
    assert np.isnan(both[0]) and both[1] == pytest.approx(model.evaluate("theta_underbar", x=0.5, p=0.2, k=0.6, cbar=1))
