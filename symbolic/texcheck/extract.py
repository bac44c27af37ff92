r"""Stage 1 of ``check-tex``: find every display of a paper and the rows of each, with source lines.

Input is LaTeX source, or Markdown with LaTeX math (what PDF converters such as Nougat, marker or
Mathpix write).  A *display* is the body of ``equation``, ``align``, ``eqnarray``, ``gather``,
``multline``, ``flalign``, ``alignat`` (starred or not), ``$$ ... $$`` or ``\[ ... \]``; ``split``,
``aligned`` and ``gathered`` inside a display are rows of that display.  Its *rows* are the pieces
between top-level ``\\``.  Two more things join displays, because converters split them:

* ``$$`` displays on consecutive source lines (nothing but white space between them) are rows of
  one display -- a converter writes each row of an ``align`` as its own ``$$ ... $$``;
* a line of text that starts with a relation (``= $...$``, ``\le $...$``, or ``$= ...$``) after a
  display continues it (the seed's Lemma 2 writes the second and third lines of a chain so).

Each row keeps the 1-based line of the source where it starts.  Equation labels in text such as
``(6)`` on the line before a display are kept as the display's tag.

Limits: macros (``\newcommand``) are not expanded; math inside ``\verb`` or comments is skipped only
for ``%`` comments; inline ``$...$`` math is not a display (it is read only to learn which names the
paper uses as functions).  Input that is neither LaTeX nor Markdown with math, or a
``\begin{...}`` without its ``\end`` (or an odd ``$$``), is a one-line :class:`ToolkitError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ToolkitError

MATH_ENVS = ("equation", "align", "eqnarray", "gather", "multline", "flalign", "alignat", "displaymath", "math")
INNER_ENVS = ("split", "aligned", "gathered", "alignedat", "array", "cases")
RELATION_START = re.compile(r"^\s*(=|<|>|\\le(?:q|qslant)?\b|\\ge(?:q|qslant)?\b|\\leqslant|\\geqslant|\\neq?\b|"
                            r"\\Leftrightarrow|\\Rightarrow|\\iff|\\implies|\\Longrightarrow|\\Longleftrightarrow|"
                            r"≤|≥|⇒|⇔)")


class PaperError(ToolkitError):
    """The paper cannot be read: not LaTeX or Markdown with math, or an unbalanced environment."""


@dataclass
class Row:
    text: str  # LaTeX of the row, alignment marks kept
    line: int  # 1-based source line where it starts


@dataclass
class Display:
    index: int  # 1-based, in order of the source
    line: int
    kind: str  # "equation", "align*", "$$", "\\[", ...
    rows: list[Row] = field(default_factory=list)
    tag: str | None = None  # "(6)" when the text gives one

    @property
    def source(self) -> str:
        return " \\\\ ".join(r.text.strip() for r in self.rows)


@dataclass
class Paper:
    text: str
    format: str  # "latex" or "markdown"
    displays: list[Display]
    inline: list[str]  # inline math (for names used as functions)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _strip_comments(text: str) -> str:
    """LaTeX ``%`` comments replaced by spaces (so positions and lines stay)."""
    return re.sub(r"(?<!\\)%[^\n]*", lambda m: " " * len(m.group(0)), text)


def detect_format(text: str) -> str:
    if "\x00" in text:
        raise PaperError("not a text file (it contains NUL bytes)")
    if re.search(r"\\documentclass|\\begin\{document\}|\\begin\{(" + "|".join(MATH_ENVS) + r")\*?\}|\\\[", text):
        return "latex"
    if "$$" in text or re.search(r"(?<!\\)\$[^$\n]+\$", text):
        return "markdown"
    raise PaperError("neither LaTeX nor Markdown with LaTeX math: no math environment, $$...$$, \\[...\\] or $...$ found")


def split_rows(body: str, start: int, text: str) -> list[Row]:
    r"""Rows of a display body at top-level ``\\`` (braces and inner environments do not split,
    except ``split``/``aligned``/``gathered``, whose rows are the display's)."""
    # inner row environments: drop their \begin/\end (keeping their rows); cases/array stay whole
    rows, depth, cur, cur_start, i = [], 0, [], start, 0
    n = len(body)
    while i < n:
        c = body[i]
        if c == "\\" and body.startswith("\\\\", i) and depth == 0:
            rows.append(("".join(cur), cur_start))
            i += 2
            if i < n and body[i] == "[":  # \\[2pt]
                j = body.find("]", i)
                i = j + 1 if j > 0 else i
            cur, cur_start = [], start + i
            continue
        m = re.match(r"\\(begin|end)\{(\w+\*?)\}", body[i:])
        if m:
            env = m.group(2).rstrip("*")
            if env in ("split", "aligned", "gathered", "alignedat"):
                cur.append(" ")
                i += m.end()
                if m.group(1) == "begin" and env == "alignedat" and i < n and body[i] == "{":
                    i = body.find("}", i) + 1
                continue
            depth += 1 if m.group(1) == "begin" else -1
            cur.append(m.group(0))
            i += m.end()
            continue
        if c == "\\" and i + 1 < n:
            cur.append(body[i:i + 2])
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        cur.append(c)
        i += 1
    rows.append(("".join(cur), cur_start))
    out = []
    for t, pos in rows:
        if t.strip():
            lead = len(t) - len(t.lstrip())
            out.append(Row(t, _line_of(text, pos + lead)))
    return out


def _tag_before(text: str, pos: int) -> str | None:
    before = text[:pos].rstrip().rsplit("\n", 1)[-1].strip()
    m = re.fullmatch(r"\((\d+[a-z]?)\)", before)
    return f"({m.group(1)})" if m else None


def _continuation(line: str) -> str | None:
    """The math of a text line that continues the display before it: ``= $a$`` or ``$= a$``."""
    s = line.strip()
    m = re.match(r"^(=|<|>|\\le\w*|\\ge\w*|≤|≥)\s*\$([^$]+)\$\s*[.,;]?\s*$", s)
    if m:
        rel = {"≤": "\\le", "≥": "\\ge"}.get(m.group(1), m.group(1))
        return f"{rel} {m.group(2)}"
    m = re.match(r"^\$\s*([^$]+)\$\s*[.,;]?\s*$", s)
    if m and RELATION_START.match(m.group(1)):
        return m.group(1)
    return None


def extract(text: str) -> Paper:
    """Every display of ``text`` (LaTeX, or Markdown with math), in source order."""
    fmt = detect_format(text)
    clean = _strip_comments(text) if fmt == "latex" else text
    spans = []  # (start, end_of_display, body_start, body, kind)
    envs = "|".join(MATH_ENVS)
    token = re.compile(r"\$\$|\\\[|\\begin\{(" + envs + r")(\*?)\}")
    pos = 0
    while True:
        m = token.search(clean, pos)
        if not m:
            break
        if clean[max(0, m.start() - 1)] == "\\" and m.group(0) != "\\[":
            pos = m.end()
            continue
        if m.group(0) == "$$":
            end = clean.find("$$", m.end())
            if end < 0:
                raise PaperError(f"line {_line_of(clean, m.start())}: $$ opens a display that is never closed")
            spans.append((m.start(), end + 2, m.end(), clean[m.end():end], "$$"))
            pos = end + 2
        elif m.group(0) == "\\[":
            end = clean.find("\\]", m.end())
            if end < 0:
                raise PaperError(f"line {_line_of(clean, m.start())}: \\[ opens a display that is never closed")
            spans.append((m.start(), end + 2, m.end(), clean[m.end():end], "\\["))
            pos = end + 2
        else:
            env = m.group(1) + m.group(2)
            closing = re.compile(r"\\(begin|end)\{" + re.escape(m.group(1)) + re.escape(m.group(2)) + r"\}")
            depth, j = 1, m.end()
            while depth:
                c = closing.search(clean, j)
                if not c:
                    raise PaperError(f"line {_line_of(clean, m.start())}: \\begin{{{env}}} is never closed "
                                     f"(no \\end{{{env}}})")
                depth += 1 if c.group(1) == "begin" else -1
                j = c.end()
            body = clean[m.end():c.start()]
            if env.startswith("alignat") and body.startswith("{"):
                body = body[body.find("}") + 1:]
            spans.append((m.start(), j, m.end(), body, env))
            pos = j
    _check_balance(clean)
    displays: list[Display] = []
    lines = clean.split("\n")
    prev_end = None
    for start, end, bstart, body, kind in spans:
        rows = split_rows(body, bstart, clean)
        gap = clean[prev_end:start] if prev_end is not None else None
        if (kind == "$$" and displays and displays[-1].kind == "$$" and gap is not None
                and gap.strip() == "" and gap.count("\n") <= 1):
            displays[-1].rows.extend(rows)  # a converter's one display per row
        elif rows:
            displays.append(Display(len(displays) + 1, rows[0].line, kind, rows, _tag_before(clean, start)))
        else:
            displays.append(Display(len(displays) + 1, _line_of(clean, start), kind, [Row("", _line_of(clean, start))],
                                    _tag_before(clean, start)))
        prev_end = end
        # text lines after the display that continue it
        if displays:
            ln = _line_of(clean, end)
            rest = clean[end:].split("\n", 1)[0]
            k = ln  # index of the next line (0-based = ln)
            if rest.strip():
                continue
            while k < len(lines):
                if not lines[k].strip():
                    k += 1
                    continue
                cont = _continuation(lines[k])
                if cont is None:
                    break
                displays[-1].rows.append(Row(cont, k + 1))
                k += 1
    inline = [m.group(1) for m in re.finditer(r"(?<![\\$])\$([^$\n]+)\$(?!\$)", clean)]
    for i, d in enumerate(displays, 1):
        d.index = i
    return Paper(text, fmt, displays, inline)


def _check_balance(text: str) -> None:
    """Every ``\\begin{env}`` has its ``\\end{env}``, properly nested."""
    stack = []
    for m in re.finditer(r"\\(begin|end)\{([^}]*)\}", text):
        if m.group(1) == "begin":
            stack.append((m.group(2), m.start()))
        else:
            if not stack or stack[-1][0] != m.group(2):
                raise PaperError(f"line {_line_of(text, m.start())}: \\end{{{m.group(2)}}} "
                                 + (f"closes \\begin{{{stack[-1][0]}}} of line {_line_of(text, stack[-1][1])}"
                                    if stack else "has no \\begin"))
            stack.pop()
    if stack:
        env, pos = stack[-1]
        raise PaperError(f"line {_line_of(text, pos)}: \\begin{{{env}}} is never closed (no \\end{{{env}}})")


# ---------------------------------------------------------------------------------------------
# chains: the relations of a display's rows
COMPARISONS = {"=": "=", "<": "<", ">": ">", "\\le": "<=", "\\leq": "<=", "\\leqslant": "<=", "\\ge": ">=",
               "\\geq": ">=", "\\geqslant": ">=", "\\ne": "!=", "\\neq": "!=", "<=": "<=", ">=": ">=", "!=": "!=",
               "\\lt": "<", "\\gt": ">", "≤": "<=", "≥": ">=", "≠": "!=", "\\leqq": "<=", "\\geqq": ">="}
LOGICAL = {"\\Rightarrow": "implies", "\\implies": "implies", "\\Longrightarrow": "implies", "⇒": "implies",
           "\\Leftrightarrow": "iff", "\\iff": "iff", "\\Longleftrightarrow": "iff", "⇔": "iff",
           "\\Leftarrow": "implied by", "\\impliedby": "implied by", "\\Longleftarrow": "implied by"}
_REL = re.compile(r"\\text\s*\{\s*and\s*\}|\\(?:Longleftrightarrow|Longrightarrow|Longleftarrow|Leftrightarrow|Rightarrow|"
                  r"Leftarrow|implies|impliedby|iff|leqslant|geqslant|leqq|geqq|leq|geq|le|ge|neq|ne|lt|gt)(?![A-Za-z])"
                  r"|<=|>=|!=|[=<>≤≥≠⇒⇔]")


@dataclass
class Side:
    text: str
    line: int


@dataclass
class Prop:
    """One relation chain ``s0 op0 s1 op1 s2 ...`` (a single side when the row has no relation)."""
    sides: list[Side]
    ops: list[str]
    link: str | None = None  # how it follows the previous proposition: implies, iff, implied by, then, and


@dataclass
class Chain:
    index: int
    display: Display
    props: list[Prop]
    notes: list[str] = field(default_factory=list)


def _tokens(text: str) -> list[tuple[str, str | None]]:
    """``[(side_text, op_before_it)]`` split at the relations of least nesting depth (normally
    depth 0; a display with unbalanced brackets around its relation is split where it can be)."""
    found, depth, i, n = [], 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and text.startswith(("\\{", "\\}"), i):
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if c == "\\" and re.match(r"\\(left|right|big|Big|bigg|Bigg)[lr]?(?![A-Za-z])", text[i:]):
            i += re.match(r"\\[A-Za-z]+", text[i:]).end()
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        m = _REL.match(text, i)
        if m and not (m.group(0) in "<>" and text.startswith(("\\left", "\\right"), max(0, i - 6))):
            found.append((depth, m.start(), m.end(), m.group(0)))
            i = m.end()
            continue
        if c == "\\":
            m2 = re.match(r"\\[A-Za-z]+|\\.", text[i:])
            i += m2.end()
            continue
        i += 1
    if not found:
        return [(text, None)]
    level = min(d for d, *_ in found)
    cuts = [(s, e, op) for d, s, e, op in found if d == level]
    out, prev, prev_op = [], 0, None
    for s, e, op in cuts:
        out.append((text[prev:s], prev_op))
        prev, prev_op = e, op
    out.append((text[prev:], prev_op))
    return out


def _op(tok: str) -> str:
    tok = tok.strip()
    if tok.startswith("\\text"):
        return "and"
    return COMPARISONS.get(tok) or LOGICAL.get(tok) or tok


def clean_row(text: str) -> str:
    text = re.sub(r"\\(nonumber|notag)\b", " ", text)
    text = re.sub(r"\\(label|tag)\s*\{[^}]*\}", " ", text)
    text = text.replace("&", " ")
    return text.strip().rstrip(".,;").strip()


def chains(paper: Paper) -> list[Chain]:
    """One chain per display: its rows' relations joined into propositions."""
    out = []
    for d in paper.displays:
        props: list[Prop] = []
        notes = []
        for row in d.rows:
            text = clean_row(row.text)
            if not text:
                continue
            toks = _tokens(text)
            for k, (side, op_before) in enumerate(toks):
                side_text = side.strip()
                op = _op(op_before) if op_before else None
                if k == 0:
                    if not side_text:
                        continue  # the row starts with a relation: handled with the next token
                    if props and re.match(r"^[+\-]|^\\(cdot|times)\b", side_text) and props[-1].sides:
                        props[-1].sides[-1].text += " " + side_text  # the side goes on
                    else:
                        props.append(Prop([Side(side_text, row.line)], [], "then" if props else None))
                    continue
                if op in ("implies", "iff", "implied by", "and"):
                    props.append(Prop([Side(side_text, row.line)], [], op))
                elif not props:
                    notes.append(f"line {row.line}: the display starts with a relation")
                    props.append(Prop([Side("", row.line), Side(side_text, row.line)], [op]))
                else:
                    props[-1].sides.append(Side(side_text, row.line))
                    props[-1].ops.append(op)
        out.append(Chain(d.index, d, props, notes))
    return out
