"""Repeated games on automaton states (symbolic/games/repeated.py) and examples/repeated_pd.py:
each automaton's deviation condition against the textbook formula typed independently, the
grim-trigger threshold derived, and the stationary equilibria of the repeated PD at two discount
factors."""
from pathlib import Path

import pytest
import sympy as sp

from derivations import load
from derivations.cli import main
from symbolic import DerivationError, Model, interval

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "repeated_pd.py"
STAGE = {("C", "C"): ("R", "R"), ("C", "D"): ("S", "T"), ("D", "C"): ("T", "S"), ("D", "D"): ("P", "P")}


def _pd(automaton, **kw):
    m = Model("pd", "pd")
    syms = {n: m.parameter(n, interval(None, None)) for n in "TRPS"}
    d = m.parameter("d", interval(0, 1, right_open=True))
    m.constrain(syms["T"] > syms["R"])
    m.constrain(syms["R"] > syms["P"])
    m.constrain(syms["P"] > syms["S"])
    game = m.repeated_game("g", ("1", "2"), ("C", "D"), STAGE, d, automaton=automaton, **kw)
    return m, game, syms, d


@pytest.mark.parametrize("automaton, kw, state, gain", [
    # V(cooperate) - Q(defect once), typed from the textbook, player 1
    ("grim trigger", {}, "cooperate", lambda T, R, P, S, d, q: R / (1 - d) - (T + d * P / (1 - d))),
    ("k-period punishment", {"periods": 2}, "cooperate",
     lambda T, R, P, S, d, q: R / (1 - d) - (T + d * P + d**2 * P + d**3 * R / (1 - d))),
    ("forgiveness", {"forgive": "1/3"}, "cooperate",
     lambda T, R, P, S, d, q: R / (1 - d) - (T + d * (P + d * q * R / (1 - d)) / (1 - d * (1 - q)))),
    ("tit-for-tat", {}, "CC", lambda T, R, P, S, d, q: R / (1 - d) - (T + d * (S + d * T) / (1 - d**2))),
])
def test_deviation_condition_of_each_automaton_is_the_textbook_one(automaton, kw, state, gain):
    m, game, s, d = _pd(automaton, **kw)
    dev = game.profile.deviation(state, "1", "D")
    want = gain(s["T"], s["R"], s["P"], s["S"], d, sp.Rational(1, 3))
    assert sp.simplify(dev.value - dev.deviation - want) == 0, (dev.value, dev.deviation)


def test_grim_trigger_threshold_is_derived_and_is_the_mpe_region():
    m = load(str(EXAMPLE))
    T, R, P, d = (m.domain[n].symbol for n in ("T", "R", "P", "d"))
    assert sp.simplify(m.quantity("delta_hat") - (T - R) / (T - P)) == 0
    verdicts = {v.claim: v.status for v in m.verify(samples=300)}
    assert verdicts == {"RPD-1": "proved", "RPD-2": "proved", "RPD-3": "proved", "RPD-4": "refuted"}
    assert all(c.passed for c in m.cross_check(300))


def test_tit_for_tat_is_not_an_equilibrium_of_the_pd_at_generic_payoffs():
    """TFT's region needs the same d to make cooperating and alternating indifferent: never on
    an open set -- the derived region is not the whole domain, and at 5, 3, 1, 0 with d = 7/10
    the profile is not an equilibrium (exact test)."""
    m, game, s, d = _pd("tit-for-tat")
    assert game.profile.region is not sp.true
    numeric = game.subs({"T": 5, "R": 3, "P": 1, "S": 0, "d": sp.Rational(7, 10)})
    assert not numeric.is_equilibrium(numeric.pure({w: (a[1], a[0]) for w, a in
                                                    {"CC": "CC", "CD": "CD", "DC": "DC", "DD": "DD"}.items()}))


@pytest.mark.parametrize("d, count, labels", [("0.4", 1, ["none"]), ("0.7", 3, ["full", "none", "none"])])
def test_equilibria_of_the_repeated_pd(d, count, labels, capsys):
    assert main(["equilibria", str(EXAMPLE), "T=5", "R=3", "P=1", "S=0", f"d={d}", "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    eqs = out["equilibria"]
    assert len(eqs) == count and sorted(e["label"] for e in eqs) == sorted(labels)


def test_eval_delta_hat(capsys):
    assert main(["eval", str(EXAMPLE), "delta_hat", "T=5", "R=3", "P=1"]) == 0
    assert float(capsys.readouterr().out.strip().split()[-1]) == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("kw, words", [
    ({"automaton": "win-stay"}, ["unknown automaton", "grim trigger"]),
    ({"automaton": "forgiveness"}, ["forgive="]),
    ({"automaton": "k-period punishment", "periods": 0}, ["periods"]),
    ({"cooperate": ("C", "X")}, ["cooperate=", "not an action profile"]),
])
def test_repeated_game_mistakes_are_one_line(kw, words):
    m = Model("pd", "pd")
    d = m.parameter("d", interval(0, 1, right_open=True))
    with pytest.raises(DerivationError) as info:
        m.repeated_game("g", ("1", "2"), ("C", "D"), {k: (1, 1) for k in STAGE}, d, **kw)
    assert "\n" not in str(info.value)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_report_section_and_figures_are_generated_from_the_game(tmp_path):
    """The report's stochastic-game section: the 8 state/profile rows, the derived region, every
    equilibrium at the two instances (1 and 3); the state diagram's arrows are the game's."""
    from symbolic import report as reportlib
    from symbolic.games.figures import _edges

    m = load(str(EXAMPLE))
    ctx = reportlib.context(m, m.verify(samples=200), m.cross_check(200), {})
    (g,) = ctx["solving"]["stochastic"]
    assert len(g["rows"]) == 8 and g["automaton"] == "grim trigger"
    assert "delta" in g["profiles"][0]["region"]
    assert [len(i["equilibria"]) for i in g["instances"]] == [1, 3]
    assert any("sqrt{305}" in e["play"] for e in g["instances"][1]["equilibria"])
    edges = _edges(m.stochastic_games["grim"])
    assert edges == {("cooperate", "cooperate"): ["C,C"], ("cooperate", "punish"): ["C,D; D,C; D,D"],
                     ("punish", "punish"): ["any profile"]}
    figures = reportlib.write_figures(m, tmp_path)
    assert [f["path"] for f in figures] == ["figures/repeated_pd-grim-states.pdf", "figures/repeated_pd-grim-sweep-d.pdf"]
