r"""Stage 5 of ``check-tex``: what the checker prints and writes.

* :func:`table` -- the terminal table: source line, chain and step, relation, verdict, method (and
  the counterexample below a refuted step), then the parse rate over all displays and the list of
  displays not parsed, with the reason;
* :func:`as_json` -- one JSON array, one object per step with exactly the keys ``line``, ``chain``,
  ``step``, ``lhs``, ``rhs``, ``relation``, ``status``, ``method``, ``counterexample`` (the sides as
  the paper writes them; the counterexample ``{name: exact value}`` or ``null``);
* :func:`report` -- a standalone LaTeX document reproducing each chain as an ``align*`` with a mark
  per step (checkmark verified, cross refuted, question mark unknown, "n.p." not parsed) and a table
  of the verdicts; :mod:`symbolic.report` writes it atomically and compiles it when ``pdflatex`` is
  there.

Limits: a side that does not compile as LaTeX on its own (the paper's own macros, unbalanced
brackets the parser repaired) is shown verbatim (``\verb``-like, in ``\texttt``) in the report.
"""
from __future__ import annotations

import json
import re

MARKS = {"verified": r"\checkmark", "refuted": r"\times", "unknown": "?", "not parsed": r"\text{n.p.}"}


def _short(text: str, n: int = 60) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 3] + "..."


def table(result) -> str:
    lines = [f"{'line':>5}  {'chain.step':<10} {'relation':<9} {'verdict':<11} method"]
    for s in result.steps:
        lines.append(f"{s.line:>5}  {f'{s.chain}.{s.step}':<10} {s.relation or '-':<9} {s.status:<11} {s.method}")
        lines.append(f"{'':>7}{_short(s.lhs)}  {s.relation or ''}  {_short(s.rhs)}".rstrip())
        if s.counterexample:
            cx = ", ".join(f"{k}={v}" for k, v in s.counterexample.items())
            lines.append(f"{'':>7}counterexample: {cx}")
    counts = {}
    for s in result.steps:
        counts[s.status] = counts.get(s.status, 0) + 1
    lines.append("")
    lines.append("steps: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    lines.append(f"parse rate: {result.parsed_displays}/{result.total_displays} displays "
                 f"({100 * result.parse_rate:.1f} %), {result.parsed_sides}/{result.total_sides} sides")
    for line, why in result.unparsed:
        lines.append(f"  not parsed: line {line}: {why}")
    return "\n".join(lines)


def as_json(result) -> str:
    return json.dumps([s.as_json() for s in result.steps], indent=2)


def _safe_math(tex: str) -> str:
    """A side as math for the report; anything risky goes in as text."""
    t = " ".join(tex.split())
    balanced = t.count("{") == t.count("}") and t.count("\\left") == t.count("\\right")
    brackets = t.count("(") == t.count(")") and t.count("[") == t.count("]")
    if balanced and brackets and not re.search(r"\\(begin|end|text\s*\{\s*\})", t):
        return t
    return r"\parbox[t]{0.42\textwidth}{\raggedright\footnotesize\texttt{" + _escape(t) + "}}"


def _escape(text: str) -> str:
    rep = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "_": r"\_",
           "%": r"\%", "^": r"\^{}", "~": r"\~{}"}
    return "".join(rep.get(c, c) for c in text)


REL_TEX = {"=": "=", "<": "<", "<=": r"\le", ">": ">", ">=": r"\ge", "!=": r"\ne", "implies": r"\Rightarrow",
           "iff": r"\Leftrightarrow", "implied by": r"\Leftarrow", "then": r"\quad\text{then}\quad"}


def report(result, title: str) -> str:
    out = [r"\documentclass[10pt]{article}", r"\usepackage[margin=2cm]{geometry}",
           r"\usepackage{amsmath,amssymb,longtable}", r"\allowdisplaybreaks", r"\begin{document}",
           rf"\section*{{Step check of \texttt{{{_escape(title)}}}}}",
           rf"Parse rate: {result.parsed_displays}/{result.total_displays} displays "
           rf"({100 * result.parse_rate:.1f}\,\%). Marks: $\checkmark$ verified, $\times$ refuted, "
           r"? unknown, n.p.\ not parsed.", ""]
    by_chain = {}
    for s in result.steps:
        by_chain.setdefault(s.chain, []).append(s)
    for chain, steps in by_chain.items():
        out.append(rf"\subsection*{{Chain {chain} (line {steps[0].line})}}")
        out.append(r"\begin{align*}")
        rows = []
        for k, s in enumerate(steps):
            mark = MARKS.get(s.status, "?")
            rel = REL_TEX.get(s.relation, "")
            tag = f"&& [{mark}]\\ \\text{{line {s.line}}}"
            if s.kind == "link":
                if k == 0 or steps[k - 1].kind == "link" or not s.lhs.endswith(steps[k - 1].rhs):
                    rows.append(f"& {_safe_math(s.lhs)}")
                rows.append(f"\\text{{then}}\\ & {_safe_math(s.rhs)} {tag}")
                continue
            if s.kind == "display":
                rows.append(f"& {_safe_math(s.lhs)} {tag}")
                continue
            shown = k > 0 and (steps[k - 1].rhs == s.lhs or (steps[k - 1].kind == "link"
                                                           and steps[k - 1].rhs.endswith(s.lhs)))
            lhs = "" if shown else _safe_math(s.lhs)
            rows.append(f"{lhs} &{rel} {_safe_math(s.rhs) if s.rhs else ''} {tag}")
        out.append(" \\\\\n".join(rows))
        out.append(r"\end{align*}")
        out.append(r"\begin{itemize}")
        for s in steps:
            cx = ""
            if s.counterexample:
                cx = "; counterexample: " + _escape(", ".join(f"{k}={v}" for k, v in s.counterexample.items()))
            out.append(rf"\item step {s.step} (line {s.line}): \textbf{{{s.status}}} --- {_escape(s.method)}{cx}")
        out.append(r"\end{itemize}")
    if result.unparsed:
        out.append(r"\subsection*{Displays not parsed}")
        out.append(r"\begin{itemize}")
        for line, why in result.unparsed:
            out.append(rf"\item line {line}: {_escape(why)}")
        out.append(r"\end{itemize}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
