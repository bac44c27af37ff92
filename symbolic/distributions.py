r"""Distributions of a private type as a model ingredient.

A model with private information (a target's cost :math:`c \in [0, \bar c]`) needs its prior
:math:`F` three ways: as a **general** CDF (an undefined function; results stated in :math:`F`,
its density :math:`f = F'` and its inverse :math:`F^{-1}`), and as **concrete** families on a
bounded support, so that every closed form is also available in numbers.

* :class:`GeneralCDF` -- :math:`F` is a SymPy undefined function, :math:`f = F'`,
  :math:`F^{-1}` an undefined function; integrals stay unevaluated
  (:math:`\int_0^t c\, f(c)\,dc`) and differentiate by Leibniz' rule.
* :class:`PowerFamily` -- :math:`F(c) = (c/\bar c)^{\gamma}` on :math:`[0, \bar c]`, clipped
  (``Piecewise``: 0 below the support, 1 above it).  ``gamma = 1`` is the **uniform**
  distribution (the default of every model); ``gamma`` may be a number or a model parameter.

A family is *bound* to the support's upper end (and its shape symbols) with
:meth:`Distribution.bind`, giving a :class:`BoundDistribution` whose methods return SymPy
expressions:

* :meth:`~BoundDistribution.cdf`, :meth:`~BoundDistribution.pdf`, :meth:`~BoundDistribution.inverse`;
* :meth:`~BoundDistribution.partial_expectation` :math:`\int_0^{t} c f(c)\,dc` and
  :meth:`~BoundDistribution.conditional_expectation` :math:`E[c \mid c < t]` -- **derived by
  integration** of the density on each piece of the support, never typed;
* :meth:`~BoundDistribution.integrated_cdf` :math:`\int_0^t F(c)\,dc`;
* :meth:`~BoundDistribution.piecewise` -- build any expression piece by piece (interior of the
  support, and beyond it where :math:`F = 1`) so that claims "for all :math:`t`" are decided on
  each piece (z3 reads the result's ``Piecewise`` as ``If``).

Families are looked up by name with :func:`get` (``"uniform"``, ``"power"``); an unknown name
raises :class:`UnknownDistributionError` with a one-line message.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from .domain import POSITIVE, Interval
from .errors import UnknownNameError


class UnknownDistributionError(UnknownNameError):
    """A distribution family that is not registered was asked for."""


@dataclass
class ShapeParameter:
    """A shape parameter a family adds to the model (``gamma`` of the power family)."""

    name: str
    domain: Interval
    latex: str
    description: str
    sample_range: tuple[float, float] | None = None


#: the integration variable of every derived integral (printed as ``c``)
_C = sp.Dummy("c", real=True)


class Distribution:
    """A family of distributions of a type on :math:`[0, \\bar c]` (abstract)."""

    key: str = ""
    title: str = ""
    #: whether numbers can be computed (False for the general F)
    concrete: bool = True

    def shape_parameters(self) -> list[ShapeParameter]:
        """The shape parameters the family needs (declared by the model)."""
        return []

    def bind(self, cbar: sp.Basic, label: str = "", **shape) -> "BoundDistribution":
        """The distribution with support :math:`[0, \\bar c]` (``cbar``), shape symbols ``shape``."""
        raise NotImplementedError

    def describe_latex(self) -> str:
        """The family's CDF in LaTeX (for reports)."""
        raise NotImplementedError


