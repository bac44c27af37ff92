"""The CSD signaling model: every claim's verdict, the cutoffs against the slides' formulas."""
import numpy as np
import pytest
import sympy as sp

import derivations

EXPECTED = {f"CSD-{i}": "proved" for i in range(1, 11)} | {"CSD-9": "refuted"}


@pytest.fixture(scope="module")
def model():
    return derivations.load("csd_signaling")


@pytest.fixture(scope="module")
def verdicts(model):
    return {v.claim: v for v in model.verify()}


@pytest.mark.parametrize("claim", sorted(EXPECTED))
def test_claim_verdict(verdicts, claim):
    assert verdicts[claim].status == EXPECTED[claim], verdicts[claim].detail


def test_every_claim_of_the_inventory_is_encoded(model):
    assert [c.id for c in model.claims] == [f"CSD-{i}" for i in range(1, 11)]


# The slides' printed formulas, typed here independently of the model module.
p, q, F, d, cU, cC, s, v, a, cbar, cJ = sp.symbols("p q F delta_U c_U c_C s v_J a_J cbar_J c_J", positive=True)
psi = p - q
SLIDES = {
    "theta": s * (p - q) - v + a,
    "vbar_J": s * (p - q) - cJ + a,
    "Fhat_U": (cU - q) / (psi + cU * (1 - d)),
    "chat_U": (q + F * psi) / (1 - F * (1 - d)),
    "Fhat_C": (1 - q - cC) / psi,
    "chat_C": 1 - q - F * psi,
    "cU_alone": q,
    "cU_with_J": p / d,
    "cC_vs_U": 1 - q,
    "cC_vs_pair": 1 - p,
    "s_bluff": a / q,
}


@pytest.mark.parametrize("name", sorted(SLIDES))
def test_derived_cutoff_equals_the_slides(model, name):
    derived = model.quantity(name)
    by_name = {str(x): x for x in SLIDES[name].free_symbols}
    derived = derived.subs({x: by_name[str(x)] for x in derived.free_symbols if str(x) in by_name})
    assert sp.simplify(derived - SLIDES[name]) == 0


def test_eval_matches_slides_at_random_points(model):
    """500 random domain points per cutoff; relative tolerance 1e-12."""
    draws = model.domain.sample(500, np.random.default_rng(3))
    for name, formula in SLIDES.items():
        syms = sorted(formula.free_symbols, key=str)
        f = sp.lambdify(syms, formula)
        expected = f(*[draws[str(x)] for x in syms])
        got = model.numeric(name).call(draws)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_issue_example_value(model):
    # eval csd_signaling chat_U p=0.6 q=0.3 F=0.5 delta_U=0.4 = 0.45 / 0.7
    assert model.evaluate("chat_U", p=0.6, q=0.3, F=0.5, delta_U=0.4) == pytest.approx(0.45 / 0.7, rel=1e-15)


def test_power_aggregation(model):
    assert model.evaluate("p_of_m", m_C=1, m_U=1, m_J=1) == pytest.approx(2 / 3)
    assert model.evaluate("q_of_m", m_C=1, m_U=1) == pytest.approx(1 / 2)


def test_csd9_counterexample_violates_the_slides_claim(verdicts):
    v = verdicts["CSD-9"]
    cx = {k: sp.nsimplify(x) for k, x in v.as_json()["counterexample"].items()}
    psi_ = cx["p"] - cx["q"]
    slides_condition = cx["s"] < (1 / (1 - cx["delta_U"]) - cx["a_J"]) / psi_
    theta_at_zero = cx["s"] * psi_ + cx["a_J"]
    assert slides_condition and theta_at_zero < cx["cbar_J"]       # condition holds, not all types intervene
    assert 0 < cx["q"] < cx["p"] < 1 and 0 < cx["s"] < 1 and 0 < cx["delta_U"] < 1 and cx["a_J"] >= 0
    assert v.repair is not None and v.repair.status == "proved"


def test_cross_checks_agree(model):
    checks = model.cross_check()
    assert {c.quantity for c in checks} >= set(SLIDES) | {"s_pool"}
    assert all(c.passed for c in checks), [(c.quantity, c.max_error) for c in checks if not c.passed]


def test_directions_of_the_cutoffs(model):
    assert model.quantities["chat_U"].cutoff.direction == "<="   # U resists iff c_U <= chat_U
    assert model.quantities["Fhat_U"].cutoff.direction == ">="   # iff F >= Fhat_U
    assert model.quantities["Fhat_C"].cutoff.direction == "<="   # C challenges iff F <= Fhat_C
    assert model.quantities["theta"].cutoff.direction == "<="    # J intervenes iff c_J <= theta


def test_comparative_statics_are_decided_not_sampled(verdicts):
    v = verdicts["CSD-8"]
    assert all(p.status == "proved" and "numeric" not in p.method for p in v.parts)


def test_the_crisis_tree_gives_the_slides_equilibrium_map(model):
    """Backward induction on the tree (J's cost private, U and C believing J intervenes with
    probability F): the equilibrium path on each region, against the slides' cutoffs typed here."""
    from symbolic.decide import decide

    tmap = model.tree_maps.get("crisis") or model.equilibria(model.trees["crisis"])
    S = {n: model.domain[n].symbol for n in ("F", "c_U", "c_C", "c_J", "p", "q", "s", "v_J", "a_J", "delta_U")}
    psi = S["p"] - S["q"]
    resists = S["F"] >= (S["c_U"] - S["q"]) / (psi + S["c_U"] * (1 - S["delta_U"]))
    challenges = S["F"] <= (1 - S["q"] - S["c_C"]) / psi
    intervenes = S["c_J"] <= S["s"] * psi - S["v_J"] + S["a_J"]
    want = {("Challenge", "Resist", "Intervene"): resists & challenges & intervenes,
            ("Challenge", "Resist", "StayOut"): resists & challenges & ~intervenes,
            ("Challenge", "Concede"): ~resists, ("Not",): resists & ~challenges}
    for path, region in want.items():
        same = decide(model.domain.conditions(), sp.Equivalent(tmap.where(*path), region))
        assert same.outcome == "proved", path
    assert tmap.disjoint is True and tmap.covers is True
    # the proposition reads with the derived cutoffs
    shown = {str(model.with_cutoffs(b.region)) for b in tmap.branches if b.path == ["Challenge", "Resist", "Intervene"]}
    assert shown == {"(F >= Fhat_U) & (F <= Fhat_C) & (c_J <= theta)"}
