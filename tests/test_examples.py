"""The tutorial models of "Solving for an equilibrium" (examples/): their derived quantities equal
the textbook formulas typed independently here (symbolically and at random points), each has a
refuted claim whose counterexample is confirmed here by exact substitution, their cross-checks
agree, and each report compiles."""
import os
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import derivations
from symbolic import report as reportlib

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {name: str(ROOT / "examples" / f"{name}.py") for name in ("cournot", "tullock_contest", "inspection_game",
                                                                              "repeated_pd", "entry_deterrence",
                                                                              "beer_quiche", "alternating_offers")}
needs_latex = pytest.mark.skipif(
    reportlib.latex_engine() is None and not os.environ.get("REQUIRE_LATEX"),
    reason="no LaTeX engine (set REQUIRE_LATEX=1 to make this a failure)")


@pytest.fixture(scope="module")
def models():
    return {name: derivations.load(path) for name, path in EXAMPLES.items()}


def _sym(m, name):
    return m.domain[name].symbol


def _cournot_textbook(a, b, c1, c2):
    """Cournot duopoly with a firm possibly inactive (a textbook case analysis, typed here)."""
    if 2 * c1 < a + c2 and 2 * c2 < a + c1:
        return (a - 2 * c1 + c2) / (3 * b), (a - 2 * c2 + c1) / (3 * b)
    if a <= c1 and a <= c2:
        return 0.0, 0.0
    if 2 * c2 >= a + c1:       # firm 2 out; firm 1 a monopolist
        return (a - c1) / (2 * b), 0.0
    return 0.0, (a - c2) / (2 * b)


def test_cournot_matches_the_textbook_including_corners(models):
    m = models["cournot"]
    a, b, c1, c2 = (_sym(m, n) for n in ("a", "b", "c1", "c2"))
    interior = {a: 10, b: 2, c1: 2, c2: 3}
    assert sp.simplify(m.quantity("q1_star").subs(interior) - sp.Rational(10 - 4 + 3, 6)) == 0
    rng = np.random.default_rng(3)
    regions = set()
    for _ in range(300):  # 300 random points, every region hit (tolerance 1e-12 relative)
        av, bv = rng.uniform(0.5, 10), rng.uniform(0.2, 3)
        c1v, c2v = rng.uniform(0.1, 10, 2)
        want = _cournot_textbook(av, bv, c1v, c2v)
        regions.add(tuple(w > 0 for w in want))
        got = (m.evaluate("q1_star", a=av, b=bv, c1=c1v, c2=c2v), m.evaluate("q2_star", a=av, b=bv, c1=c1v, c2=c2v))
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
        price = av - bv * (want[0] + want[1])
        assert m.evaluate("price_star", a=av, b=bv, c1=c1v, c2=c2v) == pytest.approx(price, rel=1e-12, abs=1e-12)
    assert regions == {(True, True), (True, False), (False, True), (False, False)}
    interior_region = m.quantities["q1_star"].derivation.interior
    assert sp.simplify(sp.Equivalent(interior_region, sp.And(a + c2 > 2 * c1, a + c1 > 2 * c2))) is sp.true


def test_tullock_matches_the_textbook(models):
    m = models["tullock_contest"]
    V1, V2 = _sym(m, "V1"), _sym(m, "V2")
    assert sp.simplify(m.quantity("x1_star") - V1 ** 2 * V2 / (V1 + V2) ** 2) == 0
    assert sp.simplify(m.quantity("total_effort") - V1 * V2 / (V1 + V2)) == 0
    rng = np.random.default_rng(4)
    for v1, v2 in rng.uniform(0.1, 20, (50, 2)):
        assert m.evaluate("x2_star", V1=v1, V2=v2) == pytest.approx(v1 * v2 ** 2 / (v1 + v2) ** 2, rel=1e-13)


def test_inspection_game_mixed_equilibrium_and_map(models):
    m = models["inspection_game"]
    g, f, h, l = (_sym(m, n) for n in "gfhl")
    assert sp.simplify(m.quantity("inspect_prob") - g / (g + f)) == 0
    assert sp.simplify(m.quantity("cheat_prob") - h / l) == 0
    assert m.evaluate("cheat_prob", g=1, f=2, h=1, l=4) == pytest.approx(0.25)
    with pytest.raises(Exception, match="not defined"):
        m.evaluate("cheat_prob", g=1, f=2, h=5, l=4)
    emap = m.equilibrium_maps["inspection"]
    assert emap.covers and len(emap.equilibria) == 2


def test_inspection_map_agrees_with_exact_enumeration_and_nashpy(models):
    """At 40 random rational points: the map's equilibria = the exact support enumeration of the
    numeric game = nashpy's support enumeration (tolerance 1e-9)."""
    nash = pytest.importorskip("nashpy")
    m = models["inspection_game"]
    game, emap = m.games["inspection"], m.equilibrium_maps["inspection"]
    rng = np.random.default_rng(5)
    for _ in range(40):
        point = {n: sp.Rational(int(rng.integers(1, 40)), int(rng.integers(1, 9))) for n in "gfhl"}
        if point["h"] == point["l"]:
            continue  # the degenerate set: a continuum, enumerated only numerically
        mine = sorted(tuple(float(e.strategy[p][a]) for p, acts in zip(game.players, game.actions) for a in acts)
                      for e in emap.at(point))
        exact = game.subs(point)
        theirs = sorted(tuple(float(x) for x in list(s1.values()) + list(s2.values()))
                        for s1, s2 in exact.mixed_equilibria())
        A = np.array([[float(exact.payoffs[(r, c)][0]) for c in game.actions[1]] for r in game.actions[0]])
        B = np.array([[float(exact.payoffs[(r, c)][1]) for c in game.actions[1]] for r in game.actions[0]])
        np_eqs = sorted(tuple(np.concatenate([s1, s2])) for s1, s2 in nash.Game(A, B).support_enumeration())
        assert len(mine) == len(theirs) == len(np_eqs) == 1
        assert np.allclose(mine, theirs, atol=1e-9) and np.allclose(mine, np_eqs, atol=1e-9)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_has_a_confirmed_refutation_and_agreeing_cross_checks(models, name):
    m = models[name]
    verdicts = m.verify()
    refuted = [v for v in verdicts if v.status == "refuted"]
    assert refuted, f"{name} has no refuted claim"
    for v in refuted:
        claim = m.claim_by_id(v.claim)
        part = next(p for p, pv in zip(claim.parts, v.parts) if pv.status == "refuted")
        point = {m.space[k].symbol: sp.Rational(val) for k, val in v.counterexample.items()}
        formula = sp.simplify(m.expand(part.formula).xreplace(point))
        assert formula is sp.false, f"{v.claim}: {formula}"
        assert all(sp.simplify(m.expand(g).xreplace(point)) is sp.true for g in part.given)
        assert v.repair is not None and v.repair.status == "proved"
    assert all(v.status in ("proved", "refuted") for v in verdicts), [(v.claim, v.status) for v in verdicts]
    for c in m.cross_check():
        assert c.passed and c.samples >= (60 if "enumeration" in c.method else 1000), c


@needs_latex
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_report_compiles(models, name, tmp_path):
    m = models[name]
    text = reportlib.render(m, m.verify(), m.cross_check(), {"samples": 2000, "seed": 0},
                            reportlib.write_figures(m, tmp_path), m.verify_steps())
    tex = reportlib.write(tmp_path / f"{name}.tex", text)
    ok, message = reportlib.compile_pdf(tex)
    assert ok, message
    assert (tmp_path / f"{name}.pdf").stat().st_size > 10_000
