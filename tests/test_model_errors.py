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
    "clipped_cdf_objective": (11, ["xs:", "does not depend on x where a < x", "within=(lo, hi)"]),
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


MODELS = Path(__file__).resolve().parent / "fixtures" / "models"


def _equivalent_over(m, a, b):
    """z3: the two conditions agree on the model's domain."""
    import sympy as sp

    from symbolic.decide import decide

    return decide(m.domain.conditions(), sp.Equivalent(a, b)).outcome == "proved"


def test_cutoff_with_a_root_on_part_of_the_domain_gets_its_derived_region(capsys):
    """w - exp(k) vs -a: khat = log(a + w), defined where a + w > 1 (derived, not typed);
    outside, eval refuses in one line and the numeric function is NaN."""
    import numpy as np
    import sympy as sp

    from derivations import load

    m = load(str(MODELS / "partial_cutoff.py"))
    w, a = m.domain["w"].symbol, m.domain["a"].symbol
    q = m.quantities["khat"]
    assert sp.simplify(q.expr - sp.log(a + w)) == 0
    assert _equivalent_over(m, q.defined_when, a + w > 1), q.defined_when
    f = m.numeric("khat")
    assert np.isnan(f(w=0.3, a=0.2)) and abs(f(w=0.8, a=0.7) - np.log(1.5)) < 1e-12
    (check,) = m.cross_check(400)
    assert check.passed and 0 < check.samples < 400  # compared where it exists
    assert main(["eval", str(MODELS / "partial_cutoff.py"), "khat", "w=0.3", "a=0.2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not defined" in err and "a + w > 1" in err, err


def test_cubic_indifference_with_a_unique_root_is_an_implicit_cutoff():
    """x^3 + b x = c on x in (0, 1): no Cardano radicals; an implicit root, unique because the
    condition increases in x, existing where c < 1 + b; values agree with numpy's polynomial
    roots and the derivative in c is the implicit-function-theorem 1 / (3 x^2 + b)."""
    import numpy as np
    import sympy as sp

    from derivations import load
    from symbolic.implicit import ImplicitFunction

    m = load(str(MODELS / "cubic_cutoff.py"))
    b, c = m.domain["b"].symbol, m.domain["c"].symbol
    q = m.quantities["xhat"]
    assert isinstance(q.expr, ImplicitFunction) and not q.expr.has(sp.sqrt(3))
    assert _equivalent_over(m, q.defined_when, c < 1 + b), q.defined_when
    rng = np.random.default_rng(3)
    f = m.numeric("xhat")
    for bv, cv in zip(rng.uniform(0.1, 3, 20), rng.uniform(0.1, 3, 20)):
        real = [r.real for r in np.roots([1, 0, bv, -cv]) if abs(r.imag) < 1e-12 and 0 < r.real < 1]
        got = f(b=bv, c=cv)
        assert (np.isnan(got) and not real) or abs(got - real[0]) < 1e-10, (bv, cv, got, real)
    dx_dc = sp.lambdify((b, c), sp.diff(q.expr, c).subs(q.expr, sp.Symbol("x0")).subs("x0", 0.5))
    assert abs(dx_dc(1.0, 0.625) - 1 / (3 * 0.25 + 1.0)) < 1e-12  # xhat(1, 0.625) = 0.5
    assert abs(f(b=1.0, c=0.625) - 0.5) < 1e-12
    (check,) = m.cross_check(300)
    assert check.passed


def test_condition_with_several_roots_is_refused_in_a_short_line():
    """Not monotone and no unique root: refused, without pages of radicals."""
    import sympy as sp

    from symbolic import PROBABILITY, Model
    from symbolic.errors import DerivationError

    m = Model("two_roots", "two roots")
    c = m.parameter("c", PROBABILITY)
    x = m.parameter("x", PROBABILITY)
    game = m.payoffs(["A"])
    game.outcome("Act", A=(x - sp.Rational(1, 4)) * (x - sp.Rational(3, 4)) * (x + c) * (x + 2 * c + 1))
    game.outcome("Wait", A=0)
    with pytest.raises(DerivationError) as info:
        m.cutoff("xhat", game.prefers("A", "Act", "Wait"), x, r"\hat x")
    assert len(str(info.value)) < 400 and "\n" not in str(info.value), str(info.value)


def test_clipped_cdf_objective_on_the_unclipped_interval_is_solved():
    """The clipped uniform CDF of the broken fixture, with the interval given: the clipped pieces
    are dropped (decided) and the maximiser of x (1 - x/a) is a/2."""
    import sympy as sp

    from symbolic import NONNEGATIVE, POSITIVE, Model

    m = Model("clipped", "clipped")
    a = m.parameter("a", POSITIVE)
    x = m.unknown("x", NONNEGATIVE)
    F = sp.Piecewise((0, x < 0), (x / a, x <= a), (1, True))
    q = m.optimum("xs", x * (1 - F), over=x, within=(0, a))
    assert sp.simplify(m.quantity("xs") - a / 2) == 0, q
