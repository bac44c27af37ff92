r"""The :class:`Model` facade: one object per paper's model.

A derivation module builds a model the way an appendix is written::

    model = Model("entry", title="...")
    c = model.parameter("c", POSITIVE, latex="c")          # parameters and domains
    game = model.payoffs(("E", "I"))                       # payoffs
    game.outcome("Fight", E=-c, I=...)
    cut = model.cutoff("chat", game.prefers(...), solve_for=c)   # indifference => cutoff
    model.claim(Claim("E-1", "...", [Equal(cut, ...)]))    # claims

and users then call :meth:`Model.quantity`, :meth:`Model.numeric`, :meth:`Model.evaluate`,
:meth:`Model.verify` and :meth:`Model.cross_check`.  The work is done by the focused modules
(:mod:`~symbolic.domain`, :mod:`~symbolic.payoffs`, :mod:`~symbolic.verify`,
:mod:`~symbolic.numeric`, :mod:`~symbolic.decide`); this class only wires them together.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from .claims import Claim, Equivalent
from .domain import Domain, Interval, Parameter, Unknown
from .errors import DerivationError, DomainError, ToolkitError, UnknownNameError
from .numeric import NumericFunction, fast_function, find_root, has_implemented_function, mp_recheck
from .payoffs import Condition, Cutoff, Game, Preference, derive_cutoff
from .solvers import IntervalSet, SystemSolution, classify, derive_interval, derive_optimum, disjoint, solve_system
from .solvers.checks import interval_check, optimum_check, system_check

if TYPE_CHECKING:
    from .games.extensive import TreeMap
    from .games.nash_map import EquilibriumMap
from .verify import PartVerdict, PartVerifier, Settings, Verdict, combine


def _other_games(model, name: str) -> str:
    """`` ('entry' is a game tree ...)`` when ``name`` is a game of another kind."""
    kinds = (("trees", "a game tree: solve it with equilibria or the solve command"),
             ("signaling_games", "a signaling game: solve it with equilibria or the solve command"),
             ("games", "a normal-form game: equilibria gives its map"))
    for attr, what in kinds:
        if name in getattr(model, attr, {}):
            return f" ({name!r} is {what})"
    return ""


class QuantitySymbol(sp.Symbol):
    """The symbol standing for a named quantity in a formula (``khat < w``): printed with the
    quantity's LaTeX, replaced by its expression when the formula is verified or evaluated.
    Its own class, so it never equals a parameter or abbreviation of the same name.

    For SymPy it is a symbol, not a function of the parameters: ``sp.diff(q, x)`` is 0.
    Differentiate ``q.expr`` instead, or claim the sign with ``DerivativeSign(q, x, ...)``."""


@dataclass(eq=False)
class Quantity:
    """A derived quantity: a definition, a cutoff, an optimum, a solution of a system, or any
    derived expression.

    ``expr`` may use defined symbols (like :math:`\\psi`); :meth:`Model.quantity` returns it in
    parameters only.  ``display`` is an equal form written the way the paper writes it (checked
    equal when the quantity is declared).

    In a formula a quantity stands for itself: ``q1 < q2``, ``2*q - w`` or ``sp.Max(q, 0)`` build
    formulas in :attr:`symbol`, which claims print with the quantity's name and verify with its
    expression substituted.
    """

    name: str
    expr: sp.Basic
    latex: str
    description: str = ""
    kind: str = "derived"
    cutoff: Cutoff | None = None
    display: sp.Basic | None = None
    cross_check: Callable | None = None
    defined_when: sp.Basic | None = None  # where the formula means something (e.g. a root exists)
    #: how it was derived, for the report: an Optimum, a SystemSolution, an IntervalSet ...
    derivation: object | None = None

    @property
    def symbol(self) -> sp.Symbol:
        """The symbol standing for the quantity in formulas (a :class:`QuantitySymbol`)."""
        return QuantitySymbol(self.name)

    def _sympy_(self):
        return self.symbol

    def diff(self, *symbols) -> sp.Basic:
        """The derivative of the quantity's expression (``sp.diff(q, x)`` would treat ``q`` as a
        symbol and give 0)."""
        return sp.diff(self.expr, *symbols)

    def __lt__(self, other):
        return sp.Lt(self.symbol, sp.sympify(other))

    def __le__(self, other):
        return sp.Le(self.symbol, sp.sympify(other))

    def __gt__(self, other):
        return sp.Gt(self.symbol, sp.sympify(other))

    def __ge__(self, other):
        return sp.Ge(self.symbol, sp.sympify(other))

    def __neg__(self):
        return -self.symbol

    def __add__(self, other):
        return self.symbol + sp.sympify(other)

    def __radd__(self, other):
        return sp.sympify(other) + self.symbol

    def __sub__(self, other):
        return self.symbol - sp.sympify(other)

    def __rsub__(self, other):
        return sp.sympify(other) - self.symbol

    def __mul__(self, other):
        return self.symbol * sp.sympify(other)

    def __rmul__(self, other):
        return sp.sympify(other) * self.symbol

    def __truediv__(self, other):
        return self.symbol / sp.sympify(other)

    def __rtruediv__(self, other):
        return sp.sympify(other) / self.symbol

    def __pow__(self, other):
        return self.symbol ** sp.sympify(other)

    def _repr_latex_(self) -> str:
        from .latex import tex
        form = self.display if self.display is not None else self.expr
        return rf"$\displaystyle {self.latex} = {tex(form, getattr(self, '_model', None))}$"


class GameTreeError(DerivationError, ValueError):
    """A malformed game tree (one line naming the tree and the node)."""


def _tree_error(tree: str, message: str) -> GameTreeError:
    return GameTreeError(f"game tree {tree}: {message}")


@dataclass
class Figure:
    """A figure of the report: ``draw(model)`` returns a matplotlib Figure (drawn from the
    model's numeric functions, never by hand); ``caption`` is LaTeX."""

    name: str
    caption: str
    draw: Callable


#: The functions a formula string may use (besides the model's own names).
FORMULA_FUNCTIONS = ("exp", "log", "sqrt", "Abs", "Min", "Max", "Piecewise", "sin", "cos", "tan", "floor",
                     "ceiling", "sign", "Eq", "Ne", "Lt", "Le", "Gt", "Ge", "And", "Or", "Not", "pi", "E", "oo")
# SymPy's namespace (the parser's own transformations need its classes) without the functions and
# one-letter constants a formula could pick up by accident (zeta, gamma, beta, E, I, N, O, Q, S ...)
_FORMULA_GLOBALS = {name: value for name, value in vars(sp).items()
                    if not name.startswith("_") and len(name) > 1
                    and not isinstance(value, sp.FunctionClass) and not isinstance(value, sp.Basic)}
_FORMULA_GLOBALS.update({name: getattr(sp, name) for name in (*FORMULA_FUNCTIONS, "Function")})

#: Cross-checks disagreeing at more draws than this are not re-checked at 40 digits.
RECHECK_LIMIT = 25


@dataclass
class CrossCheck:
    """The result of comparing a closed form with an independent numeric solution."""

    quantity: str
    method: str
    samples: int
    max_error: float
    tol: float
    #: draws where the float64 comparison missed the tolerance and a 40-digit re-check met it
    rechecked: int = 0

    @property
    def passed(self) -> bool:
        return bool(np.isfinite(self.max_error) and self.max_error <= self.tol)


def _step_verdict(verifier: PartVerifier, before, after, label: str, where: sp.Basic | None = None):
    """A derivation step checked equivalent to the one before (the same condition twice needs no
    check), where the cutoff exists (``where``)."""
    step = Equivalent(before, after, label, given=[where] if where is not None else [])
    if step.formula is sp.true:
        return PartVerdict(label, "proved", "symbolic", "the step restates the condition before it")
    return verifier.verify(step)


def _state_diagram(game):
    from .games.figures import state_diagram
    return state_diagram(game)


class Model:
    """A game-theoretic model: parameters, payoffs, derived quantities, claims."""

    def __init__(self, name: str, title: str, source: str = "", spec: str = "", description: str = ""):
        self.name = name
        self.title = title
        self.source = source
        self.spec = spec
        self.description = description
        self.domain = Domain()
        self.unknowns: dict[str, Unknown] = {}
        self._space: Domain | None = None
        self.game: Game | None = None
        self.games: dict = {}              # finite games by name (normal form)
        self.equilibrium_maps: dict = {}   # their equilibrium maps, by game name
        self.stochastic_games: dict = {}   # discounted stochastic (and repeated) games by name
        self.stationary_profiles: dict = {}  # named stationary profiles, by "game:profile"
        self.instances: list = []          # (game, {parameter: value}) listed in the report
        self.declared_games: list = []     # the stochastic games declared with the methods below (reported)
        self.trees: dict = {}              # game trees by name
        self.tree_maps: dict = {}          # their equilibrium maps (backward induction), by name
        self.signaling_games: dict = {}    # finite signaling games by name
        self.signaling_maps: dict = {}     # their maps of perfect Bayesian equilibria, by name
        self.definitions: dict[sp.Symbol, sp.Basic] = {}
        self.quantities: dict[str, Quantity] = {}
        self.claims: list[Claim] = []
        self.choices: list[str] = []
        self.unchecked: list[tuple[str, str]] = []
        self.preferences: list[tuple[str, Preference]] = []
        self.sections: list[tuple[str, str]] = []
        self.figures: list[Figure] = []
        self._numeric: dict[str, NumericFunction] = {}
        self._verdicts: dict = {}  # cached verdicts and cross-checks, keyed by their settings

    # -- building -------------------------------------------------------------------------
    def parameter(self, name: str, domain: Interval, latex: str | None = None, description: str = "",
                  sample_range: tuple[float, float] | None = None) -> sp.Symbol:
        """Declare a parameter and return its symbol."""
        self._space = None
        return self.domain.add(Parameter(name, domain, latex, description, sample_range))

    def unknown(self, name: str, domain: Interval | tuple, latex: str | None = None, description: str = "",
                sample_range: tuple[float, float] | None = None) -> sp.Symbol:
        """Declare an endogenous unknown -- what the equilibrium determines (a share, an offer, an
        effort, a mixing probability, a belief) -- and return its symbol.

        ``domain`` is an :class:`Interval` or a pair ``(lo, hi)`` whose ends may be expressions
        in the parameters (closed ends; ``None`` for an unbounded one).  Unknowns are not inputs:
        they are listed apart from the parameters and never drawn as inputs of a quantity; the
        solving methods (:meth:`cutoff`, :meth:`solve`, :meth:`optimum`, :meth:`interval`) solve
        for them, and a claim that mentions one is checked for every value in its domain."""
        if name in self.domain.parameters or name in self.unknowns:
            raise DomainError(f"{name!r} is already declared")
        self._space = None
        if not isinstance(domain, Interval):
            domain = tuple(self.parse(b) if isinstance(b, str) else b for b in domain)
        u = Unknown.of(name, domain, latex, description, sample_range)
        self.unknowns[name] = u
        return u.symbol

    @property
    def space(self) -> Domain:
        """The domain of parameters and unknowns together (the parameter domain itself when the
        model has no unknowns): where claims are checked and intermediate quantities (a best
        response in the opponent's action) are evaluated."""
        if not self.unknowns:
            return self.domain
        if self._space is None:
            space = Domain()
            for par in [*self.domain.parameters.values(), *self.unknowns.values()]:
                space.add(par)
            for rel, reason in self.domain.constraints:
                space.constrain(rel, reason)
            for u in self.unknowns.values():
                for rel in u.bound_relations():
                    space.constrain(rel, f"domain of the unknown {u.name}")
            self._space = space
        return self._space

    def relations_of(self, var: sp.Symbol) -> list[sp.Basic]:
        """The bounds of a parameter or unknown as relationals in its symbol."""
        for u in self.unknowns.values():
            if u.symbol == var:
                return u.relations()
        return self.domain.by_symbol(var).domain.relations(var)

    def constrain(self, relation: sp.Basic, reason: str = "") -> None:
        """Add an ordering constraint to the domain."""
        self._space = None
        self.domain.constrain(relation, reason)

    def define(self, name: str, expr: str | sp.Basic, latex: str, description: str = "") -> sp.Symbol:
        """A named abbreviation (``psi = p - q``): returns a symbol usable in formulas."""
        display = self._form(expr)
        sym = sp.Symbol(name, real=True)
        self.definitions[sym] = self.parse(expr) if isinstance(expr, str) else sp.sympify(expr)
        self._add(Quantity(name, sym, latex, description, kind="definition", display=display))
        return sym

    def _form(self, display):
        return self.form(display) if isinstance(display, str) else display

    def payoffs(self, players: Sequence[str]) -> Game:
        """Start the payoff table (payoffs may be strings, kept in the order written for display)."""
        self.game = Game(tuple(players), parse=self.parse, form=self.form)
        return self.game

    def _namespace(self) -> dict:
        names = {q.name: q.symbol for q in self.quantities.values() if q.kind != "definition"}
        names.update({u.name: u.symbol for u in self.unknowns.values()})
        names.update({p.name: p.symbol for p in self.domain.parameters.values()})
        names.update({s.name: s for s in self.definitions})
        return names

    def parse(self, text: str) -> sp.Basic:
        """Parse a formula written with the model's names: parameters, unknowns, abbreviations
        and quantities, and the functions of :data:`FORMULA_FUNCTIONS`.  Any other name is an
        error listing what is declared (it never silently becomes a new symbol or a SymPy
        function such as ``zeta``)."""
        return self._parse(text, evaluate=True)

    def _expr(self, x) -> sp.Basic:
        """A formula given as a string (parsed with the model's names) or an expression."""
        return self.parse(x) if isinstance(x, str) else sp.sympify(x)

    def form(self, text: str) -> sp.Basic:
        """Like :meth:`parse` but unevaluated: terms stay in the order written (for display)."""
        return self._parse(text, evaluate=False)

    def _parse(self, text: str, evaluate: bool) -> sp.Basic:
        names = self._namespace()
        try:
            expr = parse_expr(text, local_dict=dict(names), global_dict=dict(_FORMULA_GLOBALS), evaluate=evaluate)
        except (SyntaxError, TypeError, ValueError, NameError, AttributeError, sp.SympifyError) as exc:
            raise ToolkitError(f"cannot read the formula {text!r}: {type(exc).__name__}: {exc}") from None
        from sympy.core.function import AppliedUndef

        declared = set(names.values())
        expr_ = sp.sympify(expr)
        stray = sorted({s.name for s in expr_.free_symbols if s not in declared}
                       | {f"{f.func.__name__}(...)" for f in expr_.atoms(AppliedUndef) if f.func not in declared})
        if stray:
            raise UnknownNameError(
                f"the formula {text!r} uses {', '.join(map(repr, stray))}, which is not declared; declared names: "
                f"{', '.join(names) or 'none'} (functions: {', '.join(FORMULA_FUNCTIONS)})")
        return expr

    def cutoff(self, name: str, preference: Preference, solve_for: sp.Symbol, latex: str,
               description: str = "", display: str | sp.Basic | None = None) -> Quantity:
        """Derive a cutoff from ``preference``'s indifference condition, solved for ``solve_for``.

        A condition strictly monotone in ``solve_for`` whose root lies in ``solve_for``'s domain
        only for some parameter values gives a cutoff ``defined_when`` the derived region where
        it does; one with no usable closed form (a cubic, a transcendental equation) gives an
        implicit root (:mod:`symbolic.solvers.roots`).

        ``display`` is the paper's way of writing the result (a string keeps its term order); it
        is checked to equal the derived root.
        """
        if isinstance(preference, (list, tuple, sp.And)):
            raise DerivationError(
                f"{name}: cutoff takes one preference; for several conditions on one unknown use "
                "Model.interval, for a system of equations in several unknowns Model.solve")
        cut = derive_cutoff(name, preference, solve_for, self.space, self.expand,
                            var_relations=self.relations_of(solve_for), latex=latex)
        q = Quantity(name, cut.expr, latex, description, kind="cutoff", cutoff=cut, display=self._form(display),
                     defined_when=cut.defined_when)
        self._check_display(q)
        self._add(q)
        self.preferences.append((name, preference))
        return q

    # -- solving for the equilibrium ------------------------------------------------------
    def _hypotheses(self) -> list[sp.Basic]:
        return self.domain.conditions()

    def _require_unknown(self, what: str, u: sp.Symbol) -> None:
        if not isinstance(u, sp.Symbol) or u.name not in self.unknowns:
            kind = "a quantity" if isinstance(u, Quantity) else repr(getattr(u, "name", u))[:60]
            raise DerivationError(f"{what}: {kind} is not a declared unknown (solve for an unknown declared with "
                                  "Model.unknown)")

    def _condition(self, c, what: str):
        """A preference, an equation or an inequality, with abbreviations and quantities expanded."""
        if isinstance(c, str):
            c = self.parse(c)
        if isinstance(c, (Preference, Condition)):
            return c
        if isinstance(c, Quantity):
            return self.expand(c.symbol)
        c = self.expand(c)
        if c in (sp.true, sp.false):
            raise DerivationError(f"{what}: a condition collapsed to {c} when it was built (SymPy evaluated it); "
                                  "write it so that it still depends on the unknowns")
        return c

    def solve(self, conditions: Sequence, unknowns: Mapping[str, sp.Symbol], latex: Mapping[str, str] | None = None,
              description: str = "", seconds: float = 20.0, method: str | None = None,
              cross_checks: Mapping[str, Callable] | None = None) -> SystemSolution:
        """Solve a system of equilibrium conditions for several unknowns, in closed form.

        ``conditions``: equalities (``sp.Eq``), expressions equal to zero, or preferences whose
        indifference is meant (one per unknown); a condition may contain a ``Piecewise`` (a best
        response with corners, e.g. an :meth:`optimum`), which is split into Kuhn--Tucker cases.
        ``unknowns`` maps the name of each derived quantity to the unknown it solves for
        (``{"q1_star": q1, "q2_star": q2}``); ``latex`` gives their symbols (default: the
        unknown's with a star).  Returns the :class:`~symbolic.solvers.SystemSolution`; iterate
        it for the quantities (``q1s, q2s = m.solve(...)``).

        One solution valid on the whole domain gives one quantity per unknown; solutions on
        disjoint regions are joined into one ``Piecewise`` quantity (``defined_when`` their
        union unless they cover the domain); solutions that coexist give one quantity per
        unknown and solution, named ``<name>_1``, ``<name>_2`` ..., each with its region.
        Conditions in fixed-point form ``u = g(other unknowns)`` that use implicitly defined
        functions (or any, with ``method="fixed-point"``) are solved by substitution down to one
        fixed point, found numerically on the unknown's interval (an implicit quantity).
        ``cross_checks`` replaces the default independent check (Newton's method on the
        conditions) of a quantity by the model's own ``check(model, draws)``.
        Raises :class:`DerivationError` (one line, naming the quantities) for no solution in the
        domain, a continuum of solutions or a spent time budget."""
        names = list(unknowns)
        syms = [unknowns[n] for n in names]
        label = ", ".join(names)
        latex = dict(latex or {})
        for u in syms:
            self._require_unknown(label, u)
        conds = [self._condition(c, label) for c in conditions]
        conds = [self.expand(c.difference) if isinstance(c, (Preference, Condition)) else c for c in conds]
        relations = {u: self.relations_of(u) for u in syms}
        try:
            solution = solve_system(conds, syms, relations, self._hypotheses(), seconds,
                                    names={u: (n, latex.get(n, self._star(u))) for u, n in zip(syms, names)},
                                    method=method)
        except DerivationError as exc:
            raise DerivationError(f"{label}: {exc}") from None
        branches = solution.branches
        hyps = self._hypotheses()
        if len(branches) == 1 or disjoint([b.region for b in branches], hyps):
            covered = len(branches) == 1 and branches[0].status == "always" or \
                classify(sp.Or(*[b.region for b in branches]), hyps) == "always"
            where = None if covered else sp.Or(*[b.region for b in branches])
            for name, u in zip(names, syms):
                if len(branches) == 1:
                    expr = branches[0].values[u]
                else:
                    pieces = [(b.values[u], b.region) for b in branches]
                    expr = sp.Piecewise(*pieces[:-1], (pieces[-1][0], True), evaluate=False)
                solution.quantities.append(self._solution_quantity(
                    name, expr, latex.get(name, self._star(u)), description, where, solution,
                    (cross_checks or {}).get(name) or system_check(solution, u)))
        else:
            for k, b in enumerate(branches, 1):
                for name, u in zip(names, syms):
                    tex_name = latex.get(name, self._star(u))
                    solution.quantities.append(self._solution_quantity(
                        f"{name}_{k}", b.values[u], f"{tex_name}_{{({k})}}", description,
                        None if b.status == "always" else b.region, solution, system_check(solution, u, b)))
        return solution

    def _star(self, u: sp.Symbol) -> str:
        return f"{{{self.unknowns[u.name].latex}}}^*"

    def _solution_quantity(self, name, expr, latex, description, where, derivation, check) -> Quantity:
        q = Quantity(name, expr, latex, description, kind="solution", cross_check=check, defined_when=where,
                     derivation=derivation)
        self._add(q)
        return q

    def optimum(self, name: str, objective, over: sp.Symbol, within: tuple | None = None, maximize: bool = True,
                latex: str | None = None, description: str = "", seconds: float = 20.0) -> Quantity:
        """The maximiser (``maximize=False``: minimiser) of ``objective`` over the unknown ``over``.

        ``within = (lo, hi)`` (numbers, expressions, strings or ``None``) is the interval, by
        default the unknown's domain.  The first-order condition is solved, the second-order
        condition decided over the domain (strict concavity, or single-peakedness at the unique
        critical point), and the corners added as a ``Piecewise`` with the region where each
        holds (Kuhn--Tucker); the region where the optimum is interior is derived.  The
        quantity's ``derivation`` is the :class:`~symbolic.solvers.Optimum`.  Raises
        :class:`DerivationError` when the objective is unbounded, the second-order condition
        fails or cannot be decided, or the critical point is not unique."""
        self._require_unknown(name, over)
        f = self.expand(self.parse(objective) if isinstance(objective, str) else sp.sympify(objective))
        relations = self.relations_of(over)  # within= narrows the unknown's domain
        if within is not None:
            lo, hi = (self.parse(b) if isinstance(b, str) else (None if b is None else sp.sympify(b)) for b in within)
            relations = relations + ([sp.GreaterThan(over, lo, evaluate=False)] if lo is not None else []) + \
                ([sp.LessThan(over, hi, evaluate=False)] if hi is not None else [])
        hyps = self._hypotheses() + [r for u in self.unknowns.values() if u.symbol != over for r in u.relations()]
        opt = derive_optimum(name, f, over, relations, hyps, maximize, seconds)
        q = Quantity(name, opt.expr, latex or self._star(over), description, kind="optimum",
                     cross_check=optimum_check(opt), derivation=opt)
        self._add(q)
        return q

    def interval(self, name: str, conditions: Sequence, over: sp.Symbol, latex: str | None = None,
                 description: str = "") -> IntervalSet:
        """The values of the unknown ``over`` satisfying every condition (preferences or
        inequalities): an interval whose end points become the quantities ``<name>_lo`` and
        ``<name>_hi``, defined where the interval is non-empty (``.nonempty``, derived)."""
        self._require_unknown(name, over)
        conds = []
        for c in conditions:
            c = self._condition(c, name)
            if not isinstance(c, (Preference, Condition)):
                c = Condition(c)
            others = (self.expand(c.difference).free_symbols & {u.symbol for u in self.unknowns.values()}) - {over}
            if others:
                raise DerivationError(f"{name}: condition {c.weak()} also involves the unknowns "
                                      f"{', '.join(sorted(map(str, others)))}; an interval is in one unknown ({over})")
            conds.append(c)
        cuts = [derive_cutoff(c.label or f"{name} condition {k}", c, over, self.space, self.expand,
                              var_relations=self.relations_of(over)) for k, c in enumerate(conds, 1)]
        hyps = self._hypotheses()
        iv = derive_interval(name, cuts, over, self.relations_of(over), hyps)
        tex_name = latex or self.unknowns[over.name].latex
        where = None if iv.nonempty is sp.true else iv.nonempty
        weak = [c.weak() for c in conds]
        iv.lower = Quantity(f"{name}_lo", iv.lower_expr, rf"\underline{{{tex_name}}}",
                            f"{description} (lower end)".strip(), kind="interval", defined_when=where,
                            derivation=iv, cross_check=interval_check(iv, weak, upper=False))
        iv.upper = Quantity(f"{name}_hi", iv.upper_expr, rf"\overline{{{tex_name}}}",
                            f"{description} (upper end)".strip(), kind="interval", defined_when=where,
                            derivation=iv, cross_check=interval_check(iv, weak, upper=True))
        self._add(iv.lower)
        self._add(iv.upper)
        return iv

    def normal_form(self, name: str, actions: Mapping[str, Sequence[str]], payoffs: Mapping[tuple, object]):
        """A finite game in normal form with symbolic payoffs: ``actions`` maps each player to
        their actions (in order), ``payoffs`` each action profile to a tuple of payoffs (in
        player order; strings are parsed with the model's names) or to the name of an outcome of
        the model's payoff table.  Returns the :class:`~symbolic.games.NormalFormGame`; its
        equilibria as functions of the parameters come from :meth:`equilibria`."""
        from .games.normal_form import NormalFormGame

        players = list(actions)
        table = {}
        for profile, u in payoffs.items():
            if isinstance(u, str) and self.game is not None and u in self.game.outcomes:
                u = tuple(self.game.payoff(pl, u) for pl in players)
            elif isinstance(u, str):
                raise DerivationError(f"game {name}: profile {profile} names no outcome of the payoff table ({u!r})")
            table[tuple(profile)] = tuple(self.expand(self.parse(x) if isinstance(x, str) else sp.sympify(x)) for x in u)
        try:
            game = NormalFormGame(players, [actions[p] for p in players], table, name)
        except ValueError as exc:
            raise DerivationError(f"game {name}: {exc}") from None
        self.games[name] = game
        return game

    def game_tree(self, name: str, players: Sequence[str]):
        """Declare a finite game tree of perfect information with symbolic payoffs
        (:class:`~symbolic.games.ExtensiveGame`) and return it: add nodes with
        ``decision(node, player, {action: child}, infoset=...)``, ``chance(node, {outcome:
        (probability, child)})``, ``choice(node, player, unknown, child, within=(lo, hi))`` (a
        continuous choice of a declared unknown; by default over its domain),
        ``simultaneous(node, {player: actions}, children={profile: child})`` and
        ``terminal(node, payoffs)`` (payoffs in player order, strings read with the model's
        names, or the name of an outcome of the model's payoff table); the first node is the
        root.  A malformed tree is a one-line :class:`DerivationError` naming the node.
        :meth:`equilibria` solves it by backward induction into its equilibrium map."""
        from .games.extensive import ExtensiveGame

        if name in self.trees:
            raise DerivationError(f"game tree {name!r} is declared twice")
        tree = ExtensiveGame(name, players, read=self.parse, error=functools.partial(_tree_error, name))
        if self.game is not None:
            tree.outcome = lambda o: tuple(self.game.payoff(pl, o) for pl in tree.players)
            tree.table = self.game
        tree.within_of = self._unknown_interval
        self.trees[name] = tree
        return tree

    def signaling_game(self, name: str, sender: str, receiver: str, types: Mapping[str, object],
                       messages: Sequence[str], responses: Sequence[str]):
        """Declare a finite signaling game (:class:`~symbolic.games.SignalingGame`) and return it.

        ``types`` maps each of the sender's types to its prior (strings read with the model's
        names; the priors must sum to 1 identically and be positive on the domain); the sender,
        knowing the type, sends one of ``messages``; the receiver sees the message and answers
        with one of ``responses``.  Give the payoffs ``(sender, receiver)`` of every triple with
        ``game.payoff(type, message, response, sender=..., receiver=...)`` or all at once with
        ``game.payoffs({(type, message, response): (u_S, u_R), ...})`` or
        ``game.payoffs(lambda t, m, r: (u_S, u_R))``.  The off-path beliefs are declared as
        unknowns in [0, 1], ``mu_<message>_<type>`` for every type but the last listed.
        :meth:`equilibria` derives its map of perfect Bayesian equilibria
        (:class:`~symbolic.games.SignalingMap`)."""
        from .domain import interval
        from .games.signaling import SignalingGame

        if name in self.signaling_games:
            raise DerivationError(f"signaling game {name!r} is declared twice")

        def belief(n, latex):
            if n in self.unknowns or n in self.domain.parameters:
                n = f"{name}_{n}"
            return self.unknown(n, interval(0, 1), latex, f"off-path belief of the receiver in {name}")

        unknown = [t for t in types if not isinstance(t, str)]
        if unknown:
            raise DerivationError(f"signaling game {name}: type names must be strings, got {unknown[0]!r}")
        game = SignalingGame(name, sender, receiver, types, messages, responses, read=self.parse, belief=belief)
        self.signaling_games[name] = game
        return game

    def _unknown_interval(self, var) -> tuple | None:
        """``(lo, hi)`` of a declared unknown (a game tree's default interval of a choice)."""
        from .solvers.regions import ends

        if var.name not in self.unknowns or self.unknowns[var.name].symbol != var:
            return None
        return ends(self.relations_of(var))

    def with_cutoffs(self, region: sp.Basic) -> sp.Basic:
        """``region`` for display, each comparison that is a cutoff's preference written as the cutoff
        condition (``c_J <= theta`` for ``s p - c_J - v_J >= s q - a_J``): a relation whose two sides
        differ by exactly the preference's payoff difference (or its negative) becomes ``var <= Q``,
        ``var < Q``, ``var >= Q`` or ``var > Q`` for the first such cutoff declared (a cutoff defined on
        part of the domain only is never used).  The result is equivalent to ``region``."""
        cutoffs = [(q, sp.expand(self.expand(q.cutoff.preference.difference))) for q in self.quantities.values()
                   if q.cutoff is not None and q.cutoff.defined_when is None and q.kind == "cutoff"]
        if not cutoffs:
            return region

        def rewrite(rel):
            d = sp.expand(self.expand(rel.lhs - rel.rhs))
            if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
                d = -d
            strict = isinstance(rel, (sp.StrictGreaterThan, sp.StrictLessThan))
            for q, D in cutoffs:
                for sign in (1, -1):
                    if d - sign * D != 0:
                        continue
                    # D >= 0 iff var >= Q (direction '>=') or var <= Q; -D > 0 (D < 0) flips the side
                    up = (q.cutoff.direction == ">=") == (sign == 1)
                    op = {(True, False): sp.GreaterThan, (True, True): sp.StrictGreaterThan,
                          (False, False): sp.LessThan, (False, True): sp.StrictLessThan}[(up, strict)]
                    return op(q.cutoff.var, q.symbol, evaluate=False)
            return rel

        return region.replace(lambda e: isinstance(e, (sp.GreaterThan, sp.StrictGreaterThan, sp.LessThan,
                                                       sp.StrictLessThan)), rewrite)

    def equilibria(self, game) -> "EquilibriumMap | TreeMap":
        """The equilibrium map of a game: for a two-player normal-form game every Nash
        equilibrium, each with the region of parameters where it is one
        (:mod:`symbolic.games.nash_map`, an ``EquilibriumMap``); for a game tree the
        subgame-perfect equilibrium on each region by symbolic backward induction
        (:mod:`symbolic.games.extensive`, a ``TreeMap``); for a signaling game every perfect
        Bayesian equilibrium with its region, off-path belief set and intuitive-criterion verdict
        (:mod:`symbolic.games.signaling`, a ``SignalingMap``, stored in ``signaling_maps``).
        Registered for the report under the game's name."""
        from .games.extensive import ExtensiveGame, tree_map
        from .games.nash_map import equilibrium_map
        from .games.signaling import SignalingGame, signaling_map

        if isinstance(game, SignalingGame):
            smap = signaling_map(game, self._hypotheses())  # its input errors are DerivationErrors
            self.signaling_maps[game.name] = smap
            return smap

        if isinstance(game, ExtensiveGame):
            try:
                tmap = tree_map(game, self._hypotheses())
            except DerivationError:
                raise
            except ValueError as exc:
                raise DerivationError(f"game tree {game.name}: {exc}") from None
            self.tree_maps[game.name] = tmap
            return tmap
        emap = equilibrium_map(game, self._hypotheses())
        self.equilibrium_maps[game.name] = emap
        return emap

    def tree_figure(self, game: str, x: str, y: str, fixed: Mapping | None = None,
                    limits: Mapping | None = None, steps: int = 241) -> None:
        """A report figure of the equilibrium map of the game tree ``game`` over the parameters
        ``x`` and ``y`` (each over ``limits[name] = (lo, hi)``, by default its domain when
        bounded), every other parameter of the game fixed at ``fixed``: the regions filled by
        equilibrium path, with a legend (:func:`symbolic.games.extensive.region_figure`)."""
        from .games.extensive import region_figure
        from .latex import escape

        if game not in self.trees:
            raise UnknownNameError(f"unknown game tree {game!r}; trees are: {', '.join(self.trees) or 'none'}")
        fixed, limits = dict(fixed or {}), dict(limits or {})
        if x == y or x in fixed or y in fixed:
            raise DomainError(f"tree_figure: {x if x == y or x in fixed else y!r} is an axis of the figure; it cannot "
                              "also be fixed (or be both axes)")
        names = {s.name for s in self.trees[game].free_symbols}
        for axis in (x, y):
            if axis not in names:
                raise DomainError(f"tree_figure: {axis!r} is not a parameter of the game {game} "
                                  f"({', '.join(sorted(names))})")
            if axis not in limits:
                dom = self.domain[axis].domain
                if dom.lo is None or dom.hi is None:
                    raise DomainError(f"tree_figure: {axis}'s domain {dom.describe()} is unbounded; give "
                                      f"limits={{{axis!r}: (lo, hi)}}")
                limits[axis] = (dom.lo, dom.hi)
            lo, hi = (float(sp.Rational(str(v))) for v in limits[axis])
            if not lo < hi:
                raise DomainError(f"tree_figure: the range of {axis} ({lo}, {hi}) is empty")
        missing = sorted(names - {x, y} - set(fixed))
        if missing:
            raise DomainError(f"tree_figure: fix the other parameters of the game {game}: {', '.join(missing)}")
        self.domain.check({k: float(sp.Rational(str(v))) for k, v in fixed.items()})
        rest = ", ".join(f"${self.domain[k].latex} = {sp.latex(sp.Rational(str(v)))}$" for k, v in fixed.items())

        def draw(model):
            tmap = model.tree_maps.get(game) or model.equilibria(model.trees[game])
            return region_figure(tmap, x, y, fixed, limits, steps)

        self.figures.append(Figure(f"{game}-regions-{x}-{y}", f"The equilibrium map of the game {escape(game)} over "
                                   f"${self.domain[x].latex}$ and ${self.domain[y].latex}$"
                                   + (f" ({rest})" if rest else "") + ": each region filled by its equilibrium path "
                                   f"({steps} x {steps} grid, every region evaluated as derived).", draw))

    # -- stochastic and repeated games ---------------------------------------------------
    def add_stochastic_game(self, name: str, game):
        """Register a :class:`~symbolic.games.StochasticGame` built elsewhere (e.g. by a function
        the model's tests share) under ``name``, as :meth:`stochastic_game` does; returns it."""
        if name in self.stochastic_games:
            raise DerivationError(f"stochastic game {name!r} is declared twice")
        game.read = self.parse
        if self.game is not None:
            game.outcome = lambda o: tuple(self.game.payoff(pl, o) for pl in game.players)
        self.stochastic_games[name] = game
        self.declared_games.append(name)
        from .latex import escape

        self.figures.append(Figure(f"{name}-states", f"The states and transitions of the game {escape(name)} (arrows "
                                   "labelled with the action profiles that move play; thick: the start state).",
                                   lambda model, game=game: _state_diagram(game)))
        return game

    def sweep_figure(self, game: str, parameter: str, steps: int = 101, **fixed) -> None:
        """A report figure of every stationary equilibrium of the stochastic game ``game`` along
        ``parameter`` (``steps`` exact values across its domain, excluded ends left out), the other
        parameters fixed at ``fixed``."""
        if game not in self.stochastic_games:
            raise UnknownNameError(f"unknown stochastic game {game!r}; stochastic games are: "
                                   f"{', '.join(self.stochastic_games) or 'none'}" + _other_games(self, game))
        dom = self.domain[parameter].domain
        if dom.lo is None or dom.hi is None:
            raise DomainError(f"sweep_figure: {parameter}'s domain {dom.describe()} is unbounded")
        self.domain.check({k: float(sp.Rational(str(v))) for k, v in fixed.items()})
        lo, hi = sp.Rational(str(dom.lo)), sp.Rational(str(dom.hi))
        grid = [lo + (hi - lo) * sp.Rational(k, steps - 1) for k in range(steps)]
        grid = [v for v in grid if not (v == lo and dom.lo_open) and not (v == hi and dom.hi_open)]
        point = {k: sp.Rational(str(v)) for k, v in fixed.items()}
        from .games.figures import sweep_figure
        from .latex import escape

        self.figures.append(Figure(f"{game}-sweep-{parameter}", f"Every stationary equilibrium of the game {escape(game)} "
                                   f"against ${self.domain[parameter].latex}$ ({steps} values; exact fast sweep), "
                                   "by cooperation label; marker size: how many.",
                                   lambda model: sweep_figure(self.stochastic_games[game], parameter, point, grid)))

    def stochastic_game(self, name: str, players: Sequence[str], states: Sequence[str], discount,
                        start: str | None = None, cooperation: Mapping[str, tuple] | None = None):
        """Declare a discounted stochastic game (:class:`~symbolic.games.StochasticGame`) and return
        it; declare each state's actions with ``set_actions(state, actions_1, actions_2, ...)`` and
        each profile's stage payoffs and transition with ``stage(state, profile, payoffs, to)``:
        payoffs in player order (strings are read with the model's names) or the name of an
        outcome of the model's payoff table; ``to`` a state or ``{state: probability}`` with
        probabilities as expressions.  ``cooperation`` names each state's cooperative profile
        (for the cooperation labels of ``equilibria`` and ``sweep``).  Several games (variants)
        are told apart by ``name`` (``equilibria MODEL --game NAME``)."""
        from .games.stochastic import StochasticGame

        try:
            game = StochasticGame(players, states, self._expr(discount), start, name, cooperation)
        except ValueError as exc:
            raise DerivationError(f"stochastic game {name}: {exc}") from None
        return self.add_stochastic_game(name, game)

    def repeated_game(self, name: str, players: Sequence[str], actions, stage: Mapping[tuple, Sequence], discount,
                      automaton: str = "grim trigger", cooperate: tuple | None = None, punish: tuple | None = None,
                      periods: int = 1, forgive=None, description: str = ""):
        """The infinitely repeated ``stage`` game (action profile -> payoffs in player order) under
        an automaton strategy (``grim trigger``, ``k-period punishment`` with ``periods``,
        ``forgiveness`` with probability ``forgive``, ``tit-for-tat``), as a stochastic game on
        the automaton's states (:mod:`symbolic.games.repeated`); ``actions`` is one action list
        shared by every player or one per player.  The automaton's own profile is registered as
        the stationary profile named after the automaton (its values ``V_<player>_<state>``, its
        deviation conditions and the region where it is an equilibrium); returns the game, whose
        ``profile`` is that :class:`~symbolic.games.profiles.StationaryProfile`."""
        from .games.repeated import repeated_game

        players = tuple(players)
        if actions and isinstance(actions[0], str):
            actions = [tuple(actions)] * len(players)
        try:
            game = repeated_game(players, actions, stage, self._expr(discount), automaton, cooperate, punish,
                                 periods, forgive, name, read=self.parse)
        except ValueError as exc:
            raise DerivationError(f"repeated game {name}: {exc}") from None
        self.add_stochastic_game(name, game)
        game.profile = self.stationary_profile(name, automaton.replace(" ", "_").replace("-", "_"), game.profile,
                                               description=description or f"the {automaton} profile")
        return game

    def stationary_profile(self, game: str, name: str, strategy, prefix: str = "V", description: str = "",
                           display: Mapping[tuple, str] | None = None):
        """A named stationary profile of the stochastic game ``game``: ``strategy`` is a
        ``{state: action profile}`` of pure play or a strategy ``{(state, player): {action:
        probability}}``.  Derives its values (model quantities ``<prefix>_<player>_<state>``,
        cross-checked by a numeric linear solve), every one-shot-deviation condition and the
        region of parameters where it is a stationary MPE (:mod:`symbolic.games.profiles`);
        ``display`` maps ``(state, player)`` to the paper's form of a value (checked equal).
        Returns the :class:`~symbolic.games.profiles.StationaryProfile`."""
        from .games.profiles import StationaryProfile, mpe_region
        from .games.stochastic import numeric_values

        if game not in self.stochastic_games:
            raise UnknownNameError(f"unknown stochastic game {game!r}; stochastic games are: "
                                   f"{', '.join(self.stochastic_games) or 'none'}" + _other_games(self, game))
        g = self.stochastic_games[game]
        try:
            if all(isinstance(k, str) for k in strategy):
                strategy = g.pure(strategy)
            g.validate()
        except (ValueError, KeyError) as exc:
            raise DerivationError(f"profile {name} of {game}: {exc}") from None
        values = g.values(strategy)
        devs = g.deviations(strategy, values)
        prof = StationaryProfile(g, name, strategy, values, devs, mpe_region(devs, self._hypotheses()),
                                 description=description)
        for (s, pl), v in values.items():
            if not v.free_symbols:
                continue  # constant values stay out of the quantities (nothing to evaluate)
            def check(model, draws, s=s, pl=pl):
                """numeric linear solve of V = u + d P V"""
                return numeric_values(g, strategy, draws)[(s, pl)]
            prof.quantities[(s, pl)] = self.derived(f"{prefix}_{pl}_{s}", v, f"{prefix}^{{{s}}}_{{{pl}}}",
                                                    f"{pl}'s value in {s} ({name})", cross_check=check,
                                                    display=(display or {}).get((s, pl)))
        self.stationary_profiles[f"{game}:{name}"] = prof
        return prof

    def instance(self, game: str, **values) -> None:
        """Record a parameter point at which the report lists every stationary equilibrium of
        the stochastic game ``game`` (exact enumeration)."""
        if game not in self.stochastic_games:
            raise UnknownNameError(f"unknown stochastic game {game!r}; stochastic games are: "
                                   f"{', '.join(self.stochastic_games) or 'none'}" + _other_games(self, game))
        self.domain.check({k: float(sp.Rational(str(v))) for k, v in values.items()})
        self.instances.append((game, dict(values)))

    def derived(self, name: str, expr: str | sp.Basic, latex: str, description: str = "",
                display: str | sp.Basic | None = None, cross_check: Callable | None = None,
                defined_when: sp.Basic | None = None) -> Quantity:
        """Register any other derived expression (``cross_check(model, draws) -> values`` optional).

        ``defined_when`` is the condition under which the quantity exists (the formula may still
        return numbers elsewhere): :meth:`evaluate` refuses points outside it with a one-line
        error, and :meth:`numeric` returns NaN there."""
        if isinstance(expr, str):
            display = display if display is not None else expr
            expr = self.parse(expr)
        q = Quantity(name, sp.sympify(expr), latex, description, display=self._form(display),
                     cross_check=cross_check, defined_when=defined_when)
        self._check_display(q)
        self._add(q)
        return q

    def claim(self, claim: Claim) -> Claim:
        """Add a claim of the paper."""
        if any(c.id == claim.id for c in self.claims):
            raise ToolkitError(f"claim {claim.id} declared twice")
        for name in claim.about:
            self._get(name)
        self.claims.append(claim)
        claim._model = self
        self._verdicts.clear()
        return claim

    def choice(self, text: str) -> None:
        """Record a modelling choice the report must state."""
        self.choices.append(text)

    def stated_not_checked(self, statement: str, reason: str) -> None:
        """Record prose of the paper that has no formula to check."""
        self.unchecked.append((statement, reason))

    def section(self, title: str, body_latex: str | Callable[[], str]) -> None:
        """A section of narrative for the report (``body_latex`` is LaTeX, written by the model's
        author), placed after the derived quantities and before the claims.  A callable is
        called when the report is rendered (for text that needs slow simplification: building
        the model for ``eval`` or ``verify`` then does not pay for it)."""
        self.sections.append((title, body_latex))

    def figure(self, name: str, caption: str, draw: Callable) -> None:
        """A figure for the report: ``draw(model) -> matplotlib.figure.Figure``; ``caption`` is LaTeX."""
        if any(f.name == name for f in self.figures):
            raise ValueError(f"figure {name} declared twice")
        self.figures.append(Figure(name, caption, draw))

    def _add(self, q: Quantity) -> None:
        if q.name in self.quantities:
            raise ToolkitError(f"quantity {q.name} declared twice")
        if q.kind != "definition" and (q.name in self.domain.parameters or q.name in self.unknowns):
            kind = "parameter" if q.name in self.domain.parameters else "unknown"
            raise ToolkitError(f"quantity {q.name!r} has the name of a {kind}; give the quantity another name")
        self.quantities[q.name] = q
        q._model = self
        self._verdicts.clear()

    def _check_display(self, q: Quantity) -> None:
        if q.display is not None and sp.simplify(self.expand(q.expr - q.display)) != 0:
            raise ToolkitError(f"{q.name}: the display form {q.display} is not equal to the derived {q.expr}")

    # -- using ----------------------------------------------------------------------------
    def expand(self, expr: sp.Basic) -> sp.Basic:
        """Replace defined symbols and quantity symbols by their definitions (recursively)."""
        expr = sp.sympify(expr)
        table = dict(self.definitions)
        if any(isinstance(s, QuantitySymbol) for s in expr.free_symbols):
            table.update({q.symbol: q.expr for q in self.quantities.values() if q.kind != "definition"})
        for _ in range(len(table) + 1):
            new = expr.xreplace(table)
            if new == expr:
                return expr
            expr = new
        return expr

    def _get(self, name: str) -> Quantity:
        try:
            return self.quantities[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown quantity {name!r} of model {self.name}; quantities are: {', '.join(self.quantities)}"
            ) from None

    def quantity(self, name: str) -> sp.Basic:
        """The SymPy expression of a derived quantity, in the model's parameters."""
        return self.expand(self._get(name).expr)

    def parameters_of(self, name: str) -> list[str]:
        """Names of the parameters a quantity depends on (declaration order)."""
        symbols = set(self.quantity(name).free_symbols)
        condition = self._get(name).defined_when
        if condition is not None:
            symbols |= self.expand(condition).free_symbols
        return [s.name for s in self.space.order(symbols)]

    def numeric(self, name: str) -> NumericFunction:
        """A vectorised numeric function of a quantity; keyword arguments are parameter names."""
        if name not in self._numeric:
            expr = self.quantity(name)
            condition = self._get(name).defined_when
            if condition is not None:
                expr = sp.Piecewise((expr, self.expand(condition)), (sp.nan, True))
            self._numeric[name] = fast_function(expr, self.space.order(expr.free_symbols), name)
        return self._numeric[name]

    def evaluate(self, name: str, **values) -> float:
        """The value of a quantity at a point, after checking every value against its domain.

        Raises :class:`DomainError` (one line) outside the quantity's ``defined_when`` condition
        and wherever it has no finite value (e.g. its defining equation has no root there)."""
        fn = self.numeric(name)
        for k in values:
            if k in self.unknowns and k not in fn.parameters:
                raise DomainError(f"{k} is an unknown (solved for), not an input of {name}; "
                                  f"{name} takes {', '.join(fn.parameters) or 'nothing'}")
        checked = self.space.check(values, needed=fn.parameters)
        condition = self._get(name).defined_when
        if condition is not None:
            point = {self.space[k].symbol: sp.Float(v) for k, v in checked.items()}
            try:
                holds = self.expand(condition).xreplace(point)
            except (TypeError, ZeroDivisionError):  # a vanishing denominator in the condition
                holds = sp.false
            if holds is not sp.true:
                raise DomainError(f"{name} is not defined at these values: it needs {condition}")
        value = fn(**{p: checked[p] for p in fn.parameters})
        if not math.isfinite(value):
            raise DomainError(f"{name} has no finite value at these values (no solution in the domain there)")
        return value

    def verify(self, samples: int = 2000, seed: int = 0, timeout_ms: int = 10000,
               progress: Callable[[str], None] | None = None) -> list[Verdict]:
        """Verdicts on every claim (cached per settings)."""
        settings = Settings(samples=samples, seed=seed, timeout_ms=timeout_ms)
        key = (samples, seed, timeout_ms)
        if key in self._verdicts:
            return self._verdicts[key]
        checks = {c.quantity: c for c in self.cross_check(samples, seed)}
        verifier = PartVerifier(self.space, self.expand, settings)
        out = []
        for claim in self.claims:
            if progress:
                progress(f"{self.name}: {claim.id}")
            out.append(self._verify_claim(claim, verifier, checks))
        self._verdicts[key] = out
        return out

    def _verify_claim(self, claim: Claim, verifier: PartVerifier, checks: dict) -> Verdict:
        parts = [] if claim.not_encodable else [verifier.verify(p) for p in claim.parts]
        errors = {n: checks[n].max_error for n in claim.about if n in checks}
        samples = max((checks[n].samples for n in claim.about if n in checks), default=None)
        verdict = combine(self.name, claim, parts, errors, samples)
        if claim.repair is not None:
            verdict.repair = self._verify_claim(claim.repair, verifier, checks)
            verdict.detail += f"; repaired statement ({claim.repair.statement}): {verdict.repair.status}"
        return verdict

    def verify_steps(self, samples: int = 2000, seed: int = 0, timeout_ms: int = 10000) -> dict[str, list]:
        """For each cutoff, verify every displayed derivation step is equivalent to the one before.

        Returns ``{cutoff name: [None, PartVerdict, ...]}`` aligned with ``cutoff.steps`` (the
        first step, the payoff comparison itself, needs no check).
        """
        key = ("steps", samples, seed, timeout_ms)
        if key in self._verdicts:
            return self._verdicts[key]
        verifier = PartVerifier(self.space, self.expand, Settings(samples, seed, timeout_ms=timeout_ms))
        out = {}
        for q in self.quantities.values():
            if q.cutoff is None:
                continue
            steps, where = q.cutoff.steps, q.cutoff.defined_when
            out[q.name] = [None] + [_step_verdict(verifier, a, b, f"step {i + 1} of {q.name}", where)
                                    for i, ((_, a), (_, b)) in enumerate(zip(steps, steps[1:]), start=1)]
        self._verdicts[key] = out
        return out

    def cross_check(self, samples: int = 2000, seed: int = 0, tol: float = 1e-8) -> list[CrossCheck]:
        """Compare each cutoff (and each quantity with a ``cross_check``) with an independent solver.

        Cutoffs: vectorised bracketed root finding on the payoff difference, at ``samples`` domain draws.
        """
        key = ("cross_check", samples, seed, tol)
        if key in self._verdicts:
            return self._verdicts[key]
        rng = np.random.default_rng(seed)
        # unknowns are drawn only when a checked quantity takes one as an argument (a best
        # response in the opponent's action); otherwise the draws are the parameter domain's
        needed = {s.name for q in self.quantities.values() if q.cutoff is not None or q.cross_check is not None
                  for s in self.expand(q.expr).free_symbols} & set(self.unknowns)
        draws = (self.space.sample(samples, rng, only=[*self.domain.parameters, *sorted(needed)]) if needed
                 else self.domain.sample(samples, rng))
        out = []
        for q in self.quantities.values():
            if q.cutoff is not None:
                values = self._root_of_cutoff(q.cutoff, draws, samples)
                method = "root finding on the payoff difference"
            elif q.cross_check is not None:
                values = np.asarray(q.cross_check(self, draws), dtype=float)
                method = getattr(q.cross_check, "__doc__", None) or "independent numeric solution"
                method = method.strip().splitlines()[0]
            else:
                continue
            closed = self.numeric(q.name).call(draws)
            err = np.abs(values - closed) / (1 + np.abs(closed))
            err = np.where(np.isnan(err), np.inf, err)
            compared = samples
            if q.cutoff is not None and q.defined_when is not None:
                # outside the derived region the cutoff does not exist (NaN): there the root
                # finder must find no root in the variable's domain either
                outside = np.isnan(closed)
                dom = self.space.by_symbol(q.cutoff.var).domain
                root_inside = ~np.isnan(values) & (values > (-np.inf if dom.lo is None else float(dom.lo))) & \
                    (values < (np.inf if dom.hi is None else float(dom.hi)))
                err = np.where(outside, np.where(root_inside, np.inf, 0.0), err)
                compared = int((~outside).sum())
            elif q.cutoff is None:
                # a custom cross-check returns NaN where the quantity is undefined (no root
                # exists there); those draws are left out, and at least one must remain
                defined = ~np.isnan(values)
                compared = int(defined.sum())
                err = np.where(defined, err, 0.0)
            # a cross-check may carry its own tolerance (finite differences cannot reach 1e-8)
            q_tol = getattr(q.cross_check, "tol", tol)
            err, rechecked = self._recheck(q, draws, values, err, q_tol)
            max_err = float(np.max(err)) if compared else np.inf
            out.append(CrossCheck(q.name, method, compared, max_err, q_tol, rechecked))
        self._verdicts[key] = out
        return out

    def _recheck(self, q, draws: dict, values: np.ndarray, err: np.ndarray, tol: float):
        """Re-check at 40 digits the few draws (at most :data:`RECHECK_LIMIT`) where a closed form
        and its independent solution disagree beyond ``tol`` in float64.

        Where a formula is ill-conditioned (nearly equal payoffs far out: a cutoff of 10^8 at
        p - q of 10^-9; values near 1 that differ by 10^-6), float64 rounding can move a result
        by more than the tolerance.  At those draws the closed form is evaluated at 40 digits
        and compared with the independent value -- for a cutoff, the root of its payoff
        difference found again at 40 digits; for another check, its float64 value.  Returns the
        errors with the 40-digit errors in place where they meet ``tol``, and how many did.
        Closed forms built on numerically implemented functions cannot be re-checked, and a
        formula that loses more than about 30 digits stays a failure."""
        bad = np.flatnonzero(err > tol)
        if not 0 < bad.size <= RECHECK_LIMIT:
            return err, 0
        closed = self.expand(q.expr)
        if has_implemented_function(closed):
            return err, 0
        cut = q.cutoff
        diff = self.expand(cut.preference.difference) if cut is not None else None
        names = [s for s in self.space.order(closed.free_symbols | (diff.free_symbols if cut else set()))
                 if cut is None or s != cut.var]
        err = err.copy()
        rechecked = 0
        for i in bad:
            point = {s: float(draws[s.name][i]) for s in names}
            hp = mp_recheck(closed, point, values[i], diff, cut.var if cut else None)
            if hp is not None and hp <= tol:
                err[i] = hp
                rechecked += 1
        return err, rechecked

    def _root_of_cutoff(self, cut: Cutoff, draws: dict, n: int) -> np.ndarray:
        # the difference with its denominator (of decided sign on the domain) cleared: the same
        # root, but no pole for the bracket to straddle where the root lies outside the domain
        diff = self.expand(cut.cleared if cut.cleared is not None else cut.preference.difference)
        syms = self.space.order(diff.free_symbols | {cut.var})
        g = NumericFunction(diff, syms)
        others = [s.name for s in syms if s != cut.var]
        dom = self.space.by_symbol(cut.var).domain
        root, _ = find_root(lambda x, *values: g(**dict(zip(others, values)), **{cut.var.name: x}), n,
                            dom.lo, dom.hi, args=tuple(draws[s] for s in others), lo_open=dom.lo_open,
                            hi_open=dom.hi_open)
        return root

    def claim_by_id(self, claim_id: str) -> Claim:
        """The claim with this id."""
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise UnknownNameError(f"unknown claim {claim_id!r}; claims are: {', '.join(c.id for c in self.claims)}")

    # -- display ----------------------------------------------------------------------------
    def _repr_latex_(self) -> str:
        from .latex import model_summary_latex
        return model_summary_latex(self)

    def __repr__(self) -> str:
        return (f"<Model {self.name}: {len(self.domain.parameters)} parameters, "
                f"{len(self.quantities)} quantities, {len(self.claims)} claims>")
