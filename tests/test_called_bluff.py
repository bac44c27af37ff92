"""The Called Bluff model: verdicts of CB-1 ... CB-10, closed forms at known numbers, the CLI."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from derivations import load
from derivations.called_bluff import COOPERATIVE, FIGURE1, ORDINAL, inverse_search

R = sp.Rational


@pytest.fixture(scope="module")
def model():
    return load("called_bluff")


@pytest.fixture(scope="module")
def verdicts(model):
    return {v.claim: v for v in model.verify(samples=300, seed=0)}


EXPECTED = {"CB-1": "proved", "CB-2": "checked", "CB-3": "proved", "CB-4": "proved", "CB-5": "proved",
            "CB-6": "proved", "CB-7": "proved", "CB-8": "proved", "CB-9": "refuted", "CB-10": "refuted"}


@pytest.mark.parametrize("claim", sorted(EXPECTED))
def test_verdicts(verdicts, claim):
    assert verdicts[claim].status == EXPECTED[claim], verdicts[claim].detail


def test_refutations_carry_exact_counterexamples_and_proved_repairs(verdicts):
    for cid in ("CB-9", "CB-10"):
        v = verdicts[cid]
        assert v.counterexample is not None
        assert v.repair is not None and v.repair.status == "proved"
    assert verdicts["CB-9"].counterexample["b"] == R(9, 10)


def at(model, name, inst):
    return sp.nsimplify(model.quantity(name).subs({model.domain[k].symbol: v for k, v in inst.items()}))


def test_closed_forms_at_the_reconstructed_instance(model):
    assert at(model, "max_common_return", FIGURE1) == R(8, 9)
    assert at(model, "max_return_D", FIGURE1) == R(8, 9)
    assert at(model, "max_return_C", FIGURE1) == R(62, 9)
    assert at(model, "min_return_D", FIGURE1) == R(1, 27)
    assert at(model, "blame_min_D", FIGURE1) == R(541, 720)
    assert at(model, "blame_max_C", FIGURE1) == R(587, 720)
    # the ordinal instance has the thresholds the other way round
    assert at(model, "blame_min_D", ORDINAL) == R(217, 270)
    assert at(model, "blame_max_C", ORDINAL) == R(34, 45)


def test_values_match_the_paper_forms(model):
    d, q, p = (model.domain[n].symbol for n in ("d", "q", "p"))
    t_C, f_D = model.domain["t_C"].symbol, model.domain["f_D"].symbol
    assert sp.simplify(model.quantity("V_C_DN") - t_C / (1 - d * q)) == 0
    assert sp.simplify(model.quantity("V_D_DN") - f_D / (1 - d * q)) == 0
    assert "V_C_C" not in model.quantities   # the values at C are 0 (CB-3 states them)


def test_exact_one_shot_test_agrees_with_conditions_1_to_3(model):
    """At 15 random rational instances the enumerator's exact one-shot-deviation test of the
    cooperative profile agrees with (1)-(3) written with the closed-form bounds."""
    g3 = model.stochastic_games["baseline"]
    rng = np.random.default_rng(11)
    for _ in range(15):
        inst = dict(t_D=R(int(rng.integers(1, 9))), s_D=-R(int(rng.integers(1, 5))), t_C=R(int(rng.integers(1, 9))),
                    f_C=-R(int(rng.integers(1, 5))), d=R(int(rng.integers(1, 20)), 20),
                    p=R(int(rng.integers(1, 20)), 20), q=R(int(rng.integers(1, 20)), 20))
        inst["f_D"] = inst["s_D"] - int(rng.integers(1, 5))
        inst["s_C"] = inst["f_C"] - int(rng.integers(1, 5))
        game = g3.subs(inst)
        mpe = game.is_equilibrium(game.pure(COOPERATIVE))
        formula = (1 - inst["q"] >= at(model, "min_return_D", inst)
                   and 1 - inst["q"] <= at(model, "max_return_D", inst)
                   and 1 - inst["p"] <= at(model, "max_return_C", inst))
        assert mpe == formula, inst


def test_ordinal_instance_between_the_thresholds_has_full_cooperation(model):
    """The report's statement: at the ordinal instance with b = 0.78 (between the thresholds) the
    cooperative profile is not an MPE, but three other equilibria cooperate fully."""
    game = model.stochastic_games["blame"].subs({**ORDINAL, "b": R(78, 100)})
    eqs = game.equilibria()
    assert not eqs.continua
    coop = {(s, pl): (a,) for s, pr in COOPERATIVE.items() for pl, a in zip(("C", "D"), pr)}
    assert all(e.support != coop for e in eqs.equilibria)
    full = [e for e in eqs.equilibria if e.label == "full"]
    assert len(full) == 3
    mixed = [e for e in full if not e.is_pure()][0]
    assert abs(mixed.probability("DN", "D", "d") - 0.023) < 0.001
    assert abs(mixed.probability("CN", "C", "d") - 0.081) < 0.001


def test_inverse_search(model):
    best = inverse_search()[0]
    assert {k: best[k] for k in ("t_D", "s_D", "f_D", "t_C", "f_C", "s_C", "d")} == \
        dict(t_D=4, s_D=-3, f_D=-4, t_C=1, f_C=-7, s_C=-9, d="9/10")
    assert inverse_search(bound="0.5", max_payoff=3) == []
    assert all(r["d"] == "9/10" for r in inverse_search(blame_low=None))


# ---- command line ---------------------------------------------------------------------------
def run(*args):
    return subprocess.run([sys.executable, "-m", "derivations", "--quiet", *args], capture_output=True, text=True,
                          timeout=300)


FIG1 = ["t_D=4", "f_D=-4", "s_D=-3", "t_C=1", "f_C=-7", "s_C=-9", "d=0.9", "p=0.3", "q=0.3"]


def test_cli_eval_quantities():
    out = run("eval", "called_bluff", "max_common_return", "t_D=4", "f_D=-4", "t_C=1", "f_C=-7", "d=0.9")
    assert out.returncode == 0 and abs(float(out.stdout) - 8 / 9) < 1e-12
    out = run("eval", "called_bluff", "blame_min_D", *(a for a in FIG1 if a.split("=")[0] not in ("t_C", "f_C", "s_C")))
    assert out.returncode == 0 and abs(float(out.stdout) - 541 / 720) < 1e-12
    out = run("eval", "called_bluff", "blame_min_D", *FIG1)  # the Creditor's payoffs are not used: refused
    assert out.returncode == 2 and out.stderr == ("error: blame_min_D does not use t_C, f_C, s_C; "
                                                  "it uses t_D, s_D, f_D, d, p, q\n")


def test_cli_equilibria_json():
    out = run("equilibria", "called_bluff", *FIG1, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["game"] == "baseline"
    assert sorted(e["label"] for e in data["equilibria"]) == ["full", "none", "none", "none", "sporadic"]
    coop = next(e for e in data["equilibria"] if e["label"] == "full")
    assert coop["states"]["DN"]["C"]["probability_c"] == 0.0
    assert abs(coop["states"]["DN"]["D"]["value"] - (-4 / 0.73)) < 1e-9


def test_cli_sweep_two_state_game():
    out = run("sweep", "called_bluff", "q", "t_D=4", "f_D=-4", "s_D=-3", "t_C=1", "f_C=-7", "s_C=-9", "d=0.9",
              "--from", "0.1", "--to", "0.9", "--steps", "2", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert json.loads(out.stdout)["game"] == "two_state"
    assert [r["labels"] for r in rows] == [{"full": 0, "sporadic": 0, "none": 1}] * 3


def test_cli_sweep_steps_inside_an_open_interval():
    """d in (0, 1): `--from 0 --to 1` was refused (d = 0 and d = 1 lie outside the domain); the grid
    values at the excluded ends move a hundredth of a step inside, with a note (in the JSON; on
    stderr unless --quiet), and the rest of the grid is unchanged.  A value beyond an end is still
    refused."""
    game = ["t_D=4", "f_D=-4", "s_D=-3", "t_C=1", "f_C=-7", "s_C=-9", "q=0.3"]
    out = run("sweep", "called_bluff", "d", *game, "--from", "0", "--to", "1", "--steps", "4", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [r["value"] for r in data["rows"]] == ["1/400", "1/4", "1/2", "3/4", "399/400"]
    note = "d's domain (0, 1) excludes d=0 and d=1: swept at 1/400 and 399/400 instead"
    assert len(data["notes"]) == 1 and data["notes"][0].startswith(note)
    assert [r["labels"] for r in data["rows"]] == [{"full": 0, "sporadic": 0, "none": 1}] * 5
    beyond = run("sweep", "called_bluff", "d", *game, "--from", "0", "--to", "1.5", "--steps", "4")
    assert beyond.returncode == 2 and "outside its domain" in beyond.stderr


def test_cli_search():
    out = run("search", "called_bluff", "--json")
    assert out.returncode == 0
    assert json.loads(out.stdout)["matches"][0]["t_D"] == 4


@pytest.mark.parametrize("args", [
    ("equilibria", "called_bluff", "t_D=4"),                                   # missing values
    ("equilibria", "called_bluff", *FIG1[:-1], "q=1.5"),                         # out of domain
    ("equilibria", "called_bluff", *FIG1[:-1], "q=abc"),                         # not a number
    ("equilibria", "called_bluff", "t_D=4", "f_D=-2", "s_D=-3", "t_C=1", "f_C=-7", "s_C=-9", "d=0.9", "p=0.3",
     "q=0.3"),                                                                   # ordering violated
    ("equilibria", "called_bluff", *FIG1, "zz=1"),                               # unknown name
    ("equilibria", "nosuchmodel", *FIG1),                                        # unknown model
    ("equilibria", "csd_signaling", "p=0.5"),                                    # no stochastic game
    ("sweep", "called_bluff", "b", *FIG1, "b=0.5"),                              # swept and given
    ("sweep", "called_bluff", "b", *FIG1, "--steps", "0"),
    ("search", "called_bluff", "--discounts", "1.5"),
    ("search", "called_bluff", "--bound", "x"),
])
def test_cli_errors_are_one_line(args):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), out.stderr
    assert "Traceback" not in out.stderr


# ---- the fast sweep (issue 6, target 5) --------------------------------------------------------
def _summary(rows, game):
    """Per value: sorted (support, label, probabilities of c) and the continua's (support, label)."""
    out = []
    for r in rows:
        eqs = []
        for e in r.equilibria:
            probs = tuple(e.probability(s, pl, "c") for s in game.states for pl in game.players)
            eqs.append((tuple(sorted(e.support.items())), e.label, probs))
        conts = sorted((tuple(sorted(c.support.items())), c.label) for c in r.continua)
        out.append((sorted(eqs, key=lambda t: (t[0], t[1], [round(p, 6) for p in t[2]])), conts))
    return out


