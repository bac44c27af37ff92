r"""Payoffs, preferences, and cutoffs solved from indifference conditions.

A :class:`Game` holds each player's payoff at each terminal outcome.  A :class:`Preference`
"player :math:`i` weakly prefers :math:`A` to :math:`B`" (outcomes or lotteries over outcomes)
is the inequality :math:`D = u_i(A) - u_i(B) \ge 0`.

:func:`derive_cutoff` turns it into a cutoff in a chosen variable :math:`x`.  Writing
:math:`D = N/M` in lowest terms with :math:`M` of constant sign on the domain:

* if :math:`N` is linear in :math:`x`, :math:`N = a x + b`, the indifference :math:`D = 0` has
  the single root :math:`\hat x = -b/a` provided :math:`a \ne 0` on the whole domain, and
  :math:`D \ge 0 \iff x \ge \hat x` when :math:`a M > 0`, :math:`x \le \hat x` when :math:`a M < 0`;
  the sign of :math:`aM` is *decided* (z3) over the domain, not assumed;
* if :math:`N` is quadratic, both roots are formed and the one lying in :math:`x`'s domain is
  kept -- it must be provably unique;
* otherwise :func:`sympy.solve` runs in a child process with a time budget (a polynomial of
  degree three or more is factored instead, never solved by Cardano's formulas), and the real
  roots in the domain are filtered the same way;
* when no root is provably unique in the domain, a condition strictly monotone in :math:`x`
  (decided) has its unique root where the signs at the ends of :math:`x`'s interval differ: the
  cutoff is derived with that region as its ``defined_when``, in closed form where a candidate
  lies in the interval throughout the region, else as an implicit root
  (:mod:`symbolic.solvers.roots`).

The derivation raises :class:`~symbolic.errors.DerivationError` (one line) when the condition
does not depend on :math:`x`, the direction cannot be decided, or no unique root lies in the
domain.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Union

import sympy as sp

from .decide import NotEncodable, decide
from .domain import Domain
from .errors import DerivationError, ToolkitError, UnknownNameError
from .solvers.roots import factor_roots, monotone_root

Lottery = Union[str, Mapping[str, sp.Basic], sp.Basic]


class Game:
    """Players and their payoffs at each named outcome."""

    def __init__(self, players: tuple[str, ...], parse=sp.sympify, form=sp.sympify):
        self.players = tuple(players)
        self.outcomes: dict[str, dict[str, sp.Basic]] = {}
        self.forms: dict[str, dict[str, sp.Basic]] = {}
        self.descriptions: dict[str, str] = {}
        self._parse, self._form = parse, form

    def outcome(self, name: str, description: str = "", **payoffs) -> None:
        """Declare an outcome with one payoff per player, e.g. ``outcome("SQ", C=0, U=1, J="s")``.

        A payoff given as a string is shown in the report exactly in the order written.
        """
        missing = set(self.players) - set(payoffs)
        extra = set(payoffs) - set(self.players)
        if missing or extra:
            raise ValueError(f"outcome {name}: payoffs must be given for exactly {self.players}")
        def read(read_one, pl, v):
            if not isinstance(v, str):
                return sp.sympify(v)
            try:
                return read_one(v)
            except ToolkitError as exc:
                raise type(exc)(f"outcome {name}, {pl}'s payoff: {exc}") from None
        self.outcomes[name] = {pl: read(self._parse, pl, v) for pl, v in payoffs.items()}
        self.forms[name] = {pl: read(self._form, pl, v) for pl, v in payoffs.items()}
        self.descriptions[name] = description

    def payoff(self, player: str, outcome: str) -> sp.Basic:
        """``u_player(outcome)``."""
        if player not in self.players:
            raise UnknownNameError(f"unknown player {player!r}; players are {', '.join(self.players)}")
        if outcome not in self.outcomes:
            raise UnknownNameError(f"unknown outcome {outcome!r}; outcomes are {', '.join(self.outcomes)}")
        return self.outcomes[outcome][player]

    def expected(self, player: str, lottery: Lottery) -> sp.Basic:
        """Expected payoff of an outcome name, a ``{outcome: probability}`` lottery, or an expression."""
        if isinstance(lottery, str):
            return self.payoff(player, lottery)
        if isinstance(lottery, Mapping):
            return sp.Add(*[w * self.payoff(player, o) for o, w in lottery.items()])
        return sp.sympify(lottery)

    def prefers(self, player: str, better: Lottery, worse: Lottery, label: str = "") -> "Preference":
        """The preference "``player`` weakly prefers ``better`` to ``worse``"."""
        return Preference(self, player, better, worse, label)


@dataclass
class Preference:
    """``player`` weakly prefers ``better`` to ``worse``: ``u(better) - u(worse) >= 0``."""

    game: Game
    player: str
    better: Lottery
    worse: Lottery
    label: str = ""

    @property
    def better_payoff(self) -> sp.Basic:
        return self.game.expected(self.player, self.better)

    @property
    def worse_payoff(self) -> sp.Basic:
        return self.game.expected(self.player, self.worse)

    @property
    def difference(self) -> sp.Basic:
        return self.better_payoff - self.worse_payoff

    def weak(self) -> sp.Basic:
        """``u(better) >= u(worse)`` as a relational."""
        return sp.GreaterThan(self.better_payoff, self.worse_payoff, evaluate=False)

    def strict(self) -> sp.Basic:
        """``u(better) > u(worse)`` as a relational."""
        return sp.StrictGreaterThan(self.better_payoff, self.worse_payoff, evaluate=False)


@dataclass
class Condition:
    """A condition written directly as a relational (``lhs >= rhs``, ``lhs <= rhs``, strict or
    weak) rather than as a player's preference: it has the interface of a :class:`Preference`
    (``difference >= 0`` holds iff the condition does), so it can be solved into a cutoff."""

    relation: sp.Basic
    label: str = ""
    player: str = ""

    def __post_init__(self):
        rel = sp.sympify(self.relation)
        if not isinstance(rel, sp.Rel) or rel.rel_op in ("==", "!="):
            raise DerivationError(f"{rel} is not an inequality (give lhs >= rhs, lhs <= rhs, > or <)")
        self.relation = rel
        big, small = (rel.lhs, rel.rhs) if rel.rel_op in (">", ">=") else (rel.rhs, rel.lhs)
        self.better, self.worse = big, small

    @property
    def difference(self) -> sp.Basic:
        return self.better - self.worse

    def weak(self) -> sp.Basic:
        return sp.GreaterThan(self.better, self.worse, evaluate=False)

    def strict(self) -> sp.Basic:
        return sp.StrictGreaterThan(self.better, self.worse, evaluate=False)


@dataclass
class Cutoff:
    """A cutoff solved from an indifference condition.

    ``preference`` holds (weakly) iff ``var >= expr`` (``direction == '>='``) or ``var <= expr``.
    ``slope`` is the coefficient whose sign fixed the direction; ``steps`` are the displayed
    derivation steps as ``(kind, condition)`` pairs (kind: ``comparison``, ``collected``,
    ``solved``): the payoff comparison, the rearranged inequality, the cutoff condition; each is
    claimed equivalent to the one before (:meth:`Model.verify_steps` checks that).  ``factors``
    maps a step's kind to ``(verb, factor, sign, how the sign was decided)`` when that step
    multiplies or divides the one before by a factor other than 1 (``multiplied``: the payoff
    difference's denominator, made positive; ``divided``: the coefficient of ``var``).
    """

    name: str
    var: sp.Symbol
    expr: sp.Basic
    direction: str
    preference: Preference
    slope: sp.Basic
    direction_method: str
    steps: list = field(default_factory=list)
    factors: dict = field(default_factory=dict)
    defined_when: sp.Basic | None = None  # where the root lies in var's domain (derived), None: everywhere
    monotone: bool = False  # the root is unique because the condition is strictly monotone in var
    #: the payoff difference with its denominator of decided sign cleared (no poles): its root is the cutoff
    cleared: sp.Basic | None = None

    def condition(self, strict: bool = False) -> sp.Basic:
        """The preference as a condition on ``var``: e.g. ``c_U <= chat_U`` (``strict``: ``<``)."""
        if self.direction == ">=":
            return sp.StrictGreaterThan(self.var, self.expr) if strict else sp.GreaterThan(self.var, self.expr)
        return sp.StrictLessThan(self.var, self.expr) if strict else sp.LessThan(self.var, self.expr)


def _sign_over_domain(expr: sp.Basic, domain: Domain, timeout_ms: int) -> tuple[int, str]:
    """+1 or -1 when ``expr`` provably keeps that sign on the domain; 0 otherwise."""
    if expr.is_number:
        return (1 if expr > 0 else -1 if expr < 0 else 0), "constant"
    for sign, goal in ((1, expr > 0), (-1, expr < 0)):
        try:
            if decide(domain.conditions(expr.free_symbols), goal, timeout_ms).outcome == "proved":
                return sign, "z3 decision procedure"
        except NotEncodable:
            break
    return 0, "undecided"


def solve_with_budget(eq: sp.Basic, var: sp.Symbol, seconds: float = 20.0) -> list:
    """``sympy.solve(eq, var)`` in a child process, abandoned after ``seconds``."""
    from .solvers.budget import run_with_budget
    return run_with_budget(sp.solve, (eq, var), seconds, f"sympy.solve for {var}")


def derive_cutoff(name: str, preference: Preference, var: sp.Symbol, domain: Domain,
                  expand: Callable[[sp.Basic], sp.Basic] = lambda e: e,
                  timeout_ms: int = 10000, solve_seconds: float = 20.0,
                  var_relations: list | None = None, latex: str | None = None) -> Cutoff:
    """Solve ``preference``'s indifference for ``var``; see the module docstring.

    ``var_relations`` are ``var``'s bounds (default: its parameter domain's); ``latex`` names an
    implicit root in the report."""
    if var_relations is None:
        var_relations = domain.by_symbol(var).domain.relations(var)
    diff = sp.together(expand(preference.difference))
    num, den = sp.fraction(sp.cancel(diff))
    den_sign, den_method = _sign_over_domain(den, domain, timeout_ms)
    if den_sign == 0:
        raise DerivationError(f"{name}: the denominator {den} of the payoff difference changes sign or is undecided")
    if var not in num.free_symbols:
        raise DerivationError(f"{name}: the indifference condition does not depend on {var}")
    try:
        poly = sp.Poly(sp.expand(num), var)
        degree = poly.degree()
    except sp.PolynomialError:
        degree = None
    collected = sp.collect(sp.expand(num * den_sign), var)
    where, monotone = None, False
    steps = [("comparison", preference.weak()),
             ("collected", sp.GreaterThan(collected, 0))]

    if degree == 1:
        a, b = poly.all_coeffs()
        root = sp.factor(sp.cancel(-b / a))
        slope = sp.factor(a * den_sign)
        sign, method = _sign_over_domain(slope, domain, timeout_ms)
        if sign == 0:
            raise DerivationError(f"{name}: the coefficient of {var}, {slope}, may vanish or change sign on the domain")
    else:
        try:
            candidates = (_quadratic_roots(poly) if degree == 2 else factor_roots(num, var) if degree is not None
                          else solve_with_budget(sp.Eq(num, 0), var, solve_seconds))
        except DerivationError:  # sympy.solve's budget is spent: the root may still be implicit
            candidates = None
        try:
            root, sign, slope, method = _unique_root_in_domain(name, candidates or [], num * den_sign, var, domain,
                                                               timeout_ms, var_relations)
        except DerivationError as exc:
            found = monotone_root(name, num * den_sign, var, var_relations, domain, candidates, timeout_ms, latex)
            if found is None:
                raise exc from None
            root, sign, slope, method, where = found.root, found.slope_sign, found.slope, found.method, found.region
            monotone = True
    cut = Cutoff(name, var, root, ">=" if sign > 0 else "<=", preference, slope, method, defined_when=where,
                 monotone=monotone, cleared=num * den_sign)
    cut.steps = steps + [("solved", cut.condition())]
    if den * den_sign != 1:
        cut.factors["collected"] = ("multiplied", sp.factor(den * den_sign), 1, den_method)
    if degree == 1 and slope != 1:
        cut.factors["solved"] = ("divided", slope, sign, method)
    return cut


def _quadratic_roots(poly: sp.Poly) -> list:
    a, b, c = poly.all_coeffs()
    disc = sp.sqrt(b ** 2 - 4 * a * c)
    return [sp.simplify((-b - disc) / (2 * a)), sp.simplify((-b + disc) / (2 * a))]


def _unique_root_in_domain(name, candidates, signed_num, var, domain: Domain, timeout_ms, var_relations):
    inside = []
    for r in candidates:
        conds = [rel.subs(var, r) for rel in var_relations]
        goal = sp.And(*conds) if conds else sp.true
        try:
            if goal == sp.true or decide(domain.conditions(goal.free_symbols), goal, timeout_ms).outcome == "proved":
                inside.append(r)
        except NotEncodable:
            continue
    if len(inside) != 1:
        shown = str(candidates)
        shown = shown if len(shown) <= 160 else f"{len(candidates)} candidate roots (too long to show)"
        raise DerivationError(
            f"{name}: {len(inside)} roots provably in the domain of {var} (need exactly one), and the condition "
            f"is not provably monotone in {var}; candidates were {shown}")
    root = inside[0]
    slope = sp.diff(signed_num, var).subs(var, root)
    sign, method = _sign_over_domain(sp.simplify(slope), domain, timeout_ms)
    if sign == 0:
        raise DerivationError(f"{name}: cannot decide on which side of the root {var} the preference holds")
    return root, sign, slope, method
