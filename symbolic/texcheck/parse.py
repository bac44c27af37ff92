r"""Stage 2 of ``check-tex``: normalise one side of a relation and parse it into SymPy.

The parser is a grammar of its own on ``lark`` (LALR), chosen by measured parse rate on the seed's
displays (``benchmarks/texcheck_parsers.py`` measures it; 26 displays, 66 sides, of
``../shared/seeds/000_592bf9764b79cbeb.txt``):

=====================================  ==============  ==============
parser                                  sides           displays
=====================================  ==============  ==============
this grammar (lark)                     61/66 (92 %)    22/26 (85 %)
``latex2sympy2_extended`` 1.11          43/66 (65 %)     9/26 (35 %)
SymPy 1.14 ``parse_latex`` (lark)       24/66 (36 %)     4/26 (15 %)
=====================================  ==============  ==============

(the other two are upper bounds: they read ``F(x - p)`` as the product ``F*(x - p)``, drop primes
and read ``\theta_1^d`` as a power; SymPy's ANTLR backend needs antlr4 4.11 and 4.13 is installed).
A display counts as parsed when every side parses, an ellipsis side when :mod:`.ellipsis` reads it.

What it reads, after normalisation (``\left``/``\right``/``\big``..., spacing, ``\cdot``/``\times``,
``\dfrac``, alignment marks, trailing punctuation, ``\text{ for all } x`` dropped with a note):

* names: a letter, a Greek letter (``\pi`` is a name, never 3.14...), or ``\mathrm{word}``, with
  decorations (``\hat``, ``\bar``, ``\tilde``, ``\underline``, ``\overline``, ``\boldsymbol`` ...)
  and any subscripts, primes and superscripts that are a letter, word, ``*`` or ``\prime`` --
  ``\theta_1^d`` is the name ``theta_1^d``, ``\hat{\theta}_s^s`` is ``thetahat_s^s``;  a
  superscript that is a number or an expression is a power (``z^2``, ``(1-z)^{s-1}``);
* functions: a name declared a function, or used as one in the paper (applied to several
  arguments somewhere, or never used except applied), applied to ``( ... )`` is an application
  (SymPy ``Function``); a prime on a function, ``u'_s(x)``, is its derivative at ``x``; ``E[...]``
  is an uninterpreted expectation operator; any other ``x(...)`` or ``x[...]`` is a product;
* ``+ - * /``, juxtaposition, ``\frac``, ``\sqrt``, ``^``, ``\sum``/``\prod`` with ``_{i=a}^{b}``
  (the summand is the product that follows), ``\frac{\partial X}{\partial Y}``, ``\left| \right|``
  and ``|x|``, ``\max``/``\min`` of a list, ``\exp``, ``\log``, ``\ln``, set-builder
  ``\{x \mid P\}`` (a SymPy ``ConditionSet``), numbers as exact rationals.

Not read (reported "not parsed" with the reason): ellipses (handled by :mod:`.ellipsis`),
preference relations (``\sim``, ``\succ``), ``\langle ... \rangle``, ``\max_x``, conditional
expectations, ``\in``, prose inside ``\text{...}``, and macros of the paper's own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import LarkError, VisitError

GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi "
         "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
         "Upsilon Phi Psi Omega ell").split()
DECORATIONS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde",
               "widetilde": "tilde", "underline": "under", "check": "check", "dot": "dot", "ddot": "ddot",
               "vec": "vec", "boldsymbol": "", "mathbf": "", "bm": "", "mathbb": "", "mathcal": "cal",
               "mathrm": "", "mathit": "", "textrm": "", "operatorname": "", "mathsf": "", "breve": "breve"}
ELLIPSIS = re.compile(r"\\(?:dots|cdots|ldots|dotsb|dotsc|dotsm|dotsi|vdots|ddots)(?![A-Za-z])|\.\.\.|…|⋯")


class ParseFailure(Exception):
    """A side that the grammar does not read; the message is the reason, one line."""


class EllipsisFound(ParseFailure):
    """The side has an ellipsis: :mod:`.ellipsis` expands it."""


GRAMMAR = r"""
?start: expr
?expr: expr "+" term            -> add
     | expr "-" term            -> sub
     | "-" term                 -> neg
     | "+" term
     | term
?term: term "*" signed          -> mul
     | term "/" signed          -> div
     | term power               -> mul
     | power
?signed: "-" signed             -> neg
     | power
?power: postfix "^" script      -> sup
      | postfix
