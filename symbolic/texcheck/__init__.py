r"""Step-check the derivations in a paper's own LaTeX (``python -m derivations check-tex``).

One module per stage: :mod:`.extract` (displays, rows and chains, with source lines),
:mod:`.parse` (normalisation and the lark grammar into SymPy), :mod:`.ellipsis` (readings of
``\dots`` at concrete values of the running index), :mod:`.steps` (the verdict on one step under the
assumptions) and :mod:`.output` (terminal table, JSON, LaTeX report).  This module ties them
together: :func:`check_paper` returns every step of every chain with its verdict.

How a chain becomes steps: consecutive sides of one relation chain (``a = b \le c``) are steps; rows
or propositions joined by ``\Rightarrow``/``\Leftrightarrow`` (or by nothing: two rows that are
each a whole relation) are *links*, checked as implications between the previous proposition and
the next one's first relation; a display that is a single relation is a *statement* (a definition,
condition or claim), verified when it is an identity under the assumptions and otherwise reported
unknown with a point where it fails -- except a derivative formula, which the paper claims, and
which is refuted when it fails.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import sympy as sp

from ..errors import ToolkitError
from . import ellipsis as ell
from .extract import Chain, Paper, PaperError, chains, extract
from .parse import Context, ParseFailure, Partial, function_names, parse_name, parse_side
from .steps import Verdict, check, one_sided_functions, relation, resolve_partials

__all__ = ["check_paper", "Result", "Step", "PaperError"]


@dataclass
class Step:
    line: int
    chain: int
    step: int
    lhs: str
    rhs: str
    relation: str
    status: str
    method: str
    counterexample: dict | None = None
    kind: str = "step"  # step, link, statement, display

    def as_json(self) -> dict:
        return {"line": self.line, "chain": self.chain, "step": self.step, "lhs": self.lhs, "rhs": self.rhs,
                "relation": self.relation, "status": self.status, "method": self.method,
                "counterexample": self.counterexample}


@dataclass
class Result:
    paper: Paper
    chains: list[Chain]
    steps: list[Step]
    parsed_displays: int
    total_displays: int
    parsed_sides: int
    total_sides: int
    unparsed: list[tuple[int, str]] = field(default_factory=list)  # (line, reason) of displays

    @property
    def parse_rate(self) -> float:
        return self.parsed_displays / self.total_displays if self.total_displays else 1.0


class _Side:
    def __init__(self, text, line, parsed=None, readings=None, error=None):
        self.text, self.line, self.expr, self.readings, self.error = text, line, parsed, readings, error

    @property
    def ok(self):
        return self.error is None


def _integers(texts) -> set:
    """Names that are indices: the upper limits of sums and products."""
    out = set()
    for t in texts:
        for m in re.finditer(r"\\(?:sum|prod)\s*_\s*\{[^}]*\}\s*\^\s*(\{[^}]*\}|\w)", t):
            out |= set(re.findall(r"(?<![\\A-Za-z])[A-Za-z](?![A-Za-z])", m.group(1)))
    return out


def _assumption(text: str, ctx: Context) -> sp.Basic:
    from .extract import _op, _tokens
    from .parse import _words
    toks = _tokens(_words(text))
    if len(toks) < 2:
        raise ToolkitError(f"assumption {text!r} does not parse: it has no relation")
    rels, prev = [], None
    for k, (side, op) in enumerate(toks):
        p = parse_side(side, ctx)
        if p.error:
            raise ToolkitError(f"assumption {text!r} does not parse: {p.error}")
        if k:
            o = _op(op)
            if o not in ("=", "<", "<=", ">", ">=", "!="):
                raise ToolkitError(f"assumption {text!r} does not parse: {o!r} is not a comparison")
            rels.append(relation(o, prev, p.expr))
        prev = p.expr
    return sp.And(*rels)


def _compose(ops):
    s = set(ops)
    if s <= {"="}:
        return "="
    if s <= {"=", "<=", "<"}:
        return "<" if "<" in s else "<="
    if s <= {"=", ">=", ">"}:
        return ">" if ">" in s else ">="
    return None


def check_paper(text: str, assume=(), functions=(), progress=None) -> Result:
    """Every step of every chain of the paper ``text`` with its verdict (see the module doc)."""
    paper = extract(text)
    chs = chains(paper)
    side_texts = [s.text for c in chs for p in c.props for s in p.sides]
    declared = set()
    for f in functions:
        try:
            declared.add(parse_name(f))
        except ParseFailure as exc:
            raise ToolkitError(f"function declaration {f!r} does not parse: {exc}") from None
    ctx = Context(functions=function_names(side_texts + paper.inline, declared), integers=_integers(side_texts))
    # every side parsed once
    sides: dict[int, _Side] = {}
    for c in chs:
        for p in c.props:
            for s in p.sides:
                ps = parse_side(s.text, ctx)
                if ps.ellipsis:
                    try:
                        sides[id(s)] = _Side(s.text, s.line, readings=ell.readings(s.text, ctx))
                    except (ell.NotDecided, ParseFailure) as exc:
                        sides[id(s)] = _Side(s.text, s.line, error=f"not decided (ellipsis): {exc}")
                elif ps.error:
                    sides[id(s)] = _Side(s.text, s.line, error=ps.error)
                else:
                    sides[id(s)] = _Side(s.text, s.line, ps.expr)
    known = set(ctx.symbols)
    for t in paper.inline:
        parse_side(t, ctx)
    known |= set(ctx.symbols)
    hyps = []
    for a in assume:
        before = set(ctx.symbols)
        h = _assumption(a, ctx)
        names = {s.name for s in h.free_symbols}
        unknown = sorted(n for n in names if n not in known)
        for n in set(ctx.symbols) - before:
            ctx.symbols.pop(n, None)
        if unknown:
            raise ToolkitError(f"assumption {a!r} names {', '.join(unknown)}, which the paper never uses")
        hyps.append(h)
    steps: list[Step] = []
    definitions: list = []
    parsed_displays = 0
    unparsed = []
    for c in chs:
        c_sides = [sides[id(s)] for p in c.props for s in p.sides]
        bad = [s for s in c_sides if not s.ok]
        if not bad and c.props:
            parsed_displays += 1
        else:
            why = bad[0].error if bad else "empty display"
            unparsed.append((bad[0].line if bad else c.display.line, why))
        if progress:
            progress(f"display {c.index} (line {c.display.line})")
        steps.extend(_chain_steps(c, sides, hyps, definitions))
    total_sides = sum(len(p.sides) for c in chs for p in c.props)
    ok_sides = sum(1 for s in sides.values() if s.ok)
    return Result(paper, chs, steps, parsed_displays, len(chs), ok_sides, total_sides, unparsed)


def _chain_steps(c: Chain, sides, hyps, definitions) -> list[Step]:
    out: list[Step] = []
    groups, cur = [], []
    for p in c.props:
        if cur and p.link in (None, "and"):
            groups.append(cur)
            cur = []
        cur.append(p)
    if cur:
        groups.append(cur)
    n = 0

    def add(**kw):
        nonlocal n
        n += 1
        out.append(Step(chain=c.index, step=n, **kw))
    for g in groups:
        if len(g) == 1 and len(g[0].sides) == 1:
            s = sides[id(g[0].sides[0])]
            if not s.ok:
                add(line=s.line, lhs=s.text, rhs="", relation="", status="not parsed", method=s.error, kind="display")
            continue
        if len(g) == 1 and len(g[0].ops) == 1:
            p = g[0]
            a, b = sides[id(p.sides[0])], sides[id(p.sides[1])]
            v = _step_verdict(a, p.ops[0], b, hyps, definitions, statement=True)
            add(line=b.line, lhs=a.text, rhs=b.text, relation=p.ops[0], status=v.status, method=v.method,
                counterexample=v.counterexample, kind="statement")
            _remember(a, p.ops[0], b, definitions)
            continue
        prev = None
        for p in g:
            ss = [sides[id(s)] for s in p.sides]
            if prev is not None and len(ss) >= 2:
                v = _link_verdict(prev, p, sides, hyps, definitions)
                first = f"{ss[0].text} {_tex(p.ops[0])} {ss[1].text}"
                add(line=ss[0].line, lhs=_prop_text(prev, sides), rhs=first, relation=p.link or "then",
                    status=v.status, method=v.method, counterexample=v.counterexample, kind="link")
            start = 1 if len(g) > 1 else 0
            for k in range(start, len(p.ops)):
                a, b = ss[k], ss[k + 1]
                v = _step_verdict(a, p.ops[k], b, hyps, definitions)
                add(line=b.line, lhs=a.text, rhs=b.text, relation=p.ops[k], status=v.status, method=v.method,
                    counterexample=v.counterexample)
            for k in range(len(p.ops)):
                _remember(ss[k], p.ops[k], ss[k + 1], definitions)
            prev = p
    return out


def _tex(op):
    return {"<=": "\\le", ">=": "\\ge", "!=": "\\ne"}.get(op, op)


def _prop_text(p, sides) -> str:
    ss = [sides[id(s)].text for s in p.sides]
    out = ss[0]
    for op, t in zip(p.ops, ss[1:]):
        out += f" {_tex(op)} {t}"
    return out


def _remember(a, op, b, definitions):
    if (op == "=" and a.expr is not None and b.expr is not None
            and not isinstance(a.expr, sp.Set) and not isinstance(b.expr, sp.Set)):
        definitions.append((b.line, sp.Eq(a.expr, b.expr, evaluate=False)))


def _step_verdict(a: _Side, op: str, b: _Side, hyps, definitions, statement=False) -> Verdict:
    if op not in ("=", "<", "<=", ">", ">=", "!="):
        return Verdict("not parsed", f"the relation {op!r} is not checked")
    for s in (a, b):
        if not s.ok:
            return Verdict("not parsed", f"{'left' if s is a else 'right'} side: {s.error}")
    if a.readings or b.readings:
        return _ellipsis_verdict(a, op, b, hyps)
    lhs, rhs, notes = a.expr, b.expr, []
    derivative = lhs.has(Partial) or rhs.has(Partial)
    try:
        lhs, n1 = resolve_partials(lhs, definitions)
        rhs, n2 = resolve_partials(rhs, definitions)
        notes = n1 + n2
    except LookupError as exc:
        return Verdict("unknown", str(exc))
    v = _one(lhs, op, rhs, hyps)
    if notes:
        v.method = f"{v.method} ({'; '.join(notes)})"
    if statement and not derivative and v.status == "refuted":
        return Verdict("unknown", "a single relation, not a step (a definition, condition or claim); not an identity "
                                  "under the assumptions: it fails at the point given", v.counterexample)
    if statement and not derivative and v.status == "unknown":
        v.method = "a single relation, not a step: " + v.method
    return v


def _one(lhs, op, rhs, hyps) -> Verdict:
    if isinstance(lhs, sp.Set) or isinstance(rhs, sp.Set):
        return Verdict("unknown", "a set, not a number: nothing to check")
    ev = one_sided_functions(lhs, rhs)
    return check(relation(op, lhs, rhs), hyps, sides=(lhs, rhs) if op == "=" else None, evaluates=ev)


def _ellipsis_verdict(a: _Side, op: str, b: _Side, hyps) -> Verdict:
    ra = a.readings or [None]
    rb = b.readings or [None]
    results = []
    for x, y in itertools.product(ra, rb):
        idx = {r.index for r in (x, y) if r is not None}
        if len(idx) != 1:
            return Verdict("unknown", "not decided (ellipsis): the two sides run over different indices")
        n = idx.pop()
        lo = max(r.minimum for r in (x, y) if r is not None)
        vals = list(range(lo, lo + 3))
        got = None
        for v in vals:
            lhs = x.build(v) if x else a.expr.subs(n, v)
            rhs = y.build(v) if y else b.expr.subs(n, v)
            ver = _one(lhs, op, rhs, hyps + [])
            if ver.status != "verified":
                got = (v, ver)
                break
        names = "; ".join(f"{'left' if r is x else 'right'}: {r.name}" for r in (x, y) if r is not None)
        results.append((names, n, vals, got))
    if all(g is not None and g[1].status == "refuted" for *_, g in results):
        names, n, vals, (v, ver) = results[0]
        cx = dict(ver.counterexample or {})
        cx[str(n)] = str(v)
        also = f" (refuted under all {len(results)} readings)" if len(results) > 1 else ""
        return Verdict("refuted", f"ellipsis at {n} = {v} [{names}]{also}: {ver.method}", dict(sorted(cx.items())))
    if all(g is None for *_, g in results):
        names, n, vals, _ = results[0]
        return Verdict("verified", f"ellipsis at {n} = {', '.join(map(str, vals))} only [{names}]")
    parts = []
    for names, n, vals, g in results:
        parts.append(f"[{names}]: " + ("verified at " + ", ".join(map(str, vals)) if g is None
                                       else f"{g[1].status} at {n} = {g[0]}"))
    return Verdict("unknown", "not decided (ellipsis): " + " | ".join(parts))


def _link_verdict(prev, p, sides, hyps, definitions) -> Verdict:
    ps = [sides[id(s)] for s in prev.sides]
    qs = [sides[id(s)] for s in p.sides[:2]]
    if any(not s.ok or s.readings for s in ps + qs):
        bad = next(s for s in ps + qs if not s.ok or s.readings)
        return Verdict("not parsed" if not bad.ok else "unknown",
                       bad.error if not bad.ok else "not decided (ellipsis in a linked proposition)")
    op = _compose(prev.ops)
    if op is None:
        L = relation(prev.ops[-1], ps[-2].expr, ps[-1].expr)
    else:
        L = relation(op, ps[0].expr, ps[-1].expr)
    R = relation(p.ops[0], qs[0].expr, qs[1].expr)
    ev = one_sided_functions(L.lhs - L.rhs, R.lhs - R.rhs)
    link = p.link or "then"
    if link == "implies":
        return check(sp.Implies(L, R), hyps, evaluates=ev)
    if link == "implied by":
        return check(sp.Implies(R, L), hyps, evaluates=ev)
    if link == "iff":
        return check(sp.Equivalent(L, R), hyps, evaluates=ev)
    v = check(sp.Equivalent(L, R), hyps, evaluates=ev)
    if v.status == "verified":
        return Verdict("verified", f"the rows are equivalent ({v.method})")
    v2 = check(sp.Implies(L, R), hyps, evaluates=ev)
    if v2.status == "verified":
        return Verdict("verified", f"the row follows from the one before ({v2.method})")
    v3 = check(sp.Implies(R, L), hyps, evaluates=ev)
    if v3.status == "verified":
        return Verdict("verified", f"the row before follows from this one ({v3.method})")
    if v2.status == "refuted":
        return Verdict("unknown", "two rows with no connective, and the second does not follow from the first "
                                  "(a system of relations, or a wrong step): it fails at the point given",
                       v2.counterexample)
    return Verdict("unknown", f"two rows with no connective; neither follows from the other by the methods tried "
                              f"({v2.method})")
