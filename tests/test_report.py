"""LaTeX appendices: escaping, determinism, atomic writes, and real compilation."""
import os
from pathlib import Path

import pytest
import sympy as sp

import derivations
from symbolic import PROBABILITY, Claim, Holds, Model
from symbolic import report as reportlib
from symbolic.latex import escape, tex

ROOT = Path(__file__).resolve().parent.parent
needs_latex = pytest.mark.skipif(
    reportlib.latex_engine() is None and not os.environ.get("REQUIRE_LATEX"),
    reason="no LaTeX engine (set REQUIRE_LATEX=1 to make this a failure)")


def build_report(model, out: Path, samples=300) -> Path:
    verdicts, checks = model.verify(samples=samples), model.cross_check(samples=samples)
    figures = reportlib.write_figures(model, out)
    steps = model.verify_steps(samples)
    text = reportlib.render(model, verdicts, checks, {"samples": samples, "seed": 0}, figures, steps)
    return reportlib.write(out / f"{model.name}.tex", text)


def test_escape_every_special_character():
    assert escape("a_b % c & d # e $ f { g } h \\ i ^ j ~") == (
        r"a\_b \% c \& d \# e \$ f \{ g \} h \textbackslash{} i \textasciicircum{} j \textasciitilde{}")


def test_paper_symbols_in_formulas():
    m = derivations.load("csd_signaling")
    assert tex(m.quantities["chat_U"].display, m) == r"\frac{q + F \psi}{1 - F \left(1 - \delta_U\right)}"
    assert r"\bar{c}_J" in tex(m.quantity("s_pool"), m)


def test_same_inputs_give_byte_identical_tex(tmp_path):
    m = derivations.load("csd_signaling")
    a = build_report(m, tmp_path / "a").read_bytes()
    b = build_report(m, tmp_path / "b").read_bytes()
    assert a == b
    fa = (tmp_path / "a" / "figures" / "csd_signaling-crisis-regions-F-c_U.pdf").read_bytes()
    fb = (tmp_path / "b" / "figures" / "csd_signaling-crisis-regions-F-c_U.pdf").read_bytes()
    assert fa == fb and b"CreationDate" not in fa


def test_failed_write_leaves_previous_report(tmp_path, monkeypatch):
    target = tmp_path / "r.tex"
    reportlib.write(target, "old")

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        reportlib.write(target, "new" * 1000)
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def hostile_model():
    m = Model("hostile_model", title="Text with _ % & # $ { } \\ ^ ~",
              description="Description with _ % & # $ { } \\ ^ ~ and <angle> brackets")
    x = m.parameter("x_1", PROBABILITY, description="weird % & # $ _ { } \\ ^ ~")
    m.choice("a choice with 100% & $5 {braces} \\backslash ^caret ~tilde #hash _under")
    m.claim(Claim("H-1 & #2", "x_1 > 0 % always & {really} \\ ^ ~ $", [Holds(sp.StrictGreaterThan(x, 0, evaluate=False), "label _ % &")],
                  note="note _ % & # $ { } \\ ^ ~"))
    m.stated_not_checked("prose _ % & # $", "reason { } \\ ^ ~")
    return m


@needs_latex
def test_hostile_text_still_compiles(tmp_path):
    path = build_report(hostile_model(), tmp_path)
    ok, message = reportlib.compile_pdf(path)
    assert ok, message


#: every registered model in CI (FULL_MUTATION=1, its exhaustive level); a plain run compiles the seed
#: models (those the mutation audit covers) and leaves the gallery to tests/test_gallery.py's one compile
COMPILED = [n for n in derivations.available()
            if os.environ.get("FULL_MUTATION") == "1" or hasattr(derivations.module(n), "MUTATION_EQUIVALENTS")]


@needs_latex
@pytest.mark.parametrize("name", COMPILED)
def test_every_model_report_compiles_without_undefined_references(tmp_path, name):
    model = derivations.load(name)
    path = build_report(model, tmp_path)
    ok, message = reportlib.compile_pdf(path)     # fails on errors and on undefined references
    assert ok, message
    text = path.read_text()
    for claim in model.claims:
        assert reportlib.escape(claim.id) in text