?postfix: primary
      | postfix "_" script      -> sub_script
      | postfix PRIME           -> prime
      | postfix "(" args ")"    -> call
      | postfix "[" expr "]"    -> bracket
primary: NAME                   -> name
      | NUMBER                  -> number
      | "(" expr ")"            -> group
      | "[" expr "]"            -> group
      | "{" expr "}"            -> group
      | DECOR "{" expr "}"      -> decorated
      | DECOR NAME              -> decorated
      | FRAC "{" expr "}" "{" expr "}"        -> frac
      | FRAC "{" PARTIAL expr "}" "{" PARTIAL expr "}" -> partial
      | SQRT "{" expr "}"                     -> sqrt
      | SQRT "[" expr "]" "{" expr "}"        -> root
      | BIGOP "_" "{" expr EQ expr "}" "^" script sumand -> bigop
      | MAXMIN "\\{" args "\\}"   -> maxmin
      | MAXMIN "(" args ")"       -> maxmin
      | ELEM postfix              -> elementary
      | "\\lvert" expr "\\rvert"  -> abs
      | "\\{" expr "\\mid" condition "\\}" -> setbuilder
?sumand: sumand power           -> mul
      | power
args: expr ("," expr)*
condition: expr ((RELOP | EQ) expr)+
script: "{" expr "}"            -> script_group
      | "{" STAR "}"            -> script_star
      | STAR                    -> script_star
      | NAME                    -> script_name
      | NUMBER                  -> script_number
      | DECOR "{" expr "}"      -> script_decorated
PRIME: "'" | "\\prime"
STAR: "*" | "\\ast" | "\\star"
EQ: "="
RELOP: "<" | ">" | "\\le" | "\\ge" | "\\leq" | "\\geq" | "\\neq"
FRAC.2: "\\frac"
PARTIAL.2: "\\partial"
SQRT.2: "\\sqrt"
BIGOP.2: "\\sum" | "\\prod"
MAXMIN.2: "\\max" | "\\min"
ELEM.2: "\\exp" | "\\log" | "\\ln"
DECOR.2: /\\(""" + "|".join(sorted(DECORATIONS, key=len, reverse=True)) + r""")(?![A-Za-z])/
NAME: /\\(""" + "|".join(sorted(GREEK, key=len, reverse=True)) + r""")(?![A-Za-z])/ | /[A-Za-z]/ | /@[A-Za-z]+@/
NUMBER: /\d+(\.\d+)?/ | /\.\d+/
%ignore /\s+/
"""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


# ---------------------------------------------------------------------------------------------
# normalisation
_DROP = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|bigm|Bigm|big|Big|bigg|Bigg)"
                   r"(?![A-Za-z])\.?|\\(?:displaystyle|textstyle|scriptstyle|nonumber|notag|quad|qquad|limits|nolimits)"
                   r"(?![A-Za-z])|\\[,;:! ]|~")


def normalise(text: str) -> tuple[str, list[str]]:
    """The side in the grammar's dialect, and the notes of what was changed."""
    notes = []
    s = text
    s = s.replace("−", "-").replace("×", "\\times").replace("·", "\\cdot").replace("′", "'")
    s = re.sub(r"\\left\s*\|", r" \\lvert ", s)
    s = re.sub(r"\\right\s*\|", r" \\rvert ", s)
    s = re.sub(r"\\[lr]Vert|\\Vert", "|", s)
    s = re.sub(r"\\(?:vert)(?![A-Za-z])", "|", s)
    s = s.replace("\\lbrace", "\\{").replace("\\rbrace", "\\}").replace("\\lbrack", "[").replace("\\rbrack", "]")
    s = re.sub(r"\\[lr]angle(?![A-Za-z])", lambda m: m.group(0), s)
    m = re.search(r"\\text\s*\{\s*for\s+(all|every|each|any)\s*\}(.*)$", s)
    if m:
        notes.append(f"'for {m.group(1)}{m.group(2).rstrip()}' dropped (every step is checked for all values)")
        s = s[:m.start()]
    s = _DROP.sub(" ", s)
    s = re.sub(r"\\[dt]frac(?![A-Za-z])", r"\\frac", s)
    s = re.sub(r"\\(?:cdot|times|ast)(?![A-Za-z])(?!\s*\})", "*", s)
    s = re.sub(r"\\(?:mid)(?![A-Za-z])", r"\\mid", s)
    s = re.sub(r"\\(?:mathrm|text|textrm|operatorname|mathit)\s*\{\s*([A-Za-z]{2,})\s*\}",
               lambda m: f"@{m.group(1)}@", s)
    s = re.sub(r"\\(?:mathrm|text|textrm|operatorname|mathit)\s*\{\s*([A-Za-z])\s*\}", r"\1", s)
    s = s.strip().rstrip(".,;").strip()
    if ELLIPSIS.search(s):
        raise EllipsisFound("ellipsis")
    for bad, why in ((r"\\text\s*\{", "prose inside the math (\\text{...})"),
                     (r"\\(?:sim|succ|succeq|prec|preceq|succsim|precsim)(?![A-Za-z])", "a preference relation"),
                     (r"\\[lr]angle|\\langle", "angle brackets (a lottery or inner product)"),
                     (r"\\(?:max|min|sup|inf|arg\w*)_", "an optimum over a variable (\\max_x)"),
                     (r"\\in(?![A-Za-z])|\\subset|\\cup|\\cap|\\notin", "set membership or set algebra"),
                     (r"\\(?:int|oint|iint)(?![A-Za-z])", "an integral"),
                     (r"\\(?:lim)(?![A-Za-z])", "a limit")):
        if re.search(bad, s):
            raise ParseFailure(why)
    s, bars = _bars(s)
    if bars:
        notes.append(bars)
    s, fixed = _balance(s)
    if fixed:
        notes.append(fixed)
    return s, notes


