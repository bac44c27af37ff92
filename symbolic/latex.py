r"""LaTeX: formulas with the paper's symbols, escaped text, and a LaTeX-safe jinja2 environment.

* :func:`symbol_names` maps each parameter, defined symbol and quantity of a model to the LaTeX
  the paper uses (:math:`\theta`, :math:`\hat c_U`, :math:`\delta_U`, :math:`\psi` ...), so SymPy's
  printer never invents names.
* :func:`tex` prints an expression or a Boolean condition with those names.
* :func:`escape` makes arbitrary text safe inside LaTeX (``_ % & # $ { } \ ^ ~``).
* :func:`environment` is a jinja2 environment whose delimiters cannot clash with LaTeX:
  ``\BLOCK{...}`` for statements, ``\VAR{...}`` for expressions, ``\#{...}`` for comments.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
import sympy as sp

TEMPLATES = Path(__file__).resolve().parent.parent / "reports" / "templates"

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}


def escape(text: object) -> str:
    """Escape text for LaTeX (every special character, so any string compiles)."""
    return "".join(_ESCAPES.get(ch, ch) for ch in str(text))


def symbol_names(model) -> dict:
    """Symbol -> LaTeX for every parameter, defined symbol and quantity of ``model``."""
    names = {p.symbol: p.latex for p in model.domain.parameters.values()}
    names.update({u.symbol: u.latex for u in getattr(model, "unknowns", {}).values()})
    for q in model.quantities.values():
        names[sp.Symbol(q.name)] = q.latex
        names[q.symbol] = q.latex
        if q.kind == "definition":
            names[q.expr] = q.latex
    return names


def tex(expr, model=None) -> str:
    """LaTeX of an expression or condition, with the model's symbol names."""
    names = symbol_names(model) if model is not None else {}
    expr = sp.sympify(expr)
    if isinstance(expr, sp.Equivalent):
        return iff(expr.args, model)
    if isinstance(expr, sp.Not) and isinstance(expr.args[0], sp.Rel):
        return tex(expr.args[0].negated, model)
    if isinstance(expr, sp.And):
        return r" \;\wedge\; ".join(_wrap(a, model) for a in expr.args)
    return sp.latex(expr, symbol_names=names, order="none", ln_notation=True)


def iff(sides, model=None) -> str:
    """``A \\iff B`` with the sides in the order given."""
    return r" \iff ".join(tex(a, model) for a in sides)


def _wrap(a, model) -> str:
    s = tex(a, model)
    return f"({s})" if isinstance(a, (sp.Or, sp.Equivalent)) else s


def proposition(prop, model=None) -> str:
    """LaTeX of a claim part: ``name = formula`` for an equality about a named quantity,
    ``d f / d x = ... > 0`` for a derivative sign, else the condition itself."""
    from .claims import DerivativeSign, Equal, Equivalent

    if isinstance(prop, Equivalent):  # the author's order of sides, not SymPy's sorted one
        return iff(prop.sides, model)
    if isinstance(prop, Equal) and prop.lhs_latex:
        return f"{prop.lhs_latex} = {tex(prop.rhs, model)}"
    if isinstance(prop, DerivativeSign):
        name = getattr(prop.of, "latex", None) or tex(prop.function, model)
        rel = (">" if prop.strict else r"\ge") if prop.sign > 0 else ("<" if prop.strict else r"\le")
        slope = sp.factor(sp.cancel(prop.derivative))
        return f"\\frac{{\\partial {name}}}{{\\partial {tex(prop.wrt, model)}}} = {tex(slope, model)} {rel} 0"
    return tex(prop.formula, model)


def number(value) -> str:
    """An exact number in LaTeX (``\\frac{1}{2}``)."""
    return sp.latex(sp.nsimplify(value))


def environment(extra_loader_paths=()) -> jinja2.Environment:
    """The jinja2 environment for report templates (LaTeX-safe delimiters, strict undefined)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(TEMPLATES), *map(str, extra_loader_paths)]),
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        line_comment_prefix="%#",
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    env.filters["e"] = escape
    env.filters["num"] = number
    env.filters["display"] = display
    env.filters["inline"] = inline
    return env


#: Formulas longer than this (characters of LaTeX) are not printed: scaled to the line width
#: they would be unreadable.  The report says so and where to find them.
MAX_FORMULA = 1200


def _too_long(formula: str) -> str:
    return (r"\begin{center}\emph{(formula of " + str(len(formula)) +
            r" characters, too long to print legibly; evaluate it with the model's quantity or "
            r"numeric functions)}\end{center}")


def display(formula: str) -> str:
    """A display formula: ``\\GTdisplay{...}`` (scaled to the line width if wider), or a note."""
    return _too_long(formula) if len(formula) > MAX_FORMULA else r"\GTdisplay{" + formula + "}"


def inline(formula: str) -> str:
    """An in-line formula that becomes a scaled display when wider than the line, or a note."""
    return _too_long(formula) if len(formula) > MAX_FORMULA else r"\GTinline{" + formula + "}"


def model_summary_latex(model) -> str:
    """A short LaTeX summary (for Jupyter): the derived quantities as equations."""
    rows = []
    for q in model.quantities.values():
        form = q.display if q.display is not None else q.expr
        if q.kind == "definition":
            form = q.display
        rows.append(f"{q.latex} &= {tex(form, model)}")
    return r"$\displaystyle \begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"
