"""Signaling games (symbolic/games/signaling.py): perfect Bayesian equilibria against the
textbook answers typed independently here (beer--quiche at the textbook numbers and with symbolic
payoffs, a discrete job-market game whose intuitive-criterion verdict depends on the parameters, a
three-type game with partial pooling and a two-dimensional off-path belief set), the numeric
enumeration of the PBE at draws in every region, Gambit's .efg read by pygambit (zero regret),
`solve` (text and JSON) and bad input as one-line errors."""
import io
import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from derivations import load
from derivations.cli import main
from symbolic import POSITIVE, DerivationError, Model, SignalingMap, interval
from symbolic.decide import decide
from symbolic.games.signaling import check_semi_separating, cross_check_signaling, numeric_pbe

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "beer_quiche.py"
HALF = sp.Rational(1, 2)


def _same(m, a, b, extra=()):
    return decide(m.space.conditions() + list(extra), sp.Equivalent(a, b)).outcome == "proved"


@pytest.fixture(scope="module")
def bq():
    return load(str(EXAMPLE))


@pytest.fixture(scope="module")
def textbook():
    """Beer--quiche at the textbook numbers: breakfast 1, duel 2, fight gains +1 / -1; p = P(strong)."""
    m = Model("bq_numbers", "beer-quiche at numbers")
    p = m.parameter("p", interval(0, 1, True, True))
    game = m.signaling_game("bq", "S", "R", {"weak": "1 - p", "strong": "p"}, ["Beer", "Quiche"], ["Fight", "Not"])
    table = {}
    for t, likes in (("weak", "Quiche"), ("strong", "Beer")):
        for msg in ("Beer", "Quiche"):
            for r in ("Fight", "Not"):
                table[(t, msg, r)] = ((1 if msg == likes else 0) + (2 if r == "Not" else 0),
                                      (1 if t == "weak" else -1) if r == "Fight" else 0)
    game.payoffs(table)
    return m, p, game, m.equilibria(game)


def test_textbook_beer_quiche(textbook):
    m, p, game, smap = textbook
    pool_beer = smap.select(kind="pooling", weak="Beer", strong="Beer")
    pool_quiche = smap.select(kind="pooling", weak="Quiche", strong="Quiche")
    assert len(pool_beer) == len(pool_quiche) == 1
    (pb,), (pq,) = pool_beer, pool_quiche
    # pooling on beer iff p >= 1/2, sustained by fighting a quiche eater believed weak with prob >= 1/2
    assert _same(m, pb.region, p >= HALF) and pb.receiver == {"Beer": "Not", "Quiche": "Fight"}
    mu = game.beliefs["Quiche"]["weak"]
    assert _same(m, pb.belief_sets["Quiche"], mu >= HALF, [p >= HALF])
    assert pb.beliefs["Beer"] == {"weak": 1 - p, "strong": p}
    assert pb.intuitive["verdict"] == "survives"
    br = game.best_response("Quiche")  # the receiver's best response as a function of its belief
    assert _same(m, br["Fight"], mu >= HALF) and _same(m, br["Not"], mu <= HALF)
    # pooling on quiche: the same region, mu(weak | Beer) >= 1/2, and it fails the intuitive criterion
    assert _same(m, pq.region, p >= HALF) and pq.receiver == {"Beer": "Fight", "Quiche": "Not"}
    assert _same(m, pq.belief_sets["Beer"], game.beliefs["Beer"]["weak"] >= HALF, [p >= HALF])
    assert pq.intuitive["verdict"] == "fails"
    # payoffs: strong b + d = 3 / weak d = 2 pooling on beer; receiver 0
    assert pb.payoffs == {"S(weak)": 2, "S(strong)": 3, "R": 0}
    # no separating equilibrium (avoiding the duel is worth more than breakfast)
    assert not smap.select(kind="separating")
    # p < 1/2: weak drinks beer w.p. p/(1-p), the receiver fights a beer drinker w.p. 1/2, quiche always
    (semi,) = smap.select(kind="semi-separating")
    assert _same(m, semi.region, p < HALF)
    assert semi.sender["strong"] == "Beer"
    assert sp.simplify(semi.sender["weak"]["Beer"] - p / (1 - p)) == 0
    assert semi.receiver["Beer"]["Fight"] == HALF and semi.receiver["Quiche"] == "Fight"
    assert smap.covers is True
    assert isinstance(smap, SignalingMap) and m.signaling_maps["bq"] is smap