def _bars(s: str) -> tuple[str, str]:
    """Plain ``|`` in pairs at one nesting level as absolute values; a ``|`` inside ``\\{ \\}``
    is the set-builder bar."""
    if "|" not in s:
        return s, ""
    out, depth_stack, i = [], [], 0
    set_depth = []
    depth = 0
    while i < len(s):
        c = s[i]
        if s.startswith("\\{", i):
            set_depth.append(depth)
            depth += 1
            out.append("\\{")
            i += 2
            continue
        if s.startswith("\\}", i):
            depth -= 1
            if set_depth:
                set_depth.pop()
            out.append("\\}")
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "|":
            if set_depth and depth == set_depth[-1] + 1 and not (depth_stack and depth_stack[-1] == depth):
                out.append(" \\mid ")
            elif depth_stack and depth_stack[-1] == depth:
                depth_stack.pop()
                out.append(" \\rvert ")
            else:
                depth_stack.append(depth)
                out.append(" \\lvert ")
            i += 1
            continue
        out.append(c)
        i += 1
    if depth_stack:
        raise ParseFailure("an unmatched |")
    return "".join(out), ""


def _balance(s: str) -> tuple[str, str]:
    """Unmatched ``(`` / ``[`` closed at the end, unmatched ``)`` / ``]`` at the end dropped (the
    seed writes ``\\pi_1(F_1(x)\\rho_1 \\ge ...``): with a note, never silently."""
    stack, drop = [], []
    for i, c in enumerate(s):
        if c in "([" and not s[max(0, i - 1)] == "\\":
            stack.append(c)
        elif c in ")]" and not s[max(0, i - 1)] == "\\":
            if stack and {"(": ")", "[": "]"}[stack[-1]] == c:
                stack.pop()
            else:
                drop.append(i)
    if not stack and not drop:
        return s, ""
    if drop and any(i < len(s.rstrip()) - 1 - (len(drop) - 1 - k) for k, i in enumerate(drop)):
        raise ParseFailure("unbalanced brackets")
    t = "".join(c for i, c in enumerate(s) if i not in set(drop))
    t += "".join({"(": ")", "[": "]"}[c] for c in reversed(stack))
    what = []
    if stack:
        what.append(f"{len(stack)} unclosed '{stack[0]}' closed at the end")
    if drop:
        what.append(f"{len(drop)} unmatched closing bracket(s) at the end dropped")
    return t, "unbalanced brackets repaired: " + ", ".join(what)


# ---------------------------------------------------------------------------------------------
# names
@dataclass(frozen=True)
class Name:
    base: str
    sub: tuple = ()
    sup: tuple = ()
    primes: int = 0

    def text(self, primes: bool = True) -> str:
        out = self.base
        if self.sub:
            out += "_" + ",".join(self.sub)
        if self.sup:
            out += "^" + ",".join(self.sup)
        return out + ("'" * self.primes if primes else "")


