"""The coalitions gallery (issue 13): coalition_formation, coalition_bargaining, conflict_expansion.

For each model: textbook formulas typed here independently against the derived quantities, the
expected verdict on every claim (and on each repair), each refuting counterexample re-checked by
numeric backward induction or by the typed formulas, ``solve --json`` read back and compared
with numeric backward induction at seeded draws, and the reports rendered (one compiled)."""
import json

import numpy as np
import pytest
import sympy as sp

import derivations
from derivations.cli import main
from symbolic import report as reportlib
from symbolic.decide import decide
from symbolic.games.extensive import numeric_backward_induction

GALLERY = ("coalition_formation", "coalition_bargaining", "conflict_expansion")
TREES = {"coalition_formation": "formation", "coalition_bargaining": "bargaining", "conflict_expansion": "expansion"}

#: claim -> (status, status of its repair or None)
VERDICTS = {
    "coalition_formation": {"FOR-1": ("proved", None), "FOR-2": ("proved", None), "FOR-3": ("proved", None),
                            "FOR-4": ("proved", None), "FOR-5": ("refuted", "proved"),
                            "FOR-6": ("refuted", "proved")},
    "coalition_bargaining": {"BAR-1": ("proved", None), "BAR-2": ("proved", None), "BAR-3": ("proved", None),
                             "BAR-4": ("refuted", "proved"), "BAR-5": ("refuted", "proved"),
                             "BAR-6": ("proved", None)},
    "conflict_expansion": {"EXP-1": ("proved", None), "EXP-2": ("proved", None), "EXP-3": ("proved", None),
                           "EXP-4": ("refuted", "proved"), "EXP-5": ("refuted", "proved"),
                           "EXP-6": ("proved", None)},
}
SAMPLES = 300


@pytest.fixture(scope="module")
def models():
    return {name: derivations.load(name) for name in GALLERY}


@pytest.fixture(scope="module")
def verdicts(models):
    return {name: {v.claim: v for v in m.verify(samples=SAMPLES)} for name, m in models.items()}


def _sym(m):
    return {n: m.domain[n].symbol for n in m.domain.parameters}


def _identical(m, derived, typed):
    return sp.simplify(m.expand(derived) - typed) == 0


def _equivalent(m, a, b):
    return decide(m.domain.conditions(), sp.Equivalent(a, b)).outcome == "proved"


def _path(m, point):
    tree = m.trees[TREES[m.name]]
    profile, _ = numeric_backward_induction(tree, {m.domain[k].symbol: float(v) for k, v in point.items()})
    return tree.path(profile)


# ---- textbook formulas, typed independently -------------------------------------------------------
def test_formation_price_and_partner_cutoff(models):
    m = models["coalition_formation"]
    s = _sym(m)
    p, c_L = s["p"], s["c_L"]
    for i in ("A", "B"):
        assert _identical(m, m.quantity(f"r_{i}_star"), s[f"k_{i}"] - s[f"a_{i}"] * (p + s[f"w_{i}"]))
    # the leader's war payoff with partner i at its price: (1 + a_i)(p + w_i) - c_L - k_i
    war = {i: (1 + s[f"a_{i}"]) * (p + s[f"w_{i}"]) - c_L - s[f"k_{i}"] for i in ("A", "B")}
    khat = sp.solve(sp.Eq(war["A"], war["B"]), s["k_A"])[0]
    assert _identical(m, m.quantity("khat_A"), khat)
    assert m.evaluate("r_A_star", p=0.3, w_A=0.2, a_A=0.5, k_A=1) == pytest.approx(0.75)


def test_formation_map_when_the_target_concedes_to_everyone(models):
    """Where the target concedes even to the leader alone (c_T > 1 - p), the leader acts alone."""
    m = models["coalition_formation"]
    s = _sym(m)
    tmap = m.tree_maps["formation"]
    assert _equivalent(m, tmap.where("Alone", "Concede"), s["c_T"] + s["p"] > 1)
    assert tmap.disjoint is True and tmap.covers is True and len(tmap.branches) == 17