class BoundDistribution:
    """A distribution with its support and shape fixed to symbols (see the module docstring)."""

    family: Distribution
    cbar: sp.Basic
    label: str

    # -- the pieces: interior of the support [0, cbar) and beyond it ---------------------------
    def cdf(self, c: sp.Basic) -> sp.Basic:
        """:math:`F(c)`."""
        raise NotImplementedError

    def pdf(self, c: sp.Basic) -> sp.Basic:
        """:math:`f(c) = F'(c)`."""
        raise NotImplementedError

    def inverse(self, u: sp.Basic) -> sp.Basic:
        """:math:`F^{-1}(u)` for :math:`u \\in (0, 1)`."""
        raise NotImplementedError

    def partial_expectation(self, t: sp.Basic) -> sp.Basic:
        """:math:`\\int_0^t c\\, f(c)\\, dc = F(t)\\,E[c \\mid c < t]` (``t >= 0``)."""
        raise NotImplementedError

    def integrated_cdf(self, t: sp.Basic) -> sp.Basic:
        """:math:`\\int_0^t F(c)\\, dc` (``t >= 0``)."""
        raise NotImplementedError

    def pieces(self, t: sp.Basic, build: Callable[[sp.Basic, sp.Basic, sp.Basic], sp.Basic]) -> list:
        """The branches of :meth:`piecewise` as ``[(value, condition), ...]``."""
        pw = self.piecewise(t, build)
        return list(pw.args) if isinstance(pw, sp.Piecewise) else [(pw, sp.true)]

    def cdf_below(self, t: sp.Basic, u: sp.Basic) -> sp.Basic:
        """The condition :math:`F(t) < u` written without ``Piecewise`` (``t >= 0``)."""
        raise NotImplementedError

    def conditional_expectation(self, t: sp.Basic) -> sp.Basic:
        """:math:`E[c \\mid c < t] = \\int_0^t c f(c)\\,dc / F(t)` (``t > 0``)."""
        return self.piecewise(t, lambda F, PE, H: PE / F)

    def piecewise(self, t: sp.Basic, build: Callable[[sp.Basic, sp.Basic, sp.Basic], sp.Basic]) -> sp.Basic:
        """``build(F(t), PE(t), H(t))`` assembled piece by piece (``t >= 0`` assumed).

        ``PE`` is the partial expectation and ``H`` the integrated CDF.  For a concrete family
        the result is ``Piecewise((build on the interior, t < cbar), (build beyond, True))``.
        """
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
class _UndefinedInverse(sp.Function):
    """Base class of :math:`F^{-1}` (printed with a superscript -1)."""

    _base_latex = "F"

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        out = f"{self._base_latex}^{{-1}}\\left({arg}\\right)"
        return f"\\left({out}\\right)^{{{exp}}}" if exp else out


class GeneralCDF(Distribution):
    """A general CDF :math:`F` (undefined function), density :math:`f = F'`, inverse :math:`F^{-1}`."""

    key = "general"
    title = "general CDF F with a continuous density f = F'"
    concrete = False

    def bind(self, cbar, label: str = "", **shape) -> "GeneralBound":
        return GeneralBound(self, cbar, label)

    def describe_latex(self) -> str:
        return r"F \text{ (general, continuous density } f = F'\text{)}"


class GeneralBound(BoundDistribution):
    """A general :math:`F_{label}` on :math:`[0, \\bar c]`."""

    def __init__(self, family: GeneralCDF, cbar, label: str = ""):
        self.family, self.cbar, self.label = family, cbar, label
        suffix = f"_{label}" if label else ""
        self.F = sp.Function(f"F{suffix}", real=True)
        latex_base = f"F_{{{label}}}" if label else "F"
        self.Finv = type(f"Finv{suffix}", (_UndefinedInverse,), {"_base_latex": latex_base})

    def cdf(self, c):
        return self.F(c)

    def pdf(self, c):
        return sp.diff(self.F(_C), _C).subs(_C, c) if c.is_Symbol else sp.Subs(sp.diff(self.F(_C), _C), _C, c)

    def inverse(self, u):
        return self.Finv(u)

    def partial_expectation(self, t):
        return sp.Integral(_C * sp.diff(self.F(_C), _C), (_C, 0, t))

    def integrated_cdf(self, t):
        return sp.Integral(self.F(_C), (_C, 0, t))

    def piecewise(self, t, build):
        return build(self.cdf(t), self.partial_expectation(t), self.integrated_cdf(t))

    def cdf_below(self, t, u):
        return sp.StrictLessThan(self.F(t), u)


