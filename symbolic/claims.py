r"""Claims: what a paper asserts, as propositions that can be verified.

A :class:`Claim` (``CSD-4``, ``BMR-2`` ...) is the paper's statement in words plus one or more
*parts*, each a proposition that must hold at every point of the model's domain (and of the
part's extra hypotheses ``given``):

* :class:`Equal` -- two expressions agree (a derived cutoff equals the paper's printed formula);
* :class:`Holds` -- an inequality or Boolean combination of them holds;
* :class:`Equivalent` -- two conditions describe the same set;
* :class:`DerivativeSign` -- the sign of :math:`\partial f / \partial x` (comparative statics).

A claim that does not follow may carry a ``repair``: the claim that *does* follow, verified in
the same way and printed beside the refutation.  A claim with no formula (equilibrium prose) is
a :class:`Claim` with ``not_encodable`` set to the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import sympy as sp


def _expr(x):
    """Accept a SymPy expression or anything with an ``expr`` attribute (a quantity)."""
    return getattr(x, "expr", x)


@dataclass
class Proposition:
    """Base class: ``formula`` must hold wherever the domain and ``given`` hold."""

    label: str = ""
    given: tuple = ()

    @property
    def formula(self) -> sp.Basic:  # pragma: no cover - abstract
        raise NotImplementedError

    def symbols(self) -> set:
        out = set(self.formula.free_symbols)
        for g in self.given:
            out |= g.free_symbols
        return out


@dataclass
class Equal(Proposition):
    """``lhs == rhs`` identically on the domain."""

    lhs: sp.Basic = None
    rhs: sp.Basic = None

    def __init__(self, lhs, rhs, label: str = "", given: Sequence = ()):
        super().__init__(label, tuple(given))
        self.lhs, self.rhs = sp.sympify(_expr(lhs)), sp.sympify(_expr(rhs))
        #: LaTeX name of the left side when it is a named quantity (for display)
        self.lhs_latex = getattr(lhs, "latex", None)

    @property
    def formula(self):
        return sp.Eq(self.lhs, self.rhs, evaluate=False)


@dataclass
class Holds(Proposition):
    """A relational (or a Boolean combination of relationals) holds on the domain."""

    prop: sp.Basic = None

    def __init__(self, prop, label: str = "", given: Sequence = ()):
        super().__init__(label, tuple(given))
        from .errors import ToolkitError
        prop = sp.sympify(prop)
        if not isinstance(prop, sp.logic.boolalg.Boolean) or isinstance(prop, sp.Symbol):
            raise ToolkitError(f"Holds{' (' + label + ')' if label else ''} needs a condition (a relation such as "
                               f"q > 0), got the expression {str(prop)[:80]}")
        self.prop = prop

    @property
    def formula(self):
        return self.prop


@dataclass
class Equivalent(Proposition):
    """Two conditions hold at exactly the same points of the domain."""

    left: sp.Basic = None
    right: sp.Basic = None

    def __init__(self, left, right, label: str = "", given: Sequence = ()):
        super().__init__(label, tuple(given))
        self.left, self.right = left, right

    @property
    def formula(self):
        """What is proved; SymPy's ``Equivalent`` sorts its arguments, so displays use
        :attr:`sides` (the author's order) instead."""
        return sp.Equivalent(self.left, self.right, evaluate=False)

    @property
    def sides(self) -> tuple:
        """``(left, right)`` in the order the author wrote them."""
        return sp.sympify(self.left), sp.sympify(self.right)

    def __str__(self) -> str:
        left, right = self.sides
        return f"{left} <=> {right}"


@dataclass
class DerivativeSign(Proposition):
    r"""``sign(d f / d x)`` is ``+1`` (increasing) or ``-1`` (decreasing) on the domain.

    ``strict=False`` asks for weak monotonicity (:math:`\ge 0` / :math:`\le 0`).
    """

    of: object = None
    wrt: sp.Symbol = None
    sign: int = 1
    strict: bool = True

    def __init__(self, of, wrt, sign: int, label: str = "", given: Sequence = (), strict: bool = True):
        super().__init__(label, tuple(given))
        if sign not in (1, -1):
            raise ValueError("sign must be +1 or -1")
        self.of, self.wrt, self.sign, self.strict = of, wrt, sign, strict

    @property
    def function(self) -> sp.Basic:
        return sp.sympify(_expr(self.of))

    @property
    def derivative(self) -> sp.Basic:
        return sp.diff(self.function, self.wrt)

    @property
    def formula(self):
        d = self.derivative
        if self.sign > 0:
            return d > 0 if self.strict else d >= 0
        return d < 0 if self.strict else d <= 0


@dataclass
class Computed(Proposition):
    """A proposition decided by an exact computation rather than by formula manipulation: an
    equilibrium enumeration at rational instances, a finite search.

    ``run()`` returns ``(status, detail, counterexample)`` with ``status`` one of ``proved``
    (exact computation over all the cases it covers), ``refuted`` (``counterexample``: parameter
    name -> exact number, confirmed by the computation), ``checked`` (numeric or sampled) or
    ``unknown``; ``method`` names the computation, ``text`` is what is asserted (plain text).
    """

    text: str = ""
    method: str = "exact computation"
    run: object = None

    def __init__(self, text: str, run, method: str = "exact computation", label: str = ""):
        super().__init__(label or text, ())
        self.text, self.run, self.method = text, run, method

    @property
    def formula(self):
        safe = "".join("\\" + ch if ch in "%&#_{}$" else ch for ch in self.text).replace("\\\\", "\\")
        return sp.Symbol(r"\text{" + safe + "}")

    def symbols(self) -> set:
        return set()


@dataclass
class Claim:
    """A numbered claim of a paper.

    ``statement`` is the paper's claim in words, ``paper_form`` (LaTeX, optional) its printed
    formula, ``parts`` the propositions it amounts to, ``about`` the names of derived quantities
    it concerns (their numeric cross-checks are reported with it), ``repair`` the claim that
    follows instead when this one is refuted, ``note`` a remark for the report, and
    ``not_encodable`` the reason a claim with no formula is stated but not checked.
    """

    id: str
    statement: str
    parts: list[Proposition] = field(default_factory=list)
    paper_form: str = ""
    about: tuple[str, ...] = ()
    repair: "Claim | None" = None
    note: str = ""
    not_encodable: str = ""

    def __post_init__(self):
        if not self.parts and not self.not_encodable:
            raise ValueError(f"claim {self.id} has no parts; give parts or a not_encodable reason")
        self.about = tuple(self.about)

    def _repr_latex_(self) -> str:
        """The claim for Jupyter: its statement and each part as a formula."""
        from .latex import escape, proposition, tex

        def text(s):  # MathJax's \text knows no \textgreater
            return escape(s).replace(r"\textgreater{}", ">").replace(r"\textless{}", "<")
        model = getattr(self, "_model", None)
        lines = [rf"\text{{{text(self.id)}: {text(self.statement)}}}"]
        if self.not_encodable:
            lines.append(rf"\text{{(stated, not checked: {text(self.not_encodable)})}}")
        for part in self.parts:
            given = ", ".join(tex(g, model) for g in part.given)
            lines.append((rf"\text{{given }} {given}:\ " if given else "") + proposition(part, model))
        return r"$\displaystyle \begin{array}{l}" + r" \\ ".join(lines) + r"\end{array}$"