def test_bargaining_risk_return_demands_and_map(models):
    m = models["coalition_bargaining"]
    s = _sym(m)
    p, w, c_L, cbar, b = (s[n] for n in ("p", "w", "c_L", "cbar", "b"))
    x = m.unknowns["x"].symbol
    assert _identical(m, m.quantity("chat_0"), x - p)
    assert _identical(m, m.quantity("chat_C"), x - p - w)
    # the uniform risk-return problem solved by hand: max (1 - (x - p)/cbar) x + (x - p)/cbar (p - c_L)
    assert _identical(m, m.quantity("x_0_star"), p + (cbar - c_L) / 2)
    assert _identical(m, m.quantity("risk_0"), (cbar - c_L) / (2 * cbar))
    assert _identical(m, m.quantity("V_0"), p + (cbar - c_L) ** 2 / (4 * cbar))
    assert _identical(m, m.quantity("x_C_star"), p + w + b)
    assert _identical(m, m.quantity("risk_C"), b / cbar)
    assert _identical(m, m.quantity("w_hat"), (cbar - c_L - 2 * b) ** 2 / (4 * cbar))
    tmap = m.tree_maps["bargaining"]
    assert _equivalent(m, tmap.where("Coalition"), 4 * cbar * w >= (cbar - c_L - 2 * b) ** 2)
    assert _equivalent(m, tmap.where("Alone"), 4 * cbar * w < (cbar - c_L - 2 * b) ** 2)
    assert m.evaluate("x_0_star", p=0.2, c_L=0.1, cbar=0.5) == pytest.approx(0.4)


def test_expansion_thresholds(models):
    m = models["conflict_expansion"]
    s = _sym(m)
    assert _identical(m, m.quantity("khat_T"), (s["s_T"] - s["s_C"]) * s["z"])
    assert _identical(m, m.quantity("khat_C"), (s["s_C"] - s["s_T"]) * s["z"])
    assert _identical(m, m.quantity("chat_0"), 1 - s["p"])
    assert _identical(m, m.quantity("chat_T"), 1 - s["p"] + s["z"])
    tmap = m.tree_maps["expansion"]
    # everyone concedes when even the target with the third party beside it loses from war
    assert _equivalent(m, tmap.where("Attack", "Out", "Concede") & (s["c_T"] > 1 - s["p"] + s["z"]),
                       s["c_T"] > 1 - s["p"] + s["z"])


# ---- verdicts ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", GALLERY)
def test_every_claim_is_decided_as_expected(verdicts, name):
    got = {cid: (v.status, v.repair.status if v.repair else None) for cid, v in verdicts[name].items()}
    assert got == VERDICTS[name]
    for v in verdicts[name].values():
        assert v.status in ("proved", "refuted")
        if v.status == "refuted":
            assert v.counterexample, v.claim


def _cx(verdicts, name, claim):
    return {k: sp.Rational(v) for k, v in verdicts[name][claim].counterexample.items()}


def test_formation_counterexamples_are_real(models, verdicts):
    m = models["coalition_formation"]
    cx = _cx(verdicts, "coalition_formation", "FOR-5")      # stronger A, yet B is asked
    assert cx["w_A"] > cx["w_B"] and _path(m, cx)[0] == "Ask_B"
    cx = _cx(verdicts, "coalition_formation", "FOR-6")      # war alone pays, yet a coalition forms
    assert cx["p"] > cx["c_L"] and _path(m, cx)[0] in ("Ask_A", "Ask_B")


def test_bargaining_counterexamples_are_real(models, verdicts):
    m = models["coalition_bargaining"]
    cx = _cx(verdicts, "coalition_bargaining", "BAR-4")     # the bound restrains below the demand alone
    assert cx["p"] + cx["w"] + cx["b"] < cx["p"] + (cx["cbar"] - cx["c_L"]) / 2
    cx = {"p": sp.Rational(1, 4), **_cx(verdicts, "coalition_bargaining", "BAR-5")}  # p plays no part
    assert _path(m, cx)[0] == "Alone"


