"""The solver portfolio (z3 + cvc5 on one SMT-LIB translation), the rewriting before any solver
(case splits, radicals, denominators, abstractions), interval arithmetic and implicit quantities."""
import numpy as np
import pytest
import sympy as sp

from symbolic import POSITIVE, PROBABILITY, REAL, Claim, Equal, Equivalent, Holds, Model, smt
from symbolic.implicit import implicit
from symbolic.intervals_iv import certainly, enclose_root, prove_by_intervals
from symbolic.preprocess import abstract_atoms, clear_denominators, radicals, split_cases, vanishes_modulo
from symbolic.proofs import Prover, prove_rewritten

x, y = sp.symbols("x y", real=True)

needs_cvc5 = pytest.mark.skipif("cvc5" not in smt.available(), reason="cvc5 not installed")


def _violates(goal, hyps):
    def check(point):
        return all(bool(h.subs(point)) for h in hyps) and not bool(goal.subs(point))
    return check


def test_smtlib_script_declares_asserts_and_negates():
    enc = smt.encode([x > 0], sp.sqrt(x) < x / 3)
    text = enc.script
    assert text.startswith("(set-logic QF_NRA)") and "(declare-fun |x| () Real)" in text
    assert "(= (* |__aux1| |__aux1|) |x|)" in text and text.rstrip().endswith("(check-sat)")
    assert "(not (< |__aux1| (* (/ 1.0 3.0) |x|)))" in text
    with pytest.raises(smt.NotEncodable):
        smt.encode([x > 0], sp.exp(x) > x)


@pytest.mark.parametrize("solver", ["z3", pytest.param("cvc5", marks=needs_cvc5)])
def test_each_solver_reads_the_same_script(solver):
    proved = smt.encode([x > 0, y > 0], (x + y) ** 2 >= 4 * x * y)
    assert smt.RUNNERS[solver](proved, 5000)[0] == "unsat"
    outcome, model, _ = smt.RUNNERS[solver](smt.encode([x > 0, x < 1], x ** 2 > x / 2), 5000)
    assert outcome == "sat" and 0 < model["x"] <= sp.Rational(1, 2)


@needs_cvc5
def test_portfolio_records_every_solver_and_rechecks_counterexamples():
    d, result = smt.decide_smt([x > 0, y > 0], (x + y) ** 2 >= 4 * x * y, 5000)
    assert d.outcome == "proved" and result.winner is not None
    assert {a.solver for a in result.answers} == {"z3", "cvc5"}
    assert all(a.outcome in ("unsat", "stopped") for a in result.answers)
    hyps, goal = [x > 0, x < 1], x ** 2 > x / 2
    d, _ = smt.decide_smt(hyps, goal, 5000, check=_violates(goal, hyps))
    assert d.outcome == "refuted" and not (d.counterexample[x] ** 2 > d.counterexample[x] / 2)
    # a model that exact substitution rejects is never a counterexample
    d, _ = smt.decide_smt(hyps, goal, 5000, check=lambda point: False)
    assert d.outcome == "unknown"


def test_case_split_keeps_conditions_and_drops_empty_cases():
    f = sp.Piecewise((x, x < 0), (x ** 2, True)) + sp.Abs(x) >= 0
    cases = split_cases(f)
    # x < 0 (where |x| = -x: the case reads 0 >= 0) and x >= 0; |x|'s own test x >= 0 is decided by
    # the condition already taken, so no case has contradictory conditions
    assert sorted(str(c.conditions) for c in cases) == ["[x < 0]", "[x >= 0]"]
    # (a case is left as SymPy built it, unevaluated: read back, it is 0 >= 0 and x**2 + x >= 0)
    assert {str(sp.sympify(str(c.formula))) for c in cases} == {"True", "x**2 + x >= 0"}
    # the same condition met twice is decided syntactically
    g = sp.Piecewise((1, x < 0), (2, True)) + sp.Piecewise((3, x < 0), (4, True)) > 5
    got = {str(c.conditions): c.formula for c in split_cases(g)}
    assert got == {"[x < 0]": sp.false, "[x >= 0]": sp.true}  # 1 + 3 and 2 + 4, never 1 + 4 or 2 + 3
    # an infeasibility oracle drops cases
    assert len(split_cases(f, feasible=lambda conds: not any(c == (x < 0) for c in conds))) == 1


