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
    text = reportlib.render(model, verdicts, checks, {"samples": samples, "seed": 0}, figures)
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
    fa = (tmp_path / "a" / "figures" / "csd_signaling-cutoffs_vs_F.pdf").read_bytes()
    fb = (tmp_path / "b" / "figures" / "csd_signaling-cutoffs_vs_F.pdf").read_bytes()
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


@needs_latex
def test_csd_report_compiles_without_undefined_references(tmp_path):
    path = build_report(derivations.load("csd_signaling"), tmp_path)
    ok, message = reportlib.compile_pdf(path)
    assert ok, message
    log = path.with_suffix(".log").read_text(errors="replace")
    assert "undefined" not in log.lower()
    text = path.read_text()
    for claim in [f"CSD-{i}" for i in range(1, 11)]:
        assert claim in text
    assert r"\includegraphics" in text and "Counterexample" in text