def test_expansion_counterexamples_are_real(models, verdicts):
    m = models["conflict_expansion"]
    cx = _cx(verdicts, "conflict_expansion", "EXP-4")       # bandwagons though the war's stakes do not pay
    assert _path(m, cx)[:2] == ["Attack", "JoinC"] and cx["k_N"] > (cx["s_C"] - cx["s_T"]) * cx["z"]
    cx = _cx(verdicts, "conflict_expansion", "EXP-5")       # war alone pays, but the third party would balance
    assert cx["p"] > cx["c_L"] and _path(m, cx) == ["Stay"]


# ---- solve --json against numeric backward induction ------------------------------------------------
@pytest.mark.parametrize("name", GALLERY)
def test_solve_json_agrees_with_numeric_backward_induction(models, name, capsys):
    assert main(["--quiet", "solve", name, "--json", "--points", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == name and out["disjoint"] is True and out["covers"] is True
    assert all(c["points"] == 30 and c["mismatches"] == 0 for c in out["cross_check"])
    m = models[name]
    names = {**_sym(m)}
    regions = [(sp.sympify(r["condition"], locals=names), r["profile"],
                {pl: sp.sympify(u, locals=names) for pl, u in r["payoffs"].items()}) for r in out["regions"]]
    tree = m.trees[TREES[name]]
    draws = m.domain.sample(100, np.random.default_rng(7))
    for k in range(100):
        point = {m.domain[n].symbol: float(draws[n][k]) for n in draws}
        exact = {s: sp.Rational(v) for s, v in point.items()}     # the float's exact binary value
        hits = [(prof, pay) for cond, prof, pay in regions if bool(cond.xreplace(exact))]
        assert len(hits) == 1, point
        profile, payoffs = numeric_backward_induction(tree, point)
        assert profile == hits[0][0], point
        for pl, u in zip(tree.players, payoffs):
            assert float(hits[0][1][pl].xreplace(exact)) == pytest.approx(u, abs=1e-9)


# ---- reports ----------------------------------------------------------------------------------------
def _render(m, out):
    verdicts, checks = m.verify(samples=SAMPLES), m.cross_check(samples=SAMPLES)
    figures = reportlib.write_figures(m, out)
    text = reportlib.render(m, verdicts, checks, {"samples": SAMPLES, "seed": 0}, figures, m.verify_steps(SAMPLES))
    return reportlib.write(out / f"{m.name}.tex", text)


@pytest.mark.parametrize("name", GALLERY)
def test_report_says_canonical_and_lists_the_map(models, name, tmp_path):
    text = _render(models[name], tmp_path).read_text()
    assert "canonical formulation" in text and "not the book's own model" in text
    assert "Game trees: the equilibrium map" in text and "characters: see the quantities" not in text
    for cid in VERDICTS[name]:
        assert reportlib.escape(cid) in text


def test_bargaining_report_compiles(models, tmp_path):
    if reportlib.latex_engine() is None:
        pytest.skip("no LaTeX engine (every registered model's report is compiled in test_report.py)")
    ok, message = reportlib.compile_pdf(_render(models["coalition_bargaining"], tmp_path))
    assert ok, message


def test_gallery_is_registered_and_built():
    assert set(GALLERY) <= set(derivations.available())


def test_audit_mutates_the_seed_models_by_default_not_the_gallery(monkeypatch):
    from derivations import audit
    seen = []
    monkeypatch.setattr(audit.mutation, "enumerate_mutants", lambda build: [])
    monkeypatch.setattr(audit.mutation, "run", lambda name, *a, **k: seen.append(name))
    audit.mutation_reports([], samples=1, workers=1)
    assert seen and not set(seen) & set(GALLERY)
    assert set(seen) == {n for n in derivations.available() if n not in GALLERY}