def test_closed_form_root_solves_its_equation_algebraically():
    b, c = sp.symbols("b c", real=True)
    root = (-b + sp.sqrt(b ** 2 - 4 * c)) / 2
    (diff,), defs, facts = radicals(root ** 2 + b * root + c)
    assert len(defs) == 1 and vanishes_modulo(diff, defs)
    assert any(isinstance(f, sp.Eq) for f in facts)
    (wrong,), defs, _ = radicals(root ** 2 + b * root - c)
    assert not vanishes_modulo(wrong, defs)


def test_one_radical_built_two_ways_gets_one_auxiliary():
    # unevaluated, x + 1 and 1 + x are different SymPy objects: two auxiliaries of one sign each
    # would leave r1 - r2, which no reduction modulo r_i^2 = u_i makes zero
    with sp.evaluate(False):
        first, second = sp.sqrt(sp.Add(x ** 2, 1)), sp.sqrt(sp.Add(1, x ** 2))
    assert first != second
    (diff,), defs, _ = radicals(sp.Add(first, -second, evaluate=False))
    assert len(defs) == 1 and vanishes_modulo(diff, defs)


def test_identity_at_the_positive_root_only_is_left_to_the_solvers():
    # sqrt(x**2) = x holds for x >= 0 only through r >= 0: not modulo r^2 = x^2 (the filter at the
    # negative root says so before any algebra), while a true identity passes at every root
    (diff,), defs, _ = radicals(sp.sqrt(x ** 2) - x)
    assert not vanishes_modulo(diff, defs)
    (diff,), defs, _ = radicals(sp.sqrt(x ** 2 + 1) ** 2 - x ** 2 - 1 + sp.exp(x) - sp.exp(x))
    assert vanishes_modulo(diff, defs)


def test_short_pass_tactic_decides_what_the_general_solver_does():
    from symbolic.decide import decide
    goal, hyps = sp.Max(x, y) >= (x + y) / 2, [x ** 2 + y ** 2 <= 1]
    for short in (False, True):
        assert decide(hyps, goal, 2000, short=short).outcome == "proved"
        d = decide(hyps, sp.Max(x, y) > x, 2000, check=_violates(sp.Max(x, y) > x, hyps), short=short)
        assert d.outcome == "refuted" and d.counterexample[y] <= d.counterexample[x]


def test_denominators_of_decided_sign_are_cleared():
    rel = sp.StrictLessThan(1 / x, y)
    assert clear_denominators(rel, lambda d: 1) == sp.StrictLessThan(1 - x * y, 0)
    assert clear_denominators(rel, lambda d: -1) == sp.StrictLessThan(x * y - 1, 0)
    assert clear_denominators(rel, lambda d: None) == rel


def test_transcendental_atoms_get_decided_bounds():
    z, s = sp.symbols("z s", positive=True)
    decided = {(1 - z) > 0, (1 - z) < 1, s > 0, s >= 1}
    (out,), facts, table = abstract_atoms([(1 - z) ** s < 1], lambda c: c in decided)
    (v,) = table
    assert table[v] == (1 - z) ** s and out == (v < 1)
    assert (v > 0) in facts and (v < 1) in facts and (v <= 1 - z) in facts


def test_interval_arithmetic_certifies_bounded_claims_only():
    m = Model("iv", "intervals")
    p = m.parameter("p", PROBABILITY)
    r = m.parameter("r", REAL)
    proved = prove_by_intervals(p * (1 - p) <= sp.Rational(26, 100), [p > 0, p < 1], m.space)
    assert proved.status == "proved" and "interval" in proved.method
    assert prove_by_intervals(p * (1 - p) <= sp.Rational(24, 100), [p > 0, p < 1], m.space).status == "unknown"
    assert "unbounded" in prove_by_intervals(r ** 2 + 1 > r, [], m.space).detail


@pytest.fixture
def model():
    m = Model("procedures", "Synthetic claims for the proof procedures")
    m.parameter("z", PROBABILITY)
    m.parameter("s", POSITIVE, sample_range=(1.0, 5.0))
    m.parameter("a", PROBABILITY)
    m.parameter("u", REAL)
    m.parameter("d", REAL)
    return m


def verdicts(m, *claims):
    for c in claims:
        m.claim(c)
    return {v.claim: v for v in m.verify(samples=300)}