def _script_text(node) -> str:
    """A sub/superscript as the text of a name part (``{1}`` -> ``1``, ``{t+1}`` -> ``t+1``)."""
    if isinstance(node, Name):
        return node.text()
    if isinstance(node, sp.Basic):
        return sp.sstr(node).replace(" ", "")
    return str(node)


@dataclass
class Context:
    """What the parser knows of the paper: the names it uses as functions, and symbols' sorts."""
    functions: set = field(default_factory=set)
    integers: set = field(default_factory=set)  # names used as indices (sum bounds)
    symbols: dict = field(default_factory=dict)

    def symbol(self, name: str) -> sp.Symbol:
        if name not in self.symbols:
            self.symbols[name] = sp.Symbol(name, integer=True) if name in self.integers else sp.Symbol(name)
        return self.symbols[name]


class Expectation(sp.Function):
    """``E[X]``: an expectation operator the paper does not define (uninterpreted)."""
    nargs = 1

    def _sympystr(self, printer):
        return f"E[{printer.doprint(self.args[0])}]"


class Partial(sp.Function):
    """``dX/dY`` of a name ``X`` that is no formula in ``Y`` (resolved by :mod:`.steps` from a display
    that defines ``X`` implicitly)."""
    nargs = 2

    def _sympystr(self, printer):
        return f"d{printer.doprint(self.args[0])}/d{printer.doprint(self.args[1])}"