def test_symbolic_beer_quiche_map(bq):
    smap = bq.signaling_maps["beer_quiche"]
    s = {n: bq.domain[n].symbol for n in ("p", "b", "d", "g", "l")}
    p, b, d, g, l = s.values()
    want = {("pooling", "Beer", "Beer"): (p * (g + l) >= g) & (d >= b),
            ("pooling", "Quiche", "Quiche"): (p * (g + l) >= g) & (d >= b),  # strong: d >= b (beer, fought)
            ("separating", "Quiche", "Beer"): b >= d,
            ("separating", "Beer", "Quiche"): sp.false,
            ("semi-separating", None, "Beer"): (p * (g + l) < g) & (d > b)}
    for (kind, weak, strong), region in want.items():
        sender = {"strong": strong} if weak is None else {"weak": weak, "strong": strong}
        assert _same(bq, smap.where(kind=kind, **sender), region), (kind, weak, strong)
    (semi,) = smap.select(kind="semi-separating")
    assert sp.simplify(semi.sender["weak"]["Beer"] - p * l / ((1 - p) * g)) == 0
    assert sp.simplify(semi.receiver["Beer"]["Fight"] - (1 - b / d)) == 0
    assert sp.simplify(semi.beliefs["Beer"]["weak"] - l / (g + l)) == 0
    verdicts = {(x.sender["weak"], x.intuitive["verdict"]) for x in smap.branches if x.kind == "pooling"}
    assert verdicts == {("Beer", "survives"), ("Quiche", "fails")}
    assert smap.covers is True
    # the claims: BQ-5 is refuted with a counterexample confirmed here, its repair proved
    by_id = {v.claim: v for v in bq.verify()}
    assert {k: v.status for k, v in by_id.items()} == {"BQ-1": "proved", "BQ-2": "proved", "BQ-3": "proved",
                                                       "BQ-4": "proved", "BQ-5": "refuted", "BQ-6": "proved",
                                                       "BQ-7": "proved"}
    cx = {bq.domain[k].symbol: sp.Rational(v) for k, v in by_id["BQ-5"].counterexample.items()}
    assert cx[p] > HALF and smap.where(kind="pooling", weak="Beer", strong="Beer").xreplace(cx) is sp.false
    assert by_id["BQ-5"].repair.status == "proved"


def test_cross_check_agrees_in_every_region_and_catches_a_wrong_map(bq, textbook):
    for m, smap in ((bq, bq.signaling_maps["beer_quiche"]), (textbook[0], textbook[3])):
        checks = cross_check_signaling(smap, m.space, n=60)
        assert all(c["points"] == 60 and not c["mismatches"] for c in checks), checks
    smap = bq.signaling_maps["beer_quiche"]
    wrong = SignalingMap(smap.game, [type(b)(b.kind, b.sender, {**b.receiver, "Quiche": "Not"} if b.pure else
                                             b.receiver, b.beliefs, b.belief_sets, b.region, b.payoffs, b.status,
                                             b.intuitive, b.mixing) for b in smap.branches], [], True)
    assert sum(len(c["mismatches"]) for c in cross_check_signaling(wrong, bq.space, n=20)) > 0
    semi = smap.select(kind="semi-separating")[0]
    bad = type(semi)(semi.kind, semi.sender, {**semi.receiver, "Beer": {"Fight": HALF, "Not": HALF}}, semi.beliefs,
                     {}, semi.region, semi.payoffs)
    s = {n: bq.domain[n].symbol for n in ("p", "b", "d", "g", "l")}
    point = {s["p"]: 0.2, s["b"]: 1.0, s["d"]: 3.0, s["g"]: 1.0, s["l"]: 1.0}
    assert check_semi_separating(smap.game, semi, point) and not check_semi_separating(smap.game, bad, point)


@pytest.fixture(scope="module")
def job_market():
    """High/low ability (prior r of High), education costs c_H < c_L, wage premium w; the firm wants
    to match the wage to the ability (1 for a match, 0 otherwise)."""
    m = Model("job", "job market")
    r = m.parameter("r", interval(0, 1, True, True))
    w, cH, cL = (m.parameter(n, POSITIVE) for n in ("w", "c_H", "c_L"))
    m.constrain(cH < cL, "the able find education cheaper")
    game = m.signaling_game("job", "W", "F", {"H": "r", "L": "1 - r"}, ["Edu", "None"], ["High", "Low"])
    cost = {"H": cH, "L": cL}
    game.payoffs(lambda t, msg, resp: (w * int(resp == "High") - cost[t] * int(msg == "Edu"),
                                       int((t == "H") == (resp == "High"))))
    return m, (r, w, cH, cL), game, m.equilibria(game)


