r"""Parameters and their domains.

A model's parameter space is a product of intervals cut down by ordering constraints:

.. math::  \mathcal{D} = \{\, x \in \prod_i I_i \;:\; g_k(x) \text{ holds for every constraint } k \,\}

where each :math:`I_i` is an open, closed or half-open interval (possibly unbounded) and each
:math:`g_k` is a SymPy relational such as ``q < p``.  The same domain is used three ways:

* as **SymPy assumptions** -- each parameter's symbol carries ``positive``/``nonnegative``/``real``
  and :meth:`Domain.assumptions` gives the ``Q``-facts for :func:`sympy.ask`;
* as **z3 constraints** -- :meth:`Domain.conditions` gives the relationals that
  :mod:`symbolic.decide` translates;
* as a **sampler** -- :meth:`Domain.sample` draws seeded random points, uniform on each interval
  (on a finite *sampling range* for unbounded ones) with extra mass near the bounds, and rejects
  draws that violate a constraint.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import sympy as sp

from .errors import DomainError, UnknownNameError
from .numeric import lambdify


@dataclass(frozen=True)
class Interval:
    """An interval of the real line; ``None`` marks an unbounded end."""

    lo: float | None
    hi: float | None
    lo_open: bool = True
    hi_open: bool = True

    def describe(self) -> str:
        """``(0, 1)``, ``[0, oo)`` and so on."""
        left = "(" if self.lo is None or self.lo_open else "["
        right = ")" if self.hi is None or self.hi_open else "]"
        lo = "-oo" if self.lo is None else _num(self.lo)
        hi = "oo" if self.hi is None else _num(self.hi)
        return f"{left}{lo}, {hi}{right}"

    def latex(self) -> str:
        """The interval in LaTeX, e.g. ``(0, 1)`` or ``[0, \\infty)``."""
        left = "(" if self.lo is None or self.lo_open else "["
        right = ")" if self.hi is None or self.hi_open else "]"
        lo = r"-\infty" if self.lo is None else _num(self.lo)
        hi = r"\infty" if self.hi is None else _num(self.hi)
        return f"{left}{lo}, {hi}{right}"

    def relations(self, x: sp.Symbol) -> list[sp.Basic]:
        """The bounds as SymPy relationals in ``x``."""
        out = []
        if self.lo is not None:
            out.append(sp.StrictGreaterThan(x, _exact(self.lo), evaluate=False) if self.lo_open
                       else sp.GreaterThan(x, _exact(self.lo), evaluate=False))
        if self.hi is not None:
            out.append(sp.StrictLessThan(x, _exact(self.hi), evaluate=False) if self.hi_open
                       else sp.LessThan(x, _exact(self.hi), evaluate=False))
        return out

    def contains(self, value) -> np.ndarray:
        """Vectorised membership test."""
        v = np.asarray(value, dtype=float)
        ok = np.isfinite(v)
        if self.lo is not None:
            ok &= (v > self.lo) if self.lo_open else (v >= self.lo)
        if self.hi is not None:
            ok &= (v < self.hi) if self.hi_open else (v <= self.hi)
        return ok


def _num(x) -> str:
    x = sp.nsimplify(x)
    return str(x)


def _exact(x):
    return sp.nsimplify(x) if isinstance(x, float) else sp.sympify(x)


#: The ``Q`` predicate saying ``lhs - rhs`` satisfies a relational operator.
Q_OF = {">": sp.Q.positive, ">=": sp.Q.nonnegative, "<": sp.Q.negative, "<=": sp.Q.nonpositive}

#: Common domains.
PROBABILITY = Interval(0, 1, True, True)
UNIT_INTERVAL = Interval(0, 1, False, False)
POSITIVE = Interval(0, None, True, True)
NONNEGATIVE = Interval(0, None, False, True)
REAL = Interval(None, None)


def interval(lo, hi, left_open: bool = False, right_open: bool = False) -> Interval:
    """An interval ``[lo, hi]``; use ``None`` for an unbounded end."""
    if lo is not None and hi is not None and not lo < hi:
        raise DomainError(f"empty interval: lo={lo} is not below hi={hi}")
    return Interval(lo, hi, left_open, right_open)


@dataclass
class Parameter:
    """A named model parameter with its domain.

    ``latex`` is the symbol as the paper writes it; ``sample_range`` bounds the draws of an
    unbounded domain (the default is a width-4 window at the finite end, or ``(-4, 4)``).
    """

    name: str
    domain: Interval
    latex: str | None = None
    description: str = ""
    sample_range: tuple[float, float] | None = None
    symbol: sp.Symbol = field(init=False)

    def __post_init__(self):
        d = self.domain
        assumptions = {"real": True}
        if d.lo is not None and d.lo >= 0:
            assumptions = {"positive": True} if (d.lo > 0 or d.lo_open) else {"nonnegative": True}
        self.symbol = sp.Symbol(self.name, **assumptions)
        if self.latex is None:
            self.latex = sp.latex(sp.Symbol(self.name))

    def describe(self) -> str:
        """``p in (0, 1)``."""
        return f"{self.name} in {self.domain.describe()}"

    def draw_range(self) -> tuple[float, float]:
        """The finite window draws come from."""
        if self.sample_range is not None:
            return self.sample_range
        lo, hi = self.domain.lo, self.domain.hi
        if lo is None and hi is None:
            return (-4.0, 4.0)
        if hi is None:
            return (float(lo), float(lo) + 4.0)
        if lo is None:
            return (float(hi) - 4.0, float(hi))
        return (float(lo), float(hi))


@dataclass
class Unknown(Parameter):
    """An endogenous unknown (what the equilibrium determines): a name, an interval, and
    optionally ends that are expressions in the parameters (``bounds = (lo, hi)``, closed,
    ``None`` where the interval's own end applies)."""

    bounds: tuple = (None, None)

    @classmethod
    def of(cls, name: str, domain, latex: str | None = None, description: str = "",
           sample_range: tuple[float, float] | None = None) -> "Unknown":
        """From an :class:`Interval` or a pair ``(lo, hi)`` of numbers, expressions or ``None``."""
        if isinstance(domain, Interval):
            return cls(name, domain, latex, description, sample_range)
        lo, hi = (None if b is None else sp.sympify(b) for b in domain)
        numeric = Interval(lo if lo is not None and lo.is_number else None,
                           hi if hi is not None and hi.is_number else None, False, False)
        if numeric.lo is not None and numeric.hi is not None and not numeric.lo < numeric.hi:
            raise DomainError(f"unknown {name}: empty interval [{lo}, {hi}]")
        numeric = Interval(None if numeric.lo is None else float(numeric.lo),
                           None if numeric.hi is None else float(numeric.hi), False, False)
        symbolic = (lo if lo is not None and not lo.is_number else None,
                    hi if hi is not None and not hi.is_number else None)
        return cls(name, numeric, latex, description, sample_range, symbolic)

    def bound_relations(self) -> list[sp.Basic]:
        """The expression ends as relationals (``x >= lo(params)``, ``x <= hi(params)``)."""
        lo, hi = self.bounds
        return ([sp.GreaterThan(self.symbol, lo, evaluate=False)] if lo is not None else []) + \
               ([sp.LessThan(self.symbol, hi, evaluate=False)] if hi is not None else [])

    def relations(self) -> list[sp.Basic]:
        """Every bound of the unknown as relationals in its symbol."""
        return self.domain.relations(self.symbol) + self.bound_relations()

    def describe(self) -> str:
        lo, hi = self.bounds
        if lo is None and hi is None:
            return super().describe()
        left = f"[{lo}" if lo is not None else self.domain.describe().split(",")[0]
        right = f"{hi}]" if hi is not None else self.domain.describe().split(",")[1].strip()
        return f"{self.name} in {left}, {right}"


class Domain:
    """An ordered set of :class:`Parameter` objects plus ordering constraints."""

    def __init__(self):
        self.parameters: dict[str, Parameter] = {}
        self.constraints: list[tuple[sp.Basic, str]] = []

    # -- construction ---------------------------------------------------------------------
    def add(self, parameter: Parameter) -> sp.Symbol:
        """Add a parameter and return its SymPy symbol."""
        if parameter.name in self.parameters:
            raise DomainError(f"parameter {parameter.name!r} declared twice")
        self.parameters[parameter.name] = parameter
        return parameter.symbol

    def constrain(self, relation: sp.Basic, reason: str = "") -> None:
        """Add an ordering constraint such as ``q < p`` (``reason`` says where it comes from)."""
        unknown = relation.free_symbols - set(self.symbols)
        if unknown:
            raise DomainError(f"constraint {relation} uses undeclared symbols {sorted(map(str, unknown))}")
        self.constraints.append((relation, reason))

    # -- views ------------------------------------------------------------------------------
    @property
    def symbols(self) -> list[sp.Symbol]:
        """Parameter symbols in declaration order."""
        return [p.symbol for p in self.parameters.values()]

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown parameter {name!r}; parameters are: {', '.join(self.parameters)}") from None

    def by_symbol(self, symbol: sp.Symbol) -> Parameter:
        """The parameter whose symbol is ``symbol``."""
        for p in self.parameters.values():
            if p.symbol == symbol:
                return p
        raise UnknownNameError(f"{symbol} is not a parameter")

    def order(self, symbols: Iterable[sp.Symbol]) -> list[sp.Symbol]:
        """``symbols`` sorted in declaration order (a stable argument order)."""
        wanted = set(symbols)
        return [s for s in self.symbols if s in wanted]

    def conditions(self, symbols: Iterable[sp.Symbol] | None = None) -> list[sp.Basic]:
        """Every bound and constraint as a SymPy relational.

        With ``symbols`` (those of a formula), the bounds of unknowns the formula does not
        mention are left out: a claim about the parameters holds on the whole parameter domain,
        whatever the unknowns' feasible sets."""
        keep = None if symbols is None else set(symbols)
        out = []
        for p in self.parameters.values():
            if keep is not None and isinstance(p, Unknown) and p.symbol not in keep:
                continue
            out += p.domain.relations(p.symbol)
        out += [rel for rel, _ in self.constraints if keep is None or not self._unknowns_outside(rel, keep)]
        return out

    def _unknowns_outside(self, rel: sp.Basic, keep: set) -> bool:
        """Whether ``rel`` involves an unknown that is not in ``keep``."""
        return any(isinstance(p, Unknown) and p.symbol in rel.free_symbols and p.symbol not in keep
                   for p in self.parameters.values())

    def assumptions(self, symbols=None, extra: Iterable[sp.Basic] = ()) -> list[sp.Basic]:
        """The domain (and the ``extra`` relationals) as ``Q`` facts for :func:`sympy.ask`.

        With ``symbols``, only the conditions that mention one of them.
        """
        facts = []
        for rel in [*self.conditions(), *extra]:
            if not isinstance(rel, sp.Rel) or rel.rel_op not in Q_OF:
                continue
            if symbols is not None and not rel.free_symbols & set(symbols):
                continue
            facts.append(Q_OF[rel.rel_op](rel.lhs - rel.rhs))
        return facts

    # -- membership -------------------------------------------------------------------------
    def check(self, values: Mapping[str, float], needed: Iterable[str] | None = None) -> dict[str, float]:
        """Validate user values; return them as floats.

        Raises :class:`DomainError` with a one-line message naming the parameter and its domain
        for a missing, non-numeric, non-finite or out-of-domain value, and
        :class:`UnknownNameError` for a name that is not a parameter.
        """
        out: dict[str, float] = {}
        for name, raw in values.items():
            par = self[name]
            try:
                v = float(raw)
            except (TypeError, ValueError):
                raise DomainError(f"{name}={raw!r} is not a number; {par.describe()}") from None
            if not math.isfinite(v):
                raise DomainError(f"{name}={raw} is not finite; {par.describe()}")
            if not par.domain.contains(v):
                raise DomainError(f"{name}={raw} is outside its domain: {par.describe()}")
            out[name] = v
        for name in needed or ():
            if name not in out:
                raise DomainError(f"missing value for {name} ({self[name].describe()})")
        present = {self[n].symbol: v for n, v in out.items()}
        for rel, reason in self.constraints:
            if rel.free_symbols <= set(present) and not bool(rel.subs(present)):
                why = f" ({reason})" if reason else ""
                raise DomainError(f"values violate the constraint {rel}{why}")
        return out

    def contains(self, point: Mapping[str, np.ndarray]) -> np.ndarray:
        """Vectorised: which points lie in the domain.

        Bounds of the parameters present in ``point`` and the constraints among them are tested;
        pass every parameter for full membership.
        """
        names = [n for n in self.parameters if n in point]
        arrays = [np.asarray(point[n], dtype=float) for n in names]
        ok = np.ones(np.broadcast_shapes(*(a.shape for a in arrays)), dtype=bool)
        for n, a in zip(names, arrays):
            ok &= self.parameters[n].domain.contains(a)
        symbols = [self.parameters[n].symbol for n in names]
        for rel, _ in self.constraints:
            if rel.free_symbols <= set(symbols):
                ok &= np.asarray(_relation_fn(rel, symbols)(*arrays), dtype=bool)
        return ok

    def closure(self, names: Iterable[str]) -> list[str]:
        """``names`` plus every parameter tied to them through a constraint (declaration order)."""
        wanted = set(names)
        grown = True
        while grown:
            grown = False
            for rel, _ in self.constraints:
                tied = {s.name for s in rel.free_symbols}
                if any(isinstance(self.parameters[n], Unknown) and n not in wanted for n in tied):
                    continue  # the bound of an unknown not asked for constrains nothing here
                if tied & wanted and not tied <= wanted:
                    wanted |= tied
                    grown = True
        return [n for n in self.parameters if n in wanted]

    # -- sampling ---------------------------------------------------------------------------
    def sample(self, n: int, rng: np.random.Generator | int | None = 0,
               given: Iterable[sp.Basic] = (), max_rounds: int = 200,
               only: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Draw ``n`` points of the domain (and of the extra conditions ``given``).

        Each parameter is drawn uniformly on its range, except 10 % of draws log-uniformly close
        to each finite end (where claims tend to break).  Points violating a bound, a constraint
        or a ``given`` condition are rejected.  With ``only``, just those parameters (with the
        ``given`` conditions' and every parameter tied to them by a constraint) are drawn: the
        marginal of the full draw, at a fraction of the cost when a formula uses few of many
        parameters.

        Parameters that no constraint or condition ties together are independent under this
        law, so each group of tied parameters is drawn and rejected on its own (two conditions on
        separate groups cost the sum of their rejection rates, not the product).  A pilot batch
        (n/8) measures the acceptance rate and later batches follow it; at most
        ``max_rounds * max(2n, 1000)`` points are drawn per group.  Raises
        :class:`DerivationError` when too few are accepted (the conditions are empty or have
        negligible volume).
        """
        given = list(given)
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        if only is None:
            names = list(self.parameters)
        else:
            names = self.closure({*only, *(s.name for g in given for s in g.free_symbols)})
        budget = max_rounds * max(2 * n, 1000)
        relations = [rel for rel, _ in self.constraints] + given
        out: dict[str, np.ndarray] = {}
        for group in _groups(names, relations):
            out.update(self._sample_group(group, _within(relations, group), n, rng, budget))
        return {k: out[k] for k in names}

    def _sample_group(self, names: list[str], relations: list[sp.Basic], n: int, rng: np.random.Generator,
                      budget: int) -> dict[str, np.ndarray]:
        """``n`` draws of the parameters ``names`` satisfying ``relations`` (which tie them all).

        Two stages when there are both small relations (at most three parameters, such as
        ``p < k``) and larger ones: the groups of the small relations are drawn on their own, and
        their product is then rejected on the larger relations only.
        """
        small = [rel for rel in relations if len(rel.free_symbols) <= 3]
        large = [rel for rel in relations if len(rel.free_symbols) > 3]
        if small and large:
            groups = [(p, _within(small, p)) for p in _groups(names, small)]
            steps = [(p, lambda size, p=p, rels=rels: self._sample_group(p, rels, size, rng, budget))
                     for p, rels in groups]
            return self._rejection(steps, large, n, budget)
        steps = [([nm], lambda size, nm=nm: {nm: _draw(self.parameters[nm], size, rng)}) for nm in names]
        return self._rejection(steps, relations, n, budget, bounds=True)

    def _rejection(self, steps, relations, n, budget, bounds=False) -> dict[str, np.ndarray]:
        """Rejection sampling, drawing in ``steps`` (``[(names, draw)]``, ``draw(size)`` giving
        ``size`` independent draws of ``names``).  Each condition (a relation, or with ``bounds``
        a parameter's own bounds) is tested as soon as its parameters are drawn, cheapest first,
        and later steps draw only for the survivors: the accepted points follow the same law as
        drawing everything and then rejecting, at a fraction of the draws and tests."""
        from .errors import DerivationError

        drawn_by = {}  # each parameter -> the step that draws it (in drawing order)
        for k, (names, _) in enumerate(steps):
            drawn_by.update({nm: k for nm in names})
        staged: list[list] = [[] for _ in steps]
        for nm in drawn_by if bounds else ():
            staged[drawn_by[nm]].append((self.parameters[nm].domain.contains, [nm], 0))
        for rel in relations:
            args = sorted(s.name for s in rel.free_symbols)
            stage = max((drawn_by[a] for a in args), default=0)
            staged[stage].append((_relation_fn(rel, [self.parameters[a].symbol for a in args]), args,
                                  sp.count_ops(rel)))
        for tests in staged:
            tests.sort(key=lambda t: t[2])
        kept: list[dict[str, np.ndarray]] = []
        count = drawn = 0
        while drawn < budget:
            if drawn:  # enough for the rest at the observed acceptance rate, with 10 % to spare
                batch = max(1.1 * (n - count) / max(count / drawn, 1e-3), 1000)
            else:  # a pilot batch measures the acceptance rate
                batch = max(n / 8, 1000)
            batch = int(min(batch, 20 * max(n, 1000), budget - drawn))
            values: dict[str, np.ndarray] = {}
            alive = batch
            for (_, draw), tests in zip(steps, staged):
                if alive == 0:
                    break
                values.update(draw(alive))
                for test, args, _ in tests:
                    with np.errstate(all="ignore"):  # branches of a Piecewise not taken may be NaN
                        ok = np.broadcast_to(np.asarray(test(*[values[a] for a in args]), dtype=bool), (alive,))
                    if not ok.all():
                        idx = np.flatnonzero(ok)
                        values = {k: v[idx] for k, v in values.items()}
                        alive = idx.size
            if alive:
                kept.append(values)
            count += alive
            drawn += batch
            if count >= n:
                break
            # hopeless: even at a rate far above the one observed (a Poisson bound that the true
            # rate exceeds with probability below 1e-9) the rest of the budget would not make up n
            if count + (count + 21 + 7 * np.sqrt(count + 1)) / drawn * (budget - drawn) < n:
                break
        if count < n:
            raise DerivationError(
                f"could not sample the domain: {count} of {n} points accepted in {drawn} draws"
                + (f" (at that rate the budget of {budget} could not give {n})" if drawn < budget else ""))
        return {k: np.concatenate([d[k] for d in kept])[:n] for k in drawn_by}


def _within(relations: Iterable[sp.Basic], names: Iterable[str]) -> list[sp.Basic]:
    """The relations among ``names`` only."""
    inside = set(names)
    return [rel for rel in relations if {s.name for s in rel.free_symbols} <= inside]


def _groups(names: list[str], relations: Iterable[sp.Basic]) -> list[list[str]]:
    """``names`` split into the groups that ``relations`` tie together (each in the given order)."""
    group_of = {nm: {nm} for nm in names}
    for rel in relations:
        tied = [s.name for s in rel.free_symbols if s.name in group_of]
        merged = set().union(*(group_of[nm] for nm in tied)) if tied else set()
        for nm in merged:
            group_of[nm] = merged
    seen, out = set(), []
    for nm in names:
        if nm not in seen:
            members = group_of[nm]
            seen |= members
            out.append([x for x in names if x in members])
    return out


def _draw(par: Parameter, n: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform on the parameter's range; 10 % of draws log-uniformly within 10^-6..10^-1 of
    each finite end, of which a tenth (1 % of all draws) exactly at the end if it is closed.

    One uniform ``u`` per draw picks the component and, rescaled within it, the value."""
    lo, hi = par.draw_range()
    width = hi - lo
    ends = ((par.domain.lo is not None, 1, lo, not par.domain.lo_open),
            (par.domain.hi is not None, -1, hi, not par.domain.hi_open))
    a = 0.1 if ends[0][0] else 0.0
    b = 0.9 if ends[1][0] else 1.0
    u = rng.random(n)
    x = u - a
    x *= width / (b - a)
    x += lo
    for finite, sign, end, closed in ends:
        if finite:
            idx = np.flatnonzero(u < 0.1) if sign == 1 else np.flatnonzero(u >= 0.9)
            v = 10 * u[idx] if sign == 1 else 10 * (1 - u[idx])  # uniform on the unit interval: where in the edge
            if closed:  # closed ends are hit exactly now and then
                at_end = v <= 0.1
                v = np.where(at_end, 1.0, (v - 0.1) / 0.9)
            x[idx] = end + sign * width * 10.0 ** (-6 + 5 * v)
            if closed:
                x[idx[at_end]] = end
    return x


_REL_CACHE: dict = {}


def _relation_fn(rel: sp.Basic, symbols: list[sp.Symbol]):
    key = (rel, tuple(symbols))
    if key not in _REL_CACHE:
        _REL_CACHE[key] = lambdify(symbols, rel)
    return _REL_CACHE[key]