@v_args(inline=True)
class _Build(Transformer):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx

    # leaves ------------------------------------------------------------------------------------
    def name(self, tok):
        t = str(tok)
        return Name(t.strip("@\\"))

    def number(self, tok):
        return sp.Rational(str(tok))

    def group(self, e):
        return _Group(self._v(e))

    def decorated(self, deco, inner):
        suffix = DECORATIONS[str(deco)[1:]]
        if isinstance(inner, Token):
            inner = self.name(inner)
        if isinstance(inner, _Group):
            inner = inner.value
        if not isinstance(inner, Name):
            if str(deco)[1:] in ("mathrm", "mathbf", "boldsymbol", "mathit", "bm", "operatorname"):
                return inner
            raise ParseFailure(f"{deco} of an expression")
        if inner.base == "E" and suffix == "":
            return Name("E")
        return Name(inner.base + suffix, inner.sub, inner.sup, inner.primes)

    # scripts -----------------------------------------------------------------------------------
    def script_group(self, e):
        return ("expr", e)

    def script_star(self, tok):
        return ("name", "*")

    def script_name(self, tok):
        return ("name", self.name(tok).text())

    def script_number(self, tok):
        return ("number", sp.Rational(str(tok)))

    def script_decorated(self, deco, inner):
        return ("name", self.decorated(deco, inner).text() if isinstance(inner, Name) else str(inner))

    def sub_script(self, base, script):
        kind, val = script
        if not isinstance(base, Name):
            raise ParseFailure("a subscript on an expression")
        if kind == "expr":
            val = _script_text(val.value if isinstance(val, _Group) else val)
        return Name(base.base, base.sub + (_script_text(val),), base.sup, base.primes)

    def sup(self, base, script):
        kind, val = script
        if kind == "expr":
            inner = val.value if isinstance(val, _Group) else val
            if isinstance(inner, Name) and not inner.sub and not inner.sup:
                kind, val = "name", inner.text()
            elif isinstance(inner, Name):
                kind, val = "name", inner.text()
            else:
                val = self._v(inner)
        if kind == "name" and isinstance(base, Name):
            if val == "'":
                return Name(base.base, base.sub, base.sup, base.primes + 1)
            return Name(base.base, base.sub, base.sup + (str(val),), base.primes)
        if kind == "name":
            val = self.ctx.symbol(str(val)) if val != "*" else None
            if val is None:
                raise ParseFailure("a * superscript on an expression")
        return sp.Pow(self._v(base), self._v(val))

    def prime(self, base, _tok):
        if not isinstance(base, Name):
            raise ParseFailure("a prime on an expression")
        return Name(base.base, base.sub, base.sup, base.primes + 1)

    # application or product ------------------------------------------------------------------
    def call(self, callee, args):
        if isinstance(callee, Name) and callee.text(primes=False) in self.ctx.functions:
            return self._apply(callee, args)
        if isinstance(callee, Name) and len(args) > 1:
            return self._apply(callee, args)
        if len(args) > 1:
            raise ParseFailure("a tuple")
        return sp.Mul(self._v(callee), args[0])

    def bracket(self, callee, arg):
        if isinstance(callee, Name) and callee.text() == "E":
            return Expectation(self._v(arg))
        return sp.Mul(self._v(callee), self._v(arg))

    def _apply(self, callee: Name, args):
        f = sp.Function(callee.text(primes=False))
        if callee.primes == 0:
            return f(*args)
        if len(args) != 1:
            raise ParseFailure(f"a prime on {callee.text()} of several arguments")
        x = sp.Dummy("x")
        d = sp.Derivative(f(x), (x, callee.primes))
        a = args[0]
        return d.subs(x, a) if a.is_Symbol else sp.Subs(d, x, a)

    def args(self, *items):
        return [self._v(i) for i in items]

    # arithmetic ------------------------------------------------------------------------------
    def add(self, a, b):
        return sp.Add(self._v(a), self._v(b))

    def sub(self, a, b):
        return sp.Add(self._v(a), -self._v(b))

    def neg(self, a):
        return -self._v(a)

    def mul(self, a, b):
        return sp.Mul(self._v(a), self._v(b))

    def div(self, a, b):
        return sp.Mul(self._v(a), sp.Pow(self._v(b), -1))

    def frac(self, _tok, a, b):
        return sp.Mul(self._v(a), sp.Pow(self._v(b), -1))

    def partial(self, _tok, _p1, top, _p2, var):
        var = self._v(var)
        top = self._v(top)
        if not var.is_Symbol:
            raise ParseFailure("a derivative with respect to an expression")
        if top.is_Symbol:
            return Partial(top, var)
        return sp.diff(top, var)

    def sqrt(self, _tok, a):
        return sp.sqrt(self._v(a))

    def root(self, _tok, n, a):
        return sp.root(self._v(a), self._v(n))

    def bigop(self, tok, var, _eq, lo, hi, body):
        var = self._v(var)
        if not var.is_Symbol:
            raise ParseFailure("a sum over an expression")
        var = sp.Symbol(var.name, integer=True)
        kind, hv = hi
        if kind == "name":
            hv = self.ctx.symbol(hv)
        hv = self._v(hv)
        body = self._v(body).subs(self.ctx.symbol(var.name), var)
        cls = sp.Sum if str(tok) == "\\sum" else sp.Product
        return cls(body, (var, self._v(lo), hv))

    def maxmin(self, tok, args):
        return (sp.Max if str(tok) == "\\max" else sp.Min)(*args)

    def elementary(self, tok, a):
        return {"\\exp": sp.exp, "\\log": sp.log, "\\ln": sp.log}[str(tok)](self._v(a))

    def abs(self, a):
        return sp.Abs(self._v(a))

    def condition(self, *items):
        vals = [self._v(i) if not isinstance(i, Token) else str(i) for i in items]
        rels = []
        for k in range(1, len(vals), 2):
            rels.append(_relation(vals[k], vals[k - 1], vals[k + 1]))
        return sp.And(*rels)

    def setbuilder(self, var, cond):
        var = self._v(var)
        if not var.is_Symbol:
            raise ParseFailure("a set-builder over an expression")
        return sp.ConditionSet(var, cond, sp.S.Reals)

    # values ------------------------------------------------------------------------------------
    def _v(self, x):
        if isinstance(x, _Group):
            return x.value
        if isinstance(x, Name):
            if x.text() == "E":
                return self.ctx.symbol("E")
            return self.ctx.symbol(x.text())
        if isinstance(x, tuple):  # a script used as a value
            kind, val = x
            if kind == "name":
                return self.ctx.symbol(val)
            return self._v(val)
        return x


@dataclass
class _Group:
    value: sp.Basic


def _relation(op: str, a, b):
    op = op.strip()
    return {"=": sp.Eq, "<": sp.Lt, ">": sp.Gt, "\\le": sp.Le, "\\leq": sp.Le, "\\ge": sp.Ge, "\\geq": sp.Ge,
            "\\neq": sp.Ne, "<=": sp.Le, ">=": sp.Ge, "!=": sp.Ne}[op](a, b, evaluate=False)


@dataclass
class Parsed:
    expr: sp.Basic | None
    notes: list[str]
    error: str | None = None
    ellipsis: bool = False


def tree(text: str) -> Tree:
    """The lark tree of an already normalised side (raises :class:`ParseFailure`)."""
    try:
        return _parser().parse(text)
    except LarkError as exc:
        raise ParseFailure(_lark_reason(exc, text)) from None


