"""check-tex: step-checking a paper's own LaTeX (issue 17)."""
import json
from pathlib import Path

import pytest
import sympy as sp

from derivations.cli import main
from symbolic.texcheck import check_paper

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_592bf9764b79cbeb.txt"
KEYS = {"line", "chain", "step", "lhs", "rhs", "relation", "status", "method", "counterexample"}

PAPER = r"""\documentclass{article}
\begin{document}
A correct chain:
\begin{align}
(a + b)^2 &= a^2 + 2ab + b^2 \\
&= a^2 + b^2 + 2ba
\end{align}
One wrong step:
\begin{equation}
(x - 1)(x + 1) = x^2 - 1 = x^2 + 1
\end{equation}
An inequality that needs the assumptions:
\[ q^2 \le q \le 1 \]
Not parsed:
\[ x \succ y \]
An ellipsis:
\[ 1 + 2 + \dots + n = \frac{n(n+1)}{2} \]
A wrong ellipsis:
\[ c_1 + c_2 + \cdots + c_m = m c_1 \]
\end{document}
"""


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def synthetic():
    return check_paper(PAPER, assume=["0 <= q <= 1", "n >= 1"])


def by_line(result, line):
    return [s for s in result.steps if s.line == line]


def test_correct_chain_is_verified(synthetic):
    steps = [s for s in synthetic.steps if s.chain == 1]
    assert [s.status for s in steps] == ["verified", "verified"] and [s.line for s in steps] == [5, 6]


def test_wrong_step_is_refuted_with_an_exact_counterexample(synthetic):
    first, second = [s for s in synthetic.steps if s.chain == 2]
    assert first.status == "verified"
    assert second.status == "refuted" and second.rhs == "x^2 + 1"
    x = sp.Rational(second.counterexample["x"])
    assert (x - 1) * (x + 1) == x ** 2 - 1 != x ** 2 + 1  # confirmed exactly at the point given


def test_inequality_chain_holds_only_under_the_assumptions(synthetic):
    steps = [s for s in synthetic.steps if s.chain == 3]
    assert [s.status for s in steps] == ["verified", "verified"]
    bare = check_paper(PAPER)  # without 0 <= q <= 1 the first step fails (q = 2)
    steps = [s for s in bare.steps if s.chain == 3]
    assert steps[0].status == "refuted"
    q = sp.Rational(steps[0].counterexample["q"])
    assert q ** 2 > q


def test_unparsed_display_is_reported_with_its_reason(synthetic):
    [s] = [s for s in synthetic.steps if s.chain == 4]
    assert s.status == "not parsed" and "preference" in s.method
    assert synthetic.parsed_displays == synthetic.total_displays - 1 == 5


def test_ellipsis_expanded_at_concrete_values(synthetic):
    [good] = [s for s in synthetic.steps if s.chain == 5]
    assert good.status == "verified" and "ellipsis at n = " in good.method
    [bad] = [s for s in synthetic.steps if s.chain == 6]
    assert bad.status == "refuted" and "m" in bad.counterexample
    m = int(bad.counterexample["m"])
    c = {k: sp.Rational(v) for k, v in bad.counterexample.items()}
    assert sum(c[f"c_{j}"] for j in range(1, m + 1)) != m * c["c_1"]


def test_json_contract(capsys, tmp_path):
    paper = tmp_path / "p.tex"
    paper.write_text(PAPER)
    code, out, err = run(capsys, "check-tex", str(paper), "--assume", "0 <= q <= 1", "--json", "--quiet")
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert rows and all(set(r) == KEYS for r in rows)
    assert {r["status"] for r in rows} == {"verified", "refuted", "not parsed"}


def test_report_writes_latex(capsys, tmp_path):
    paper = tmp_path / "p.tex"
    paper.write_text(PAPER)
    code, out, _ = run(capsys, "check-tex", str(paper), "--report", "--out", str(tmp_path / "r"), "--no-pdf",
                       "--quiet")
    tex = (tmp_path / "r" / "p-check.tex").read_text()
    assert code == 0 and "wrote" in out and r"\times" in tex and r"\checkmark" in tex and "n.p." in tex


@pytest.mark.parametrize("content, args, message", [
    ("just prose, no math at all\n", [], "neither LaTeX nor Markdown"),
    ("\\begin{align} a &= b\n", [], "\\begin{align} is never closed"),
    ("$$a = b$$\n", ["--assume", "0 < < 1"], "does not parse"),
    ("$$a = b$$\n", ["--assume", "a + 1"], "has no relation"),
    ("$$a = b$$\n", ["--assume", "0 < w"], "names w, which the paper never uses"),
    ("$$a = b$$\n", ["--function", "f(x"], "function declaration"),
])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, content, args, message):
    paper = tmp_path / "bad.md"
    paper.write_text(content)
    code, out, err = run(capsys, "check-tex", str(paper), *args, "--quiet")
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_and_binary_files(capsys, tmp_path):
    code, _, err = run(capsys, "check-tex", str(tmp_path / "nope.tex"))
    assert code == 2 and "cannot read" in err and err.count("\n") == 1
    (tmp_path / "b.tex").write_bytes(b"\xff\xfe\x00\x01")
    code, _, err = run(capsys, "check-tex", str(tmp_path / "b.tex"))
    assert code == 2 and err.count("\n") == 1


# --- the seed --------------------------------------------------------------------------------
needs_seed = pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not beside the repo")


@pytest.fixture(scope="module")
def seed():
    return check_paper(SEED.read_text(), assume=["0 < z < 1", "s >= 1"], functions=["u_i", "u_j", "u_s", "u_L", "F"])


@needs_seed
def test_seed_lemma2_first_chain_loses_the_factor_z(seed):
    first, second = [s for s in seed.steps if s.line in (139, 140)]
    assert first.line == 139 and first.status == "refuted" and "all 2 readings" in first.method
    cx = first.counterexample
    z, u0, ud, s = (sp.Rational(cx[k]) for k in ("z", "u_i(0,0)", "u_i(theta_1^d,theta_2^d)", "s"))
    nested = ud
    for _ in range(int(s)):
        nested = z * u0 + (1 - z) * nested
    line2 = z * u0 + sum((1 - z) ** j * u0 for j in range(1, int(s))) + (1 - z) ** s * ud
    assert nested != line2  # the counterexample is one, exactly
    assert second.status == "refuted"


@needs_seed
def test_seed_lemma2_second_chain_verified(seed):
    steps = [s for s in seed.steps if s.line == 144]
    assert len(steps) == 4 and all(s.status == "verified" for s in steps)
    assert steps[-1].rhs == "u_i(0, 0)"


@needs_seed
def test_seed_section4_and_equation_6(seed):
    [eq6] = [s for s in seed.steps if s.line == 263]
    assert eq6.status == "verified" and "implicit differentiation of line 258" in eq6.method
    [ratio] = [s for s in seed.steps if s.line == 299]
    assert ratio.status == "unknown" and ratio.counterexample  # two conditions, neither follows from the other
    [p_typo] = [s for s in seed.steps if s.line == 196 and s.relation == "="]
    assert p_typo.status == "refuted" and {"p_l", "p_L"} <= set(p_typo.counterexample)


@needs_seed
def test_seed_parse_rate_and_cli(capsys, seed):
    assert seed.total_displays == 26 and seed.parse_rate >= 0.8
    code, out, err = run(capsys, "check-tex", str(SEED), "--assume", "0 < z < 1", "--assume", "s >= 1",
                         "--function", "u_i,u_j,u_s,u_L,F", "--quiet")
    assert code == 0 and "parse rate: 22/26 displays (84.6 %)" in out