def test_pipeline_names_the_procedure_that_decided(model, monkeypatch):
    z, s, a, u, d = (model.parse(n) for n in "z s a u d".split())
    w = sp.Symbol("w", real=True)
    v = implicit("v", w ** 3 + w - a, w, (0, a))  # the root of w^3 + w = a in (0, a)
    claims = [
        Claim("P-1", "a power with a symbolic exponent", [
            Equivalent(d <= u, d <= u * (1 - (1 - z) ** s) + d * (1 - z) ** s, "abstraction")]),
        Claim("P-2", "a root solves its equation", [
            Equal((-1 + sp.sqrt(1 + 4 * a)) ** 2 / 4 + (-1 + sp.sqrt(1 + 4 * a)) / 2, a, "radicals")]),
        Claim("P-3", "an implicit root's bounds", [
            Holds(v <= a, "from the bracket"), Holds(v >= a / 2, "from monotonicity")]),
        Claim("P-4", "a false claim on an implicit root is refuted with a certified enclosure of the root", [
            Holds(v >= a, "false")]),
    ]
    got = verdicts(model, *claims)
    assert got["P-1"].status == "proved" and "transcendental atoms abstracted" in got["P-1"].method
    assert got["P-2"].status == "proved"
    bracket, monotone = got["P-3"].parts
    assert bracket.status == "proved" and "implicit" in bracket.method
    assert monotone.status == "proved" and "implicit function theorem" in monotone.method
    # v >= a is false (v < a wherever a > 0); v has no exact value at the counterexample, but interval
    # arithmetic encloses its root (unique in the bracket) below a
    (wrong,) = got["P-4"].parts
    assert wrong.status == "refuted" and "certified enclosure" in wrong.detail
    a0 = float(sp.Rational(wrong.counterexample["a"]))
    real = [r.real for r in np.roots([1, 0, 1, -a0]) if abs(r.imag) < 1e-12]
    assert len(real) == 1 and real[0] < a0


def test_certified_enclosure_of_an_implicit_root():
    a = sp.Symbol("a", positive=True)
    w = sp.Symbol("w", real=True)
    v = implicit("v", w ** 3 + w - a, w, (0, a))
    box = enclose_root(v.xreplace({a: sp.Rational(3, 7)}))
    (root,) = [r.real for r in np.roots([1, 0, 1, -3 / 7]) if abs(r.imag) < 1e-12]
    assert box is not None and box.a <= root <= box.b and box.delta < 1e-8
    assert certainly(v.xreplace({a: sp.Rational(3, 7)}) < sp.Rational(3, 7)) is True
    assert certainly(v.xreplace({a: sp.Rational(3, 7)}) > sp.Rational(3, 7)) is False
    # two roots (0 and a) in the bracket: the quantity's root is not certified unique, so nothing is
    two = implicit("two", w * (w - a), w, (-1, 2))
    assert enclose_root(two.xreplace({a: sp.Rational(1, 2)})) is None
    at = two.xreplace({a: sp.Rational(1, 2)})
    assert certainly(at > 5) is False            # the bracket (-1, 2) still bounds it
    assert certainly(at > sp.Rational(1, 4)) is None   # 0 or 1/2: undecided, never guessed


def test_rewriting_splits_cases_and_reduces_radicals_without_a_solver():
    a = sp.Symbol("a", positive=True)
    b = sp.Symbol("b", real=True)
    root = sp.Piecewise(((-b + sp.sqrt(b ** 2 + 4 * a)) / 2, b < 1), ((-b - sp.sqrt(b ** 2 + 4 * a)) / 2, True))
    got = prove_rewritten(sp.Eq(root ** 2 + b * root - a, 0, evaluate=False), [a > 0], Prover(solvers=("z3",)),
                          1000, None, {a, b})
    assert got.status == "proved" and got.method == "case split + algebraic reduction modulo radicals"
    wrong = prove_rewritten(sp.Eq(root ** 2 + b * root + a, 0, evaluate=False), [a > 0], Prover(solvers=("z3",)),
                            1000, None, {a, b})
    assert wrong.status != "proved"


def test_z3_only_configuration_leaves_them_checked(model, monkeypatch):
    monkeypatch.setenv("GT_DERIVATIONS_PROCEDURES", "0")
    monkeypatch.setenv("GT_DERIVATIONS_SOLVERS", "z3")
    z, s, u, d = (model.parse(n) for n in "z s u d".split())
    got = verdicts(model, Claim("P-1", "a power with a symbolic exponent", [
        Equivalent(d <= u, d <= u * (1 - (1 - z) ** s) + d * (1 - z) ** s, "abstraction")]))
    assert got["P-1"].status == "checked" and "not polynomial/rational" in got["P-1"].detail