def _lark_reason(exc, text) -> str:
    tok = getattr(exc, "token", None)
    if tok is not None and str(tok):
        return f"the grammar does not read {str(tok)!r} at column {getattr(tok, 'column', '?')}"
    col = getattr(exc, "column", None)
    if col is not None and col > 0:
        return f"the grammar does not read {text[col - 1:col + 9]!r}"
    return "the grammar does not read it (unexpected end)"


def to_sympy(text: str, ctx: Context) -> sp.Basic:
    """One side (normalised) as a SymPy expression."""
    t = tree(text)
    try:
        out = _Build(ctx).transform(t)
    except VisitError as exc:
        inner = exc.orig_exc
        if isinstance(inner, ParseFailure):
            raise inner from None
        raise ParseFailure(f"{type(inner).__name__}: {inner}") from None
    return _Build(ctx)._v(out)


def parse_side(text: str, ctx: Context) -> Parsed:
    """One side of a relation, in SymPy (or why not)."""
    try:
        norm, notes = normalise(text)
        if not norm:
            return Parsed(None, [], "empty")
        return Parsed(to_sympy(norm, ctx), notes)
    except EllipsisFound:
        return Parsed(None, [], "ellipsis", ellipsis=True)
    except ParseFailure as exc:
        return Parsed(None, [], str(exc))


# ---------------------------------------------------------------------------------------------
# names used as functions
def usage(text: str) -> tuple[dict, set]:
    """``({name: max number of arguments applied}, names used alone)`` in one piece of math."""
    from .extract import _tokens
    applied, alone = {}, set()
    for side, _op in _tokens(text):
        try:
            norm, _ = normalise(side)
            t = tree(norm)
        except (ParseFailure, EllipsisFound):
            a, _b = _regex_usage(side)
            for k, v in a.items():
                applied[k] = max(applied.get(k, 0), v)
            continue
        _walk(t, applied, alone)
    return applied, alone


def _name_of(node) -> str | None:
    """The name a tree node spells (``u_i``, ``thetahat_s^s``), primes dropped, or None."""
    try:
        val = _Build(Context()).transform(node)
    except Exception:
        return None
    return val.text(primes=False) if isinstance(val, Name) else None


def _walk(node, applied, alone, in_call=False):
    if not isinstance(node, Tree):
        return
    if node.data == "call":
        callee, args = node.children
        nm = _name_of(callee)
        if nm:
            applied[nm] = max(applied.get(nm, 0), len(args.children))
        else:
            _walk(callee, applied, alone)
        for a in args.children:
            _walk(a, applied, alone)
        return
    if node.data in ("name", "sub_script", "sup", "prime", "decorated"):
        nm = _name_of(node)
        if nm:
            alone.add(nm)
            return
    for ch in node.children:
        _walk(ch, applied, alone)


def _regex_usage(text: str) -> tuple[dict, set]:
    """A rough scan (for math the grammar does not read): ``u_i(a, b)`` is applied to two arguments."""
    applied = {}
    for m in re.finditer(r"(\\?[A-Za-z]+)_\{?([A-Za-z0-9]+)\}?\s*\(([^()]*)\)", text):
        base = m.group(1).lstrip("\\")
        if len(base) > 1 and base not in GREEK:
            continue
        nm = f"{base}_{m.group(2)}"
        applied[nm] = max(applied.get(nm, 0), m.group(3).count(",") + 1)
    return applied, set()


def function_names(pieces, declared=()) -> set:
    """Names the paper uses as functions: declared, applied to several arguments somewhere, or
    only ever used applied."""
    applied, alone = {}, set()
    for p in pieces:
        a, b = usage(p)
        for k, v in a.items():
            applied[k] = max(applied.get(k, 0), v)
        alone |= b
    out = set(declared)
    for k, v in applied.items():
        if v > 1 or k not in alone:
            out.add(k)
    return out


def parse_name(text: str) -> str:
    """A name given on the command line (``u_i``, ``\\hat{c}_i``) in the parser's spelling."""
    norm, _ = normalise(_words(text))
    t = tree(norm)
    nm = _name_of(t)
    if nm is None:
        raise ParseFailure(f"{text!r} is not a name")
    return nm


def _words(text: str) -> str:
    """Greek letters written without a backslash (``theta_1``) as LaTeX."""
    return re.sub(r"(?<![\\A-Za-z])(" + "|".join(sorted(GREEK, key=len, reverse=True)) + r")(?![A-Za-z])",
                  r"\\\1", text)