def test_job_market_separating_pooling_and_an_intuitive_verdict_that_depends(job_market):
    m, (r, w, cH, cL), game, smap = job_market
    assert _same(m, smap.where(kind="separating", H="Edu", L="None"), (cH <= w) & (w <= cL))
    assert _same(m, smap.where(kind="separating", H="None", L="Edu"), sp.false)
    (low,) = smap.select(kind="pooling", H="None", L="None", responses={"None": "Low", "Edu": "Low"})
    assert _same(m, low.region, r <= HALF)
    assert _same(m, low.belief_sets["Edu"], game.beliefs["Edu"]["H"] <= HALF, [r <= HALF])
    assert low.intuitive["verdict"] == "depends"
    assert _same(m, low.intuitive["fails"], (r <= HALF) & (cH < w) & (w < cL))
    assert _same(m, low.intuitive["survives"], (r <= HALF) & ((w <= cH) | (w >= cL)))
    (high,) = smap.select(kind="pooling", H="None", L="None", responses={"None": "High", "Edu": "Low"})
    assert _same(m, high.region, r >= HALF)
    checks = cross_check_signaling(smap, m.space, n=40)
    assert all(not c["mismatches"] for c in checks), checks


def test_three_types_partial_pooling_and_a_two_dimensional_belief_set():
    """Types L, M, H (priors 1/3), Loud costs 3, 2, 1; Yield is worth v; resisting gains 1 against L
    and M and loses 3 against H."""
    m = Model("three", "three types")
    v = m.parameter("v", POSITIVE)
    third = sp.Rational(1, 3)
    game = m.signaling_game("g3", "S", "R", {"L": third, "M": third, "H": third}, ["Quiet", "Loud"],
                            ["Yield", "Resist"])
    cost = {"L": 3, "M": 2, "H": 1}
    gain = {"L": 1, "M": 1, "H": -3}
    game.payoffs(lambda t, msg, resp: (v * int(resp == "Yield") - cost[t] * int(msg == "Loud"),
                                       gain[t] * int(resp == "Resist")))
    smap = m.equilibria(game)
    assert _same(m, smap.where(kind="partially pooling", L="Quiet", M="Quiet", H="Loud"), (v >= 1) & (v <= 2))
    assert _same(m, smap.where(kind="partially pooling", L="Quiet", M="Loud", H="Loud"), (v >= 2) & (v <= 3))
    assert _same(m, smap.where(kind="pooling", L="Loud", M="Loud", H="Loud"), v >= 3)
    assert _same(m, smap.where(kind="pooling", L="Quiet", M="Quiet", H="Quiet"), sp.true)
    assert not smap.select(kind="separating") and not smap.select(kind="semi-separating")
    assert any("semi-separating" in x for x in smap.not_enumerated)
    (resist,) = smap.select(kind="pooling", L="Quiet", M="Quiet", H="Quiet", responses={"Loud": "Resist"})
    muL, muM = game.beliefs["Loud"]["L"], game.beliefs["Loud"]["M"]
    assert _same(m, resist.belief_sets["Loud"], muL + muM >= 3 * (1 - muL - muM),
                 [muL + muM <= 1])
    for b in smap.select(kind="pooling"):
        assert b.intuitive["verdict"] == "survives"
    checks = cross_check_signaling(smap, m.space, n=40)  # the 2-d off-path beliefs by a linear program
    assert all(not c["mismatches"] for c in checks), checks
    point = {v: 2.5}
    found = {tuple(e["sender"].values()) for e in numeric_pbe(game, point)}
    assert ("Quiet", "Loud", "Loud") in found and ("Quiet", "Quiet", "Loud") not in found


