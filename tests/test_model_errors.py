"""Mistakes in a model file: one line naming the file and the line, what is concerned and what
to do, exit 2 -- never an internal error (the broken model files are in fixtures/broken/)."""
from pathlib import Path

import pytest

from derivations.cli import main

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"

#: fixture -> (line of the mistake in the file, words the message must contain)
CASES = {
    "undeclared_symbol": (9, ["'zeta'", "not declared", "declared names: w, k", "outcome X"]),
    "undeclared_name": (9, ["'x2_of_x1'", "not declared"]),
    "parameter_twice": (8, ["parameter 'w' declared twice"]),
    "empty_interval": (8, ["empty interval"]),
    "quantity_named_like_parameter": (8, ["quantity 'k' has the name of a parameter"]),
    "python_error": (8, ["TypeError", "descripton", "--debug"]),
    "system_continuum": (10, ["xs, ys:", "continuum"]),
    "unbounded_optimum": (9, ["xs:", "unbounded"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_model_file_is_one_line_with_file_and_line(name, capsys):
    path = BROKEN / f"{name}.py"
    line, words = CASES[name]
    assert main(["list", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {path}:{line}: "), err
    assert "internal error" not in err
    for w in words:
        assert w in err, (w, err)


def test_debug_shows_the_traceback():
    with pytest.raises(Exception) as info:
        main(["--debug", "list", str(BROKEN / "undeclared_symbol.py")])
    assert "zeta" in str(info.value) and info.value.__cause__ is not None


def test_claims_true_as_written_are_unknown_never_proved():
    """Holds(sp.true) and a formula SymPy collapses when it is built are vacuous: unknown, with the
    reason; the same comparison kept unevaluated is proved."""
    import sympy as sp

    from symbolic import PROBABILITY, Claim, Holds, Model

    m = Model("vacuous", "vacuous")
    w = m.parameter("w", PROBABILITY)
    m.claim(Claim("V-1", "a constant", [Holds(sp.true, "true")]))
    m.claim(Claim("V-2", "collapsed", [Holds(sp.factor(w ** 2 - w * w) >= 0, "collapsed")]))
    m.claim(Claim("V-3", "kept", [Holds(sp.GreaterThan(w ** 2, 0, evaluate=False), "kept")]))
    v = {x.claim: x for x in m.verify(samples=100)}
    for claim in ("V-1", "V-2"):
        assert v[claim].status == "unknown" and "true as written" in v[claim].detail
    assert v["V-3"].status == "proved"


def test_a_proof_whose_sample_check_cannot_draw_says_so_and_reports_no_samples():
    """A part proved by z3 whose hypotheses have (numerically) negligible volume: the proof stands,
    its detail says the sample check did not run, and its samples are null, not the requested N."""
    import sympy as sp

    from symbolic import PROBABILITY, Claim, Holds, Model

    m = Model("thin", "thin")
    a, b = m.parameter("a", PROBABILITY), m.parameter("b", PROBABILITY)
    thin = [a - b < sp.Rational(1, 10**12), b - a < sp.Rational(1, 10**12)]
    m.claim(Claim("T-1", "a + b < 3 on a sliver", [Holds(a + b < 3, "sliver", given=thin)]))
    (v,) = m.verify(samples=200)
    part = v.as_json()["parts"][0]
    assert v.status == "proved" and "sample check did not run" in v.detail, v.detail
    assert part["samples"] is None and v.samples is None


def test_equality_hypotheses_are_used_by_substitution_so_the_sample_check_runs():
    """given=[Eq(d1, d2)]: the proof is double-checked at points with d1 = d2 (none of the draws
    is skipped), and a counterexample carries both parameters, satisfying the equality."""
    import sympy as sp

    from symbolic import PROBABILITY, Claim, Holds, Model
    from symbolic.verify import NO_DRAWS

    m = Model("eq", "eq")
    d1, d2 = m.parameter("d1", PROBABILITY), m.parameter("d2", PROBABILITY)
    x1 = (1 - d2) / (1 - d1 * d2)
    m.claim(Claim("E-1", "x1 > 1/2 with equal patience", [Holds(x1 > sp.Rational(1, 2), "x1", given=[sp.Eq(d1, d2)])]))
    m.claim(Claim("E-2", "x1 > 2/3 (false)", [Holds(x1 > sp.Rational(2, 3), "x1", given=[sp.Eq(d1, d2)])]))
    v = {x.claim: x for x in m.verify(samples=300)}
    assert v["E-1"].status == "proved" and v["E-1"].samples == 300 and NO_DRAWS not in v["E-1"].detail
    assert [p["samples"] for p in v["E-1"].as_json()["parts"]] == [300]  # the draws actually made
    cx = v["E-2"].counterexample
    assert v["E-2"].status == "refuted" and cx["d1"] == cx["d2"]
    d = sp.Rational(cx["d1"])
    assert not (1 - d) / (1 - d * d) > sp.Rational(2, 3)