def test_rechecked_cross_checks_are_reported_and_compile(tmp_path):
    """A cross-check with draws re-checked at 40 digits says so in the table (and still compiles)."""
    import dataclasses
    model = derivations.load("csd_signaling")
    verdicts = model.verify(samples=300)
    checks = [dataclasses.replace(c, rechecked=3 if c.quantity == "Fhat_C" else 0) for c in model.cross_check(samples=300)]
    text = reportlib.render(model, verdicts, checks, {"samples": 300, "seed": 0},
                            reportlib.write_figures(model, tmp_path), model.verify_steps(300))
    assert "(3 re-checked)" in text and "at 40 digits" in text
    path = reportlib.write(tmp_path / "csd_signaling.tex", text)
    if reportlib.latex_engine() is not None or os.environ.get("REQUIRE_LATEX"):
        ok, message = reportlib.compile_pdf(path)
        assert ok, message


def test_csd_report_content(tmp_path):
    path = build_report(derivations.load("csd_signaling"), tmp_path)
    text = path.read_text()
    assert r"\includegraphics" in text and "Counterexample" in text and "CSD-9*" in text
    assert "verified: z3" in text and "not verified" not in text


@needs_latex
def test_undefined_reference_fails_and_keeps_previous_pdf(tmp_path):
    doc = tmp_path / "doc.tex"
    doc.write_text("\\documentclass{article}\\begin{document}ok\\end{document}\n")
    assert reportlib.compile_pdf(doc)[0]
    before = (tmp_path / "doc.pdf").read_bytes()
    doc.write_text("\\documentclass{article}\\begin{document}see \\ref{nowhere}\\end{document}\n")
    ok, message = reportlib.compile_pdf(doc)
    assert not ok and "undefined" in message
    doc.write_text("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n")
    ok, message = reportlib.compile_pdf(doc)
    assert not ok and "Undefined control sequence" in message
    assert (tmp_path / "doc.pdf").read_bytes() == before and (tmp_path / "doc.log").exists()


@needs_latex
def test_body_fragment_inputs_into_a_minimal_document(tmp_path):
    model = derivations.load("csd_signaling")
    verdicts, checks = model.verify(samples=300), model.cross_check(samples=300)
    figures = reportlib.write_figures(model, tmp_path)
    body = reportlib.render_body(model, verdicts, checks, {"samples": 300}, figures, model.verify_steps(300))
    reportlib.write(tmp_path / "csd_signaling-body.tex", body)
    host = tmp_path / "paper.tex"
    host.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb,array,booktabs,longtable,graphicx,hyperref}\n"
                    "\\newcommand{\\GTsection}{\\subsection}\\newcommand{\\GTsubsection}{\\subsubsection}\n"
                    "\\begin{document}\\section{Appendix}\\input{csd_signaling-body}\n"
                    "See equation~\\eqref{eq:csd_signaling:chat_U} and claim~\\ref{claim:csd_signaling:CSD-9}.\n"
                    "\\end{document}\n")
    ok, message = reportlib.compile_pdf(host)
    assert ok, message


