"""Game trees (symbolic/games/extensive.py): backward induction into the equilibrium map,
checked against the textbook regions typed independently, numeric backward induction at draws
in every region, Gambit's .efg read by pygambit (zero regret at every information set), the
`solve` command and a malformed tree's one-line errors."""
import io
import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from derivations import load
from derivations.cli import main
from symbolic import REAL, DerivationError, Model, interval
from symbolic.decide import decide
from symbolic.games.extensive import cross_check_map, numeric_backward_induction

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "entry_deterrence.py"


@pytest.fixture(scope="module")
def entry():
    return load(str(EXAMPLE))


def _same(m, a, b):
    return decide(m.domain.conditions(), sp.Equivalent(a, b)).outcome == "proved"


def test_entry_deterrence_map_is_the_textbook_one(entry):
    s = {n: entry.domain[n].symbol for n in ("f_E", "f_I", "d_E", "d_I")}
    tmap = entry.tree_maps["entry"]
    fight = s["d_I"] <= -s["f_I"]  # ties go to Fight, listed first
    want = {("Out",): sp.Or(fight & (s["f_E"] >= 0), ~fight & (s["d_E"] <= 0)),
            ("In", "Fight"): fight & (s["f_E"] < 0), ("In", "Accommodate"): ~fight & (s["d_E"] > 0)}
    for path, region in want.items():
        assert _same(entry, tmap.where(*path), region), path
    assert tmap.disjoint is True and tmap.covers is True and len(tmap.branches) == 4


def test_map_agrees_with_numeric_backward_induction_in_every_region(entry):
    checks = cross_check_map(entry.tree_maps["entry"], entry.space, n=150)
    assert all(c["points"] == 150 and not c["mismatches"] for c in checks), checks


def test_a_wrong_map_is_caught_by_the_numeric_cross_check(entry):
    tmap = entry.tree_maps["entry"]
    wrong = type(tmap)(tmap.game, [type(b)(b.region, {**b.profile, "I": "Accommodate"}, b.payoffs, b.path)
                                   for b in tmap.branches], True, True)
    assert sum(len(c["mismatches"]) for c in cross_check_map(wrong, entry.space, n=50)) > 0


def test_chance_node_expectations_and_a_three_stage_tree():
    """Nature makes the challenger strong with probability r; the defender resists or concedes;
    the challenger (uninformed) then backs down or fights.  Payoffs are expectations over r."""
    m = Model("chance", "chance")
    r = m.parameter("r", interval(0, 1, True, True))
    w, c = m.parameter("w", REAL), m.parameter("c", REAL)
    t = m.game_tree("crisis", ("Ch", "De"))
    t.decision("De", "De", {"Resist": "Ch", "Concede": "concede"})
    t.terminal("concede", (1, -1))
    t.decision("Ch", "Ch", {"Fight": "nature", "Back": "back"})
    t.chance("nature", {"strong": ("r", "win"), "weak": ("1 - r", "lose")})
    t.terminal("win", ("w - c", "-w"))
    t.terminal("lose", ("-c", 0))
    t.terminal("back", (-1, 1))
    tmap = m.equilibria(t)
    fight = tmap.where("Resist", "Fight")
    assert _same(m, tmap.where("Resist", "Fight") | tmap.where("Concede"), r * w - c >= -1)
    assert fight is not sp.false
    rng = np.random.default_rng(1)
    for _ in range(40):
        point = {r: rng.uniform(0, 1), w: rng.uniform(-3, 3), c: rng.uniform(-3, 3)}
        b = tmap.at(point)
        profile, payoffs = numeric_backward_induction(t, point)
        assert profile == b.profile
        assert np.allclose(payoffs, [float(u.subs(point)) for u in b.payoffs])


def test_efg_export_is_read_by_pygambit_and_the_profile_has_zero_regret(entry):
    gbt = pytest.importorskip("pygambit")
    tmap = entry.tree_maps["entry"]
    rng = np.random.default_rng(7)
    names = ("m", "f_E", "f_I", "d_E", "d_I")
    for _ in range(12):
        values = {"m": int(rng.integers(1, 5)), **{n: int(rng.integers(-4, 5)) for n in names[1:]}}
        g = gbt.read_efg(io.StringIO(tmap.game.to_efg(values)))
        b = tmap.at({entry.domain[n].symbol: v for n, v in values.items()})
        p = g.mixed_behavior_profile(rational=True)
        for infoset in g.infosets:
            chosen = b.profile[list(infoset.members)[0].label]
            for a in infoset.actions:
                p[a] = 1 if a.label == chosen else 0
        assert all(p.infoset_regret(i) == 0 for i in g.infosets), values


def test_solve_json_contract_and_conditions_read_back(entry, capsys):
    assert main(["solve", str(EXAMPLE), "--json", "--points", "20"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"model", "game", "regions"} <= set(out)
    names = {n: entry.domain[n].symbol for n in entry.domain.parameters}
    for reg in out["regions"]:
        assert set(reg) >= {"condition", "profile", "path", "payoffs"}
        cond = sp.sympify(reg["condition"], locals=names)
        match = [b for b in entry.tree_maps["entry"].branches if b.path == reg["path"] and b.profile == reg["profile"]]
        assert len(match) == 1 and _same(entry, cond, match[0].region)


@pytest.mark.parametrize("build, words", [
    (lambda t: (t.decision("a", "A", {"x": "missing"})), ["child 'missing'"]),
    (lambda t: (t.decision("a", "A", {})), ["node a has no actions"]),
    (lambda t: (t.decision("a", "A", {"x": "b"}), t.terminal("b", (1,))), ["terminal b", "one payoff per player"]),
    (lambda t: (t.chance("a", {"h": ("1/2", "b"), "t": ("1/3", "c")}), t.terminal("b", (1, 1)),
                t.terminal("c", (0, 0))), ["chance node a", "sum to 1"]),
    (lambda t: (t.decision("a", "Z", {"x": "b"})), ["unknown player 'Z'"]),
    (lambda t: (t.decision("a", "A", {"x": "b", "y": "b"}), t.terminal("b", (1, 1))), ["node b has two parents"]),
])
def test_malformed_trees_are_one_line_errors(build, words):
    m = Model("bad", "bad")
    t = m.game_tree("g", ("A", "B"))
    with pytest.raises((DerivationError, ValueError)) as info:
        build(t)
        m.equilibria(t)
    assert "\n" not in str(info.value)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_solve_refuses_a_model_without_a_tree(capsys):
    assert main(["solve", "csd_signaling"]) == 2
    assert "has no game tree" in capsys.readouterr().err
