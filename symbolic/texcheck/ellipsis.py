r"""Stage 3 of ``check-tex``: read a side with an ellipsis (``\dots``, ``\cdots``, ``\ldots``) as a family of
expressions in its running index, so that a step can be checked at small concrete values of it.

An ellipsis is never a symbol.  Two patterns are read:

* **a flat sum** ``h + a(k) + a(k+1) + \dots + t``: the general term ``a(j)`` is found from the last
  explicit terms before the ellipsis (an integer in one of them -- an exponent, a coefficient, a
  subscript ``x_2`` -- that counts up by one from term to term; ``(1-z)`` counts as ``(1-z)^1``);
  the term after the ellipsis either *is* ``a(m)`` (the sum runs to ``m``) or has the general
  term's shape with other factors (``(1-z)^s u_d`` after ``(1-z)^j u_0``: the pattern runs to
  ``m - 1`` and that term closes the sum).  Terms before the pattern are a head.
* **a nested pattern** ``U[U[U[\dots + T]]]``: one unit ``U = a + f`` (here ``z u_0 + (1-z)``)
  repeated around the ellipsis, ``T`` the innermost term, any trailing ``\dots`` after the closing
  brackets meaning the same nesting.  Two readings: the nesting has ``n`` levels with ``T`` as
  written inside (``literal``), or -- when ``T = f^n R`` -- ``R`` inside ``n`` levels (the
  nesting already carries ``f^n``, ``weight in the nesting``).

Each reading is a function of the index's end symbol (``s``); :func:`values` picks the smallest
values at which every explicitly written term is part of the expansion (and two more).  A step
with an ellipsis is verified only at those values (the verdict says so), and the readings are
named in it.  Anything else -- an ellipsis in a product without ``*``, no counting integer, no
recognisable end -- is "not decided (ellipsis)" with the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from .parse import ELLIPSIS, Context, ParseFailure, normalise, to_sympy


class NotDecided(Exception):
    """The ellipsis could not be read; the message says why."""


@dataclass
class Reading:
    name: str  # how the ellipsis was read, for the verdict
    index: sp.Symbol  # the symbol whose concrete values expand it
    minimum: int  # the smallest value of ``index`` that shows every written term
    build: Callable[[int], sp.Basic]  # value of the index -> the expanded side


def _parse(text: str, ctx: Context) -> sp.Basic:
    norm, _ = normalise(text)
    return to_sympy(norm, ctx)


def _top_terms(text: str) -> list[str]:
    """``text`` split before its depth-0 ``+``/``-`` (each term keeps its sign)."""
    terms, depth, cur, i = [], 0, "", 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            m = re.match(r"\\[A-Za-z]+|\\.", text[i:])
            tok = m.group(0)
            if tok in ("\\{",):
                depth += 1
            elif tok in ("\\}",):
                depth -= 1
            cur += tok
            i += len(tok)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c in "+-" and depth == 0 and cur.strip() and not re.search(r"[\^_]\s*$", cur):
            terms.append(cur)
            cur = c
        else:
            cur += c
        i += 1
    terms.append(cur)
    return [t for t in terms if t.strip()]


def readings(text: str, ctx: Context) -> list[Reading]:
    """The ways to read the side ``text`` (which has an ellipsis); raises :class:`NotDecided`."""
    s = text.strip().rstrip(".,;")
    pos = [m for m in ELLIPSIS.finditer(s)]
    inner = [m for m in pos if _depth(s, m.start()) > 0]
    if inner:
        return _nested(s, inner[0], ctx)
    return _flat(s, ctx)


def _depth(s: str, pos: int) -> int:
    d = 0
    for i, c in enumerate(s[:pos]):
        if c in "([" and (i == 0 or s[i - 1] != "\\"):
            d += 1
        elif c in ")]" and (i == 0 or s[i - 1] != "\\"):
            d -= 1
    return d


# ---------------------------------------------------------------------------------------------
def _with_index(expr: sp.Basic, c: int, j) -> sp.Basic:
    """``expr`` with the integer ``c`` (as a number, and as a subscript of names) replaced by ``j``."""
    syms = {}
    for sym in expr.free_symbols:
        name = sym.name
        new = re.sub(rf"_({c})(?=$|[,^'])", lambda m: f"_{j}", name)
        if new != name:
            syms[sym] = sp.Symbol(new, **sym.assumptions0)
    out = expr.xreplace(syms)
    return out.replace(lambda e: e.is_Integer and e == c, lambda e: sp.sympify(j))


def _template(a: sp.Basic, b: sp.Basic | None):
    """``(T, c)``: the general term ``T(j)`` with ``T(c) = a`` (and ``T(c-1) = b`` when b is given)."""
    ints = sorted({int(x) for x in a.atoms(sp.Integer) if abs(int(x)) >= 1 and int(x) != -1}, reverse=True)
    ints += sorted({int(m) for s in a.free_symbols for m in re.findall(r"_(\d+)", s.name)} - set(ints), reverse=True)
    jj = sp.Dummy("j", integer=True)
    for c in ints:
        T = _with_index(a, c, jj)
        if T == a:
            continue
        if b is None:
            return (lambda v, T=T: T.xreplace({jj: v}) if not isinstance(v, int) else _at(T, jj, v)), c, T, jj
        if sp.expand(_at(T, jj, c - 1) - b) == 0:
            return (lambda v, T=T: _at(T, jj, v)), c, T, jj
    return None


def _at(T, jj, v):
    """The general term at index ``v`` (names with the index as subscript respelled)."""
    out = T.xreplace({jj: sp.sympify(v)})
    syms = {}
    for sym in out.free_symbols:
        if "_" + str(jj) in sym.name:
            syms[sym] = sp.Symbol(sym.name.replace("_" + str(jj), f"_{v}"), **sym.assumptions0)
    return out.xreplace(syms)


def _name_match(Texpr, jj, tail, W, ctx):
    """The index at which the general term, with the index in a name (``x_j``), is ``tail``."""
    for sym in Texpr.free_symbols:
        if "_" + str(jj) not in sym.name:
            continue
        pre, post = sym.name.split("_" + str(jj), 1)
        for t in tail.free_symbols:
            mm = re.fullmatch(re.escape(pre) + r"_(\w+)" + re.escape(post), t.name)
            if mm:
                v = ctx.symbol(mm.group(1)) if not mm.group(1).isdigit() else sp.Integer(mm.group(1))
                if sp.expand(_at(Texpr, jj, v) - tail) == 0:
                    return {W: v}
    return None


def _flat(s: str, ctx: Context) -> list[Reading]:
    terms = _top_terms(s)
    idx = [k for k, t in enumerate(terms) if ELLIPSIS.search(t)]
    if len(idx) != 1:
        raise NotDecided("more than one ellipsis in the sum" if idx else "the ellipsis is not a term of a sum")
    e = idx[0]
    if ELLIPSIS.sub("", terms[e]).strip() not in ("+", "-", ""):
        raise NotDecided("the ellipsis is inside a product (only sums are expanded)")
    sign = -1 if terms[e].strip().startswith("-") else 1
    if e == 0 or e == len(terms) - 1:
        raise NotDecided("the ellipsis does not stand between written terms")
    try:
        parsed = [_parse(t, ctx) for t in terms[:e]] + [None] + [_parse(t, ctx) for t in terms[e + 1:]]
    except ParseFailure as exc:
        raise NotDecided(f"a term next to the ellipsis does not parse: {exc}") from None
    a = parsed[e - 1]
    b = parsed[e - 2] if e >= 2 else None
    found = _template(a, b) if b is not None else None
    first = None
    if found is not None:
        T, c, Texpr, jj = found
        first = c - 1
        k = e - 3
        while k >= 0 and sp.expand(T(first - 1) - parsed[k]) == 0:
            first -= 1
            k -= 1
        head = parsed[:k + 1]
    else:
        found = _template(a, None)
        if found is None:
            raise NotDecided("no integer counts up from term to term before the ellipsis")
        T, c, Texpr, jj = found
        first, head = c, parsed[:e - 1]
    last_written = c
    tail_expr = parsed[e + 1]
    rest = parsed[e + 2:]
    W = sp.Wild("W")
    m = tail_expr.match(Texpr.xreplace({jj: W}))
    if not m:
        m = _name_match(Texpr, jj, tail_expr, W, ctx)
    closing = None
    if m and W in m and not m[W].is_Integer:
        end = m[W]
        how = "the term after the ellipsis is the general term at its end"
    else:
        gen = Texpr
        if gen.is_Mul:
            wilds = []
            parts = []
            for f in gen.args:
                if f.has(jj):
                    parts.append(f.xreplace({jj: W}))
                else:
                    w = sp.Wild(f"A{len(wilds)}")
                    wilds.append(w)
                    parts.append(w)
            m = tail_expr.match(sp.Mul(*parts))
        else:
            m = None
        if not m or W not in m or m[W].is_Integer:
            raise NotDecided("the term after the ellipsis does not show where the pattern ends")
        end = m[W] - 1
        closing = tail_expr
        how = "the term after the ellipsis closes the sum at the end of the pattern"
    syms = sorted(end.free_symbols, key=lambda x: x.name)
    if len(syms) != 1:
        raise NotDecided("the end of the pattern is not one symbol")
    n = syms[0]
    minimum = next((v for v in range(0, 50) if int(end.subs(n, v)) >= last_written), None)
    if minimum is None:
        raise NotDecided("no small value of the end index shows every written term")

    def build(v, head=head, first=first, end=end, closing=closing, rest=rest):
        top = int(end.subs(n, v))
        total = sp.Add(*head) + sign * sp.Add(*[T(j) for j in range(first, top + 1)])
        if closing is not None:
            total += closing
        total += sp.Add(*rest)
        return total.subs(n, v)
    desc = (f"flat sum, general term {sp.sstr(_at(Texpr, jj, sp.Symbol('j')))} for j = {first} .. "
            f"{sp.sstr(end)}; {how}")
    return [Reading(desc, n, minimum, build)]


# ---------------------------------------------------------------------------------------------
def _nested(s: str, m, ctx: Context) -> list[Reading]:
    prefix, after = s[:m.start()], s[m.end():]
    # the innermost content: from the ellipsis to its closing bracket
    depth, k = 0, 0
    while k < len(after):
        c = after[k]
        if c in "([":
            depth += 1
        elif c in ")]":
            if depth == 0:
                break
            depth -= 1
        k += 1
    inner = after[:k].strip()
    trailing = after[k:]
    if ELLIPSIS.sub("", re.sub(r"[\])\s]", "", trailing)).strip():
        raise NotDecided("text after the nested pattern's closing brackets")
    if not inner.startswith("+"):
        raise NotDecided("the nested ellipsis is not followed by '+ innermost term'")
    T_text = inner[1:].strip()
    # unclosed openers of the prefix, and the segments between them
    stack = []
    for i, c in enumerate(prefix):
        if c in "([":
            stack.append(i)
        elif c in ")]" and stack:
            stack.pop()
    if len(stack) < 2:
        raise NotDecided("the nested pattern shows fewer than two levels")
    segs, prev = [], 0
    for p in stack:
        segs.append(prefix[prev:p])
        prev = p + 1
    if prefix[prev:].strip():
        raise NotDecided("text between the last bracket and the ellipsis")
    segs = [re.sub(r"\s+", "", x) for x in segs if x.strip()]
    if len(set(segs)) != 1:
        raise NotDecided("the nested pattern is not one repeated unit")
    unit = segs[0]
    levels = len(segs)
    fm = re.search(r"(\([^()]*\)|[A-Za-z])$", unit)
    if not fm:
        raise NotDecided("the repeated unit does not end in a factor")
    factor = fm.group(1)
    pm = re.match(re.escape(factor) + r"\^\{?([A-Za-z])\}?(.*)$", re.sub(r"\s+", "", T_text))
    if not pm:
        raise NotDecided("the innermost term is not a power of the unit's factor times a term")
    n = ctx.symbol(pm.group(1))
    rest_text = pm.group(2)

    def make(inner_text):
        def build(v):
            text = inner_text
            for _ in range(v):
                text = f"{unit}({text})"
            return _parse(text, ctx).subs(n, v)
        return build
    try:
        _parse(f"{unit}({T_text})", ctx)
        _parse(rest_text, ctx)
    except ParseFailure as exc:
        raise NotDecided(f"the nested pattern does not parse: {exc}") from None
    u = unit.replace(" ", "")
    return [Reading(f"nested: {n} levels of '{u}[...]' around {rest_text} (the nesting carries {factor}^{n})",
                    n, levels, make(rest_text)),
            Reading(f"nested: {n} levels of '{u}[...]' around {T_text} as written", n, levels, make(T_text))]