def test_efg_is_read_by_pygambit_and_every_branch_has_zero_regret(bq):
    gbt = pytest.importorskip("pygambit")
    smap = bq.signaling_maps["beer_quiche"]
    game = smap.game
    rng = np.random.default_rng(11)
    seen = set()
    for _ in range(25):
        values = {"p": sp.Rational(int(rng.integers(1, 10)), 10),
                  **{n: sp.Integer(int(rng.integers(1, 5))) for n in ("b", "d", "g", "l")}}
        g = gbt.read_efg(io.StringIO(game.to_efg(values)))
        point = {bq.domain[n].symbol: v for n, v in values.items()}
        for b in smap.at(point):
            seen.add(b.kind)
            prof = g.mixed_behavior_profile(rational=True)
            for infoset in g.infosets:
                if infoset.player.label == game.sender:
                    choice = b.sender[infoset.label]
                else:
                    choice = b.receiver[infoset.label]
                mix = choice if isinstance(choice, dict) else {choice: 1}
                for a in infoset.actions:
                    prob = sp.nsimplify(sp.sympify(mix.get(a.label, 0)).xreplace(point))
                    prof[a] = gbt.Rational(int(sp.fraction(prob)[0]), int(sp.fraction(prob)[1]))
            reached = [i for i in g.infosets if prof.infoset_prob(i) > 0]
            assert all(prof.infoset_regret(i) == 0 for i in reached), (values, b.path)
            assert prof.as_strategy().max_regret() == 0, (values, b.path)
    assert seen == {"pooling", "separating", "semi-separating"}