# ---------------------------------------------------------------------------------------------
class PowerFamily(Distribution):
    """:math:`F(c) = (c/\\bar c)^{\\gamma}` on :math:`[0, \\bar c]`, clipped; ``gamma=1`` is uniform.

    With ``gamma=None`` the shape is a model parameter named ``gamma`` (declared via
    :meth:`shape_parameters` and passed to :meth:`bind`).
    """

    def __init__(self, gamma=None, key: str | None = None):
        self.gamma = None if gamma is None else sp.sympify(gamma)
        self.key = key or ("uniform" if self.gamma == 1 else "power")
        self.title = ("uniform on [0, cbar] (clipped)" if self.gamma == 1
                      else "power family F(c) = (c/cbar)^gamma on [0, cbar] (clipped)")

    def shape_parameters(self):
        if self.gamma is not None:
            return []
        return [ShapeParameter("gamma", POSITIVE, r"\gamma",
                               "shape of the power-family cost distribution F(c) = (c/cbar)^gamma",
                               sample_range=(0.25, 4.0))]

    def bind(self, cbar, label: str = "", **shape) -> "PowerBound":
        gamma = self.gamma
        if gamma is None:
            if "gamma" not in shape:
                raise ValueError("the power family needs its shape symbol: bind(cbar, gamma=...)")
            gamma = shape["gamma"]
        return PowerBound(self, cbar, gamma, label)

    def describe_latex(self) -> str:
        if self.gamma == 1:
            return r"F(c) = \min\{\max\{c/\bar c, 0\}, 1\}"
        return r"F(c) = \min\{\max\{(c/\bar c)^{\gamma}, 0\}, 1\}"


class PowerBound(BoundDistribution):
    """The (clipped) power distribution with fixed support and shape."""

    def __init__(self, family: PowerFamily, cbar, gamma, label: str = ""):
        self.family, self.cbar, self.gamma, self.label = family, cbar, sp.sympify(gamma), label
        self._core = (_C / cbar) ** self.gamma
        self._density = sp.diff(self._core, _C)
        # derived by integrating the density (and the CDF) over [0, t] on the interior piece
        tt = sp.Dummy("t", positive=True)
        self._pe_core = sp.Lambda(tt, sp.simplify(sp.integrate(_C * self._density, (_C, 0, tt))))
        self._h_core = sp.Lambda(tt, sp.simplify(sp.integrate(self._core, (_C, 0, tt))))

    def core_cdf(self, c):
        """The interior formula :math:`(c/\\bar c)^\\gamma` (no clipping)."""
        return self._core.subs(_C, c)

    def core_pdf(self, c):
        """The interior density."""
        return self._density.subs(_C, c)

    def cdf(self, c):
        return sp.Piecewise((0, c < 0), (self.core_cdf(c), c < self.cbar), (1, True))

    def pdf(self, c):
        return sp.Piecewise((0, c < 0), (self.core_pdf(c), c < self.cbar), (0, True))

    def inverse(self, u):
        return sp.solve(sp.Eq(self.core_cdf(_C), u), _C)[0] if self.gamma != 1 else self.cbar * u

    def partial_expectation(self, t):
        return sp.Piecewise((self._pe_core(t), t < self.cbar), (self._pe_core(self.cbar), True))

    def integrated_cdf(self, t):
        # beyond the support F = 1: H(t) = H(cbar) + (t - cbar)
        return sp.Piecewise((self._h_core(t), t < self.cbar),
                            (self._h_core(self.cbar) + t - self.cbar, True))

    def cdf_below(self, t, u):
        return sp.Or(sp.And(t < self.cbar, self.core_cdf(t) < u), sp.And(t >= self.cbar, u > 1))

    def piecewise(self, t, build):
        inside = build(self.core_cdf(t), self._pe_core(t), self._h_core(t))
        beyond = build(sp.Integer(1), self._pe_core(self.cbar), self._h_core(self.cbar) + t - self.cbar)
        return sp.Piecewise((inside, t < self.cbar), (beyond, True))


# ---------------------------------------------------------------------------------------------
UNIFORM = PowerFamily(1, key="uniform")
GENERAL = GeneralCDF()

#: Registered concrete families: name -> factory.
FAMILIES: dict[str, Callable[[], Distribution]] = {
    "uniform": lambda: PowerFamily(1, key="uniform"),
    "power": lambda: PowerFamily(None, key="power"),
}


def available() -> list[str]:
    """Names of the concrete families."""
    return list(FAMILIES)


def get(name: str) -> Distribution:
    """The family called ``name``; one-line :class:`UnknownDistributionError` otherwise."""
    try:
        return FAMILIES[name]()
    except KeyError:
        raise UnknownDistributionError(
            f"unknown distribution {name!r}; distributions are: {', '.join(FAMILIES)}") from None


__all__ = ["Distribution", "BoundDistribution", "GeneralCDF", "GeneralBound", "PowerFamily", "PowerBound",
           "ShapeParameter", "UnknownDistributionError", "UNIFORM", "GENERAL", "FAMILIES", "available", "get"]