@pytest.mark.parametrize("inst", [FIGURE1, ORDINAL], ids=["figure1", "ordinal"])
def test_fast_sweep_agrees_with_the_exact_solver(model, inst):
    """At 15 values of b spread over [0, 1], including both thresholds, the fast sweep finds the
    same equilibria as the exact enumeration: supports, labels, continua, probabilities to 1e-9."""
    from symbolic.games.stochastic import sweep
    from symbolic.games.stochastic_fast import FastSweep

    game = model.stochastic_games["blame"].subs(inst)
    grid = [R(k, 12) for k in range(13)] + [at(model, "blame_min_D", inst), at(model, "blame_max_C", inst)]
    fast = _summary(FastSweep(game, "b", cache=False).run(grid), game)
    slow = _summary(sweep(game, "b", grid), game)
    for v, (fe, fc), (se, sc) in zip(grid, fast, slow):
        assert fc == sc, v
        assert [(s, lab) for s, lab, _ in fe] == [(s, lab) for s, lab, _ in se], v
        for (_, _, pf), (_, _, ps) in zip(fe, se):
            assert max(abs(a - b) for a, b in zip(pf, ps)) <= 1e-9, v


def test_benchmark_sweep_table():
    from derivations.called_bluff import benchmark_sweep
    rows = benchmark_sweep(11)
    assert len(rows) == 11
    assert [r.value for r in rows] == [R(k, 10) for k in range(11)]
    labels = {float(r.value): sorted(r.labels()) for r in rows}
    assert labels[0.0] == ["none"]                 # only perpetual stage-Nash play
    assert "full" in labels[0.9]                   # mutual punishment in CN (CB-9*)