def test_cli_builds_are_byte_identical(tmp_path):
    from derivations.cli import main
    for out in ("a", "b"):
        assert main(["report", "csd_signaling", "--out", str(tmp_path / out), "--no-pdf", "--quiet",
                     "--samples", "300"]) == 0
    names = sorted(p.name for p in (tmp_path / "a").glob("*.tex"))
    assert names == ["csd_signaling-body.tex", "csd_signaling.tex"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_jupyter_display():
    m = derivations.load("csd_signaling")
    assert m.quantities["chat_U"]._repr_latex_() == (
        r"$\displaystyle \hat{c}_U = \frac{q + F \psi}{1 - F \left(1 - \delta_U\right)}$")
    claim = m.claim_by_id("CSD-8")._repr_latex_()
    assert claim.startswith("$") and r"\frac{\partial \hat{c}_U}{\partial F}" in claim and "textgreater" not in claim
    assert r"\hat{c}_C &=" in m._repr_latex_()


def test_equivalence_keeps_the_authors_order_of_sides(entry_model):
    """SymPy's Equivalent sorts its arguments; the report and the text show the sides as written."""
    from symbolic import Equivalent
    from symbolic.latex import proposition
    m, game, s = entry_model
    fights = game.prefers("I", "Fight", "Accommodate")
    c, v, w, r = s["c"], s["v"], s["w"], s["r"]
    for left, right in ((c <= v * w + r, fights.weak()), (fights.weak(), c <= v * w + r)):
        part = Equivalent(left, right, "either order")
        shown = proposition(part, m).split(r" \iff ")
        assert shown == [tex(left, m), tex(right, m)]
        assert str(part) == f"{left} <=> {right}"
    one, other = Equivalent(c <= v * w + r, fights.weak()), Equivalent(fights.weak(), c <= v * w + r)
    assert one.formula.args == other.formula.args  # SymPy forgets the order (what is proved is the same) ...
    assert proposition(one, m) != proposition(other, m)  # ... the display does not


def test_a_step_that_multiplies_or_divides_says_by_which_factor(monkeypatch):
    """The cutoff's steps name the factor they multiply (the payoff difference's denominator) or
    divide by (the coefficient of the variable), with its decided sign and any reversal."""
    from symbolic import POSITIVE
    m = Model("factors", title="Factors")
    m.parameter("w", PROBABILITY, "w")
    m.parameter("d", PROBABILITY, r"\delta")
    m.parameter("v", POSITIVE, "v")
    c = m.parameter("c", POSITIVE, "c")
    m.parameter("r", POSITIVE, "r")
    game = m.payoffs(["I"])
    game.outcome("Fight", I="w*v/(1 - d) - c*w")
    game.outcome("Yield", I="-r")
    m.cutoff("chat", game.prefers("I", "Fight", "Yield"), solve_for=c, latex=r"\hat{c}")
    body = reportlib.render_body(m, [], [], {"samples": 100}, (), m.verify_steps(100))
    assert r"multiplied by $1 - \delta > 0$ (z3); terms in $c$ collected" in body
    assert r"divided by $w \left(-1 + \delta\right) < 0$ (z3), reversing the inequality; solved for $c$" in body
    plain = reportlib.render_body(derivations.load(str(ROOT / "examples" / "audience_costs.py")), [], [], {}, ())
    assert "divided by $-1$, reversing the inequality; solved for $k$" in plain
    assert "(terms in $k$ collected" in plain  # nothing multiplied: no factor named
    monkeypatch.setattr(reportlib, "_MAX_FACTOR", 5)  # a long factor is named by its role
    body = reportlib.render_body(m, [], [], {"samples": 100}, (), m.verify_steps(100))
    assert r"multiplied by $\text{the denominator} > 0$ (z3)" in body
    assert r"divided by $\text{the coefficient of }c < 0$ (z3)" in body


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_written_files_get_the_users_umask(tmp_path, umask):
    """Reports, figures and compiled PDFs are created 0o666 less the umask, not mkstemp's 0o600."""
    old = os.umask(umask)
    try:
        paths = [reportlib.write(tmp_path / "a.tex", "text"), reportlib.write(tmp_path / "b.bin", b"bytes")]
        paths += [tmp_path / f["path"] for f in reportlib.write_figures(derivations.load("csd_signaling"), tmp_path)]
        if umask == 0o022 and reportlib.latex_engine() is not None:
            doc = reportlib.write(tmp_path / "doc.tex", "\\documentclass{article}\\begin{document}ok\\end{document}\n")
            ok, pdf = reportlib.compile_pdf(doc)
            assert ok, pdf
            paths.append(Path(pdf))
    finally:
        os.umask(old)
    assert len(paths) >= 3
    for path in paths:
        assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~umask), path.name


def test_an_infinite_cross_check_error_is_reported_not_a_crash(tmp_path, monkeypatch, capsys):
    """A cross-check whose root finder finds no root (max error inf) printed `internal error:
    ValueError` from `report`; now its row reads $\\infty$ and NO, the report is written (and
    compiles), and `report` exits 1 like every failed cross-check."""
    import numpy as np

    import symbolic.model as modellib
    from derivations.cli import main

    def no_root(g, n, *args, **kwargs):
        return np.full(n, np.nan), np.zeros(n, dtype=bool)

    import derivations

    monkeypatch.setattr(modellib, "find_root", no_root)
    monkeypatch.setattr(derivations, "_CACHE", {})  # a model built (and checked) by an earlier test is not reused
    out = tmp_path / "out"
    code = main(["report", str(ROOT / "examples" / "audience_costs.py"), "--out", str(out), "--quiet", "--no-cache",
                 "--samples", "200"] + ([] if reportlib.latex_engine() or os.environ.get("REQUIRE_LATEX") else ["--no-pdf"]))
    assert code == 1
    assert "cross-check disagrees: khat max error inf" in capsys.readouterr().err
    body = (out / "audience_costs-body.tex").read_text()
    row = next(line for line in body.splitlines() if line.startswith(r"\hat{k} &"))
    assert r"\infty" in row and r"\textbf{NO}" in row
    if reportlib.latex_engine() is not None or os.environ.get("REQUIRE_LATEX"):
        assert (out / "audience_costs.pdf").exists()