def test_solve_text_and_json(bq, capsys):
    assert main(["solve", str(EXAMPLE), "--points", "20"]) == 0
    text = capsys.readouterr().out
    assert "intuitive criterion: fails" in text and "semi-separating" in text and "agrees" in text
    assert main(["solve", str(EXAMPLE), "--json", "--points", "20"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"model", "game", "regions"} <= set(out) and out["game"] == "beer_quiche"
    names = {n: bq.space[n].symbol for n in [*bq.domain.parameters, *bq.unknowns]}
    smap = bq.signaling_maps["beer_quiche"]
    for reg, b in zip(out["regions"], smap.branches):
        assert set(reg) >= {"condition", "profile", "path", "payoffs", "beliefs", "off_path_beliefs", "kind"}
        assert _same(bq, sp.sympify(reg["condition"], locals=names), b.region)
        for m_, cond in reg["off_path_beliefs"].items():
            assert _same(bq, sp.sympify(cond, locals=names), b.belief_sets[m_], [b.region])
        if b.kind == "pooling":
            assert reg["intuitive_criterion"]["verdict"] in ("survives", "fails")
    assert all(c["mismatches"] == 0 and c["points"] == 20 for c in out["cross_check"])


def _game(m, **over):
    spec = dict(types={"a": "1/2", "b": "1/2"}, messages=["x", "y"], responses=["u", "v"])
    spec.update(over)
    return m.signaling_game("g", "S", "R", **spec)


def _full(game):
    game.payoffs(lambda t, msg, r: (int(msg == "x"), int(r == "u")))
    return game


@pytest.mark.parametrize("build, words", [
    (lambda m: _game(m, types={"a": "1/2", "b": "1/3"}), ["priors", "sum to 1"]),
    (lambda m: _game(m).payoff("a", "x", "u", 1, 1), ["no payoff for type a, message x, response v"]),
    (lambda m: _game(m).payoff("c", "x", "u", 1, 1), ["unknown type 'c'"]),
    (lambda m: _game(m).payoff("a", "z", "u", 1, 1), ["unknown message 'z'"]),
    (lambda m: _game(m).payoffs({("a", "x", "w"): (1, 1)}), ["unknown response 'w'"]),
    (lambda m: _game(m).payoffs({("a", "x"): (1, 1)}), ["(type, message, response)"]),
    (lambda m: _game(m, messages=["x"]), ["at least 2 messages"]),
    (lambda m: _game(m, messages=["x", "x"]), ["message 'x' is listed twice"]),
    (lambda m: _full(_game(m, types={"a": "q", "b": "1 - q"})), ["prior of type a", "not positive"]),
    (lambda m: _game(m).payoff("a", "x", "u", "zeta", 1), ["type a, message x, response u", "'zeta'", "not declared"]),
])
def test_bad_input_is_a_one_line_error(build, words):
    m = Model("bad", "bad")
    m.parameter("q", interval(0, 1))  # closed: a prior q may be 0
    with pytest.raises(DerivationError) as info:
        game = build(m)
        if game is None:
            game = m.signaling_games["g"]
        m.equilibria(game)
    assert "\n" not in str(info.value)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_solve_exits_2_on_a_missing_payoff(tmp_path, capsys):
    model = tmp_path / "broken_signal.py"
    model.write_text("from symbolic import Model\n\n\ndef build():\n    m = Model('broken', 'broken')\n"
                     "    g = m.signaling_game('s', 'S', 'R', {'a': '1/2', 'b': '1/2'}, ['x', 'y'], ['u'])\n"
                     "    g.payoffs({('a', 'x', 'u'): (1, 0), ('a', 'y', 'u'): (0, 0), ('b', 'x', 'u'): (0, 0)})\n"
                     "    m.equilibria(g)\n    return m\n")
    assert main(["solve", str(model)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no payoff for type b, message y, response u" in err


def test_a_region_z3_cannot_decide_is_kept_and_marked_never_wrong():
    """Payoffs in sin(v) and exp(v): z3 cannot decide the regions that depend on them, so those
    equilibria stay in the map as 'not decided' (never dropped, never called decided), and at
    draws inside each of them the numeric enumeration confirms the profile."""
    m = Model("undecided", "undecided")
    v = m.parameter("v", POSITIVE)
    game = m.signaling_game("g", "S", "R", {"a": "1/2", "b": "1/2"}, ["x", "y"], ["u", "w"])
    game.payoffs(lambda t, msg, r: (sp.sin(v) * int(msg == "x") + int(r == "u") * (1 if t == "a" else -1),
                                    sp.exp(v) * int((t == "a") == (r == "u"))))
    smap = m.equilibria(game)
    assert smap.branches and all(b.status == "not decided" and b.region.has(sp.sin) for b in smap.branches)
    assert all(b.intuitive["verdict"] == "not decided" for b in smap.branches if b.kind == "pooling")
    assert smap.covers is None
    checks = cross_check_signaling(smap, m.space, n=30)
    assert sum(c["points"] for c in checks) > 0 and not any(c["mismatches"] for c in checks)


def test_three_messages_education_levels():
    """Two types, three education levels costing 0, c, 2c to H and twice that to L, wage premium w:
    separating on 'some' exactly where c <= w <= 2c (H pays for it, L would not), on 'lots' where
    2c <= w <= 4c; every branch agrees with the numeric enumeration."""
    m = Model("edu3", "education levels")
    m.parameter("p", interval(0, 1, True, True))
    c, w = m.parameter("c", POSITIVE), m.parameter("w", POSITIVE)
    game = m.signaling_game("g", "S", "R", {"H": "p", "L": "1 - p"}, ["none", "some", "lots"], ["hi", "lo"])
    cost = {"none": 0, "some": 1, "lots": 2}
    game.payoffs(lambda t, msg, r: (w * int(r == "hi") - cost[msg] * (c if t == "H" else 2 * c),
                                    int((t == "H") == (r == "hi"))))
    smap = m.equilibria(game)
    assert _same(m, smap.where(kind="separating", H="some", L="none"), (c <= w) & (w <= 2 * c))
    assert _same(m, smap.where(kind="separating", H="lots", L="none"), (2 * c <= w) & (w <= 4 * c))
    assert _same(m, smap.where(kind="separating", H="lots", L="some"), sp.false)
    assert smap.covers is True
    checks = cross_check_signaling(smap, m.space, n=25)
    assert all(not c_["mismatches"] for c_ in checks), checks


def test_a_misspelled_description_is_an_error_not_an_empty_region(bq):
    """Found by a new user: where(kind="separting") was False, so a claim was refuted."""
    smap = bq.signaling_maps["beer_quiche"]
    for bad, words in ((dict(kind="separting"), "unknown kind 'separting'"), (dict(weak="Beeer"), "unknown message"),
                       (dict(Weak="Beer"), "unknown type 'Weak'"), (dict(responses={"Beer": "Duel"}), "unknown response"),
                       (dict(kind="pooling", intuitive="survive"), "give 'survives' or 'fails'")):
        with pytest.raises(DerivationError, match=words):
            smap.where(**bad)
    p, b, d, g, l = (bq.domain[n].symbol for n in "p b d g l".split())
    by_name = smap.at({"p": sp.Rational(3, 4), "b": 1, "d": 2, "g": 1, "l": 1})
    assert by_name == smap.at({p: sp.Rational(3, 4), b: 1, d: 2, g: 1, l: 1}) and by_name
