r"""Normal-form (strategic) games: pure and mixed Nash equilibria, and Gambit's ``.nfg`` format.

A :class:`NormalFormGame` has players :math:`i`, finite action sets :math:`A_i` and payoffs
:math:`u_i(a)` for every profile :math:`a \in \prod_i A_i` (SymPy expressions or numbers).

* :meth:`NormalFormGame.pure_equilibria` -- every pure profile with no profitable unilateral
  deviation (any number of players; exact comparisons).
* :meth:`NormalFormGame.nash_equilibria` -- every Nash equilibrium, pure and mixed, of a
  two-player game with numeric payoffs, keyed by the game's own player and action names
  (:class:`NormalFormEquilibria`).  A normal-form game is the one-state stochastic game that
  returns to its state after every profile, with discount factor 0 (:meth:`as_stochastic`), so
  its stationary equilibria are exactly its Nash equilibria, and the exact support enumeration of
  :mod:`symbolic.games.stochastic` applies.  With discount 0 every condition is *linear* in the
  opponent's probabilities: for supports :math:`(S_1, S_2)` the equilibria are the product
  :math:`X \times Y`, where :math:`Y = \{y \in \Delta(S_2)^\circ : u_1(a, y) = u_1(a', y)\
  (a, a' \in S_1),\ u_1(b, y) \le u_1(a, y)\ (b \notin S_1)\}` (player 1's conditions on player
  2's mixture, the relative interior of the face of :math:`\Delta(S_2)`) and :math:`X` likewise --
  convex sets, each a point or a polytope's relative interior.  Their closures are faces of the
  best-response polytopes, so the vertices of the closures of all these products are exactly
  the game's *extreme* equilibria (the vertices of its maximal convex sets of equilibria: what
  vertex enumeration, e.g. Gambit's ``enummixed``, lists).  The result separates

  - equilibria isolated within their support pair, each saying whether it lies on a continuum
    (``on_continuum``: in the closure of a continuum of a support pair containing its own --
    then it is not an isolated equilibrium of the game), and
  - continua (:class:`NormalFormContinuum`): each support pair's positive-dimensional product,
    with the exact sets of each player's mixtures (intervals with exact end points, or polytopes
    given by their linear equalities, inequalities and exact vertices), its dimension, a witness
    and :meth:`~NormalFormContinuum.vertices`.

* :meth:`NormalFormGame.equilibria` -- the same as a :class:`symbolic.games.stochastic.EquilibriumSet`
  of the one-state game (keys ``("s", player)``), which the stochastic-game tools use.
* :meth:`NormalFormGame.to_nfg` -- the game in Gambit's outcome-based ``.nfg`` format (version 1,
  rational payoffs; the first player's strategy varies fastest in the outcome list).  Exact
  rationals are written as they are; floats become the exact rational of their decimal
  representation.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import sympy as sp

from ..errors import ToolkitError


class NormalFormGame:
    """A finite strategic game: ``actions[i]`` are player ``i``'s actions, ``payoffs[profile]``
    the payoff tuple (in player order) of each action profile."""

    def __init__(self, players: Sequence[str], actions: Sequence[Sequence[str]],
                 payoffs: Mapping[tuple, Sequence], name: str = "game"):
        self.players = tuple(players)
        self.actions = tuple(tuple(a) for a in actions)
        if len(self.actions) != len(self.players):
            raise ValueError("give one action list per player")
        self.name = name
        self.payoffs = {}
        for prof in self.profiles():
            if prof not in payoffs:
                raise ValueError(f"no payoffs for profile {prof}")
            u = tuple(sp.sympify(x) for x in payoffs[prof])
            if len(u) != len(self.players):
                raise ValueError(f"profile {prof}: give one payoff per player")
            self.payoffs[prof] = u

    @classmethod
    def bimatrix(cls, A, B, row_actions=None, col_actions=None, players=("1", "2"), name="game"):
        """A two-player game from the row player's matrix ``A`` and the column player's ``B``."""
        A, B = sp.Matrix(A), sp.Matrix(B)
        if A.shape != B.shape:
            raise ValueError("A and B must have the same shape")
        rows = tuple(row_actions or [str(k + 1) for k in range(A.rows)])
        cols = tuple(col_actions or [str(k + 1) for k in range(A.cols)])
        pay = {(r, c): (A[i, j], B[i, j]) for i, r in enumerate(rows) for j, c in enumerate(cols)}
        return cls(players, (rows, cols), pay, name)

    def profiles(self) -> list[tuple]:
        """Every pure action profile."""
        return list(itertools.product(*self.actions))

    def subs(self, values: Mapping) -> "NormalFormGame":
        """A copy with ``values`` substituted (symbols or their names -> numbers)."""
        from .stochastic import exact
        syms = set().union(*[u.free_symbols for v in self.payoffs.values() for u in v])
        names = {s.name: s for s in syms}
        sub = {(names.get(k) if isinstance(k, str) else k): exact(v) for k, v in values.items()}
        sub.pop(None, None)
        return NormalFormGame(self.players, self.actions,
                              {p: tuple(u.xreplace(sub) for u in v) for p, v in self.payoffs.items()}, self.name)

    # -- equilibria ------------------------------------------------------------------------
    def pure_equilibria(self) -> list[tuple]:
        """Every pure Nash equilibrium (exact comparisons; payoffs must be numbers)."""
        out = []
        for prof in self.profiles():
            stable = True
            for i in range(len(self.players)):
                for a in self.actions[i]:
                    dev = prof[:i] + (a,) + prof[i + 1:]
                    gain = _rationalise(self.payoffs[dev][i] - self.payoffs[prof][i])
                    if gain.free_symbols:
                        raise ToolkitError("pure_equilibria needs numeric payoffs")
                    if _sign(gain) > 0:
                        stable = False
                        break
                if not stable:
                    break
            if stable:
                out.append(prof)
        return out

    def as_stochastic(self):
        """The one-state stochastic game with discount 0 whose stationary equilibria are this
        game's Nash equilibria."""
        from .stochastic import StochasticGame
        g = StochasticGame(self.players, ("s",), 0, name=self.name)
        g.set_actions("s", *self.actions)
        for prof, u in self.payoffs.items():
            g.stage("s", prof, u, "s")
        return g

    def equilibria(self):
        """Every Nash equilibrium of a two-player numeric game, as a
        :class:`symbolic.games.stochastic.EquilibriumSet` of the one-state game :meth:`as_stochastic`
        (keys ``("s", player)``; isolated equilibria, each with ``on_continuum``, and continua).
        :meth:`nash_equilibria` gives the same keyed by the game's own names."""
        if len(self.players) != 2:
            raise ToolkitError("mixed equilibria are enumerated for two-player games")
        return self.as_stochastic().equilibria()

    def nash_equilibria(self) -> "NormalFormEquilibria":
        """Every Nash equilibrium of a two-player numeric game (see the module docstring), keyed
        by the game's player and action names."""
        return NormalFormEquilibria.from_set(self, self.equilibria())

    def mixed_equilibria(self, include_on_continuum: bool = False) -> list[tuple[dict, ...]]:
        """The isolated equilibria as ``(sigma_1, sigma_2)``, each ``{action: exact probability}``
        over all of the player's actions.  A game with continua of equilibria is fine: only the
        equilibria that are isolated points of the whole equilibrium set are returned, and with
        ``include_on_continuum`` also those isolated within their support pair that are end points
        or vertices of a continuum.  The continua themselves: :meth:`continua`."""
        res = self.nash_equilibria()
        eqs = res.equilibria if include_on_continuum else res.isolated()
        return [e.as_tuple(self) for e in eqs]

    def continua(self) -> list["NormalFormContinuum"]:
        """The continua of equilibria (positive-dimensional sets, one per support pair and
        connected piece); empty for a non-degenerate game."""
        return self.nash_equilibria().continua

    # -- export --------------------------------------------------------------------------------
    def to_nfg(self, title: str | None = None, comment: str = "") -> str:
        """The game in Gambit's outcome-based ``.nfg`` format (payoffs must be rational numbers)."""
        def q(text):
            return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

        def num(x):
            x = _rationalise(x)   # never nsimplify: it turns some exact rationals into radicals
            if not x.is_Rational:
                raise ToolkitError(f"the .nfg format needs rational payoffs, got {x}")
            return str(x)

        lines = [f"NFG 1 R {q(title or self.name)} {{ " + " ".join(q(p) for p in self.players) + " }", ""]
        lines.append("{ " + "\n".join("{ " + " ".join(q(a) for a in acts) + " }" for acts in self.actions) + "\n}")
        lines.append(q(comment))
        lines.append("")
        lines.append("{")
        # Gambit's order: the first player's strategy varies fastest
        order = [tuple(reversed(p)) for p in itertools.product(*reversed(self.actions))]
        for prof in order:
            lines.append("{ " + q("".join(prof)) + " " + ", ".join(num(u) for u in self.payoffs[prof]) + " }")
        lines.append("}")
        lines.append(" ".join(str(k + 1) for k in range(len(order))))
        return "\n".join(lines) + "\n"


def parse_nfg_payoffs(text: str) -> list[list[sp.Rational]]:
    """The outcome payoff lists of an outcome-based ``.nfg`` file, in file order (for tests)."""
    import re
    body = text[text.index("{", text.index('"', text.index("}", text.index("{ { ")) + 1)):]
    return [[sp.Rational(x) for x in re.split(r"[,\s]+", m.strip()) if x]
            for m in re.findall(r'\{ "[^"]*" ([^}]*)\}', body)]


# =============================================================================================
# Results keyed by the game's own names
# =============================================================================================
@dataclass
class NormalFormEquilibrium:
    """One Nash equilibrium isolated within its support pair: ``strategy[player][action]`` (exact
    probability, every action of the player, zeros included), ``payoff[player]`` (exact expected
    payoff), ``support[player]`` (the actions played with positive probability).
    ``on_continuum``: False -- an isolated equilibrium of the game; True -- an end point or vertex
    of the continua with indices ``continua`` (into :attr:`NormalFormEquilibria.continua`); None --
    undecided (not for normal-form games, whose conditions are linear)."""

    strategy: dict
    payoff: dict
    support: dict
    on_continuum: bool | None = False
    continua: tuple = ()

    def probability(self, player: str, action: str) -> float:
        """``sigma_player(action)`` as a float."""
        return float(self.strategy[player][action])

    def is_pure(self) -> bool:
        """Whether each player plays a single action."""
        return all(len(s) == 1 for s in self.support.values())

    def as_tuple(self, game: "NormalFormGame") -> tuple[dict, ...]:
        """``(sigma_1, sigma_2)``, each ``{action: exact probability}`` in the game's action order."""
        return tuple({a: self.strategy[pl][a] for a in acts} for pl, acts in zip(game.players, game.actions))

    def as_json(self) -> dict:
        """Exact probabilities and payoffs as strings, with floats."""
        return {"strategy": {pl: {a: str(p) for a, p in mix.items()} for pl, mix in self.strategy.items()},
                "probabilities": {pl: {a: float(p) for a, p in mix.items()} for pl, mix in self.strategy.items()},
                "payoff": {pl: str(v) for pl, v in self.payoff.items()},
                "support": {pl: list(s) for pl, s in self.support.items()},
                "on_continuum": self.on_continuum, "continua": list(self.continua)}


@dataclass
class NormalFormContinuum:
    """A continuum of Nash equilibria in one support pair: the product over the players of the
    sets ``sets[player]`` of that player's mixtures (:class:`symbolic.games.stochastic.HalfSet`;
    its unknowns are the player's probabilities of ``coordinates`` ``("s", action)`` -- every
    support action but the last; its conditions are the *other* player's indifference and
    no-deviation conditions, linear in the unknowns).  ``dimension`` is the dimension of the set
    (the sum over the players), ``witness`` an exact member, ``description`` the set in words;
    ``stochastic`` the underlying :class:`symbolic.games.stochastic.Continuum`."""

    support: dict
    sets: dict
    dimension: int | None
    witness: NormalFormEquilibrium | None
    description: str
    stochastic: object = field(repr=False, default=None)

    def _as_stochastic(self, strategy: Mapping) -> dict:
        return {("s", pl): dict(mix) for pl, mix in strategy.items()}

    def contains(self, strategy: Mapping) -> bool:
        """Whether the profile ``strategy[player][action]`` (exact numbers) belongs to the
        continuum (exact)."""
        return self.stochastic.contains(self._as_stochastic(strategy))

    def closure_contains(self, strategy: Mapping) -> bool | None:
        """Whether ``strategy`` lies in the continuum's closure (exact for normal-form games)."""
        return self.stochastic.closure_contains(self._as_stochastic(strategy))

    def vertices(self, game: "NormalFormGame") -> list[dict] | None:
        """The vertices of the closure as profiles ``{player: {action: probability}}`` (every
        action of ``game``, zeros included): extreme equilibria of the game."""
        verts = self.stochastic.vertices()
        if verts is None:
            return None
        return [_named(game, v) for v in verts]

    def as_json(self) -> dict:
        """The continuum as data."""
        return {"support": {pl: list(s) for pl, s in self.support.items()}, "dimension": self.dimension,
                "description": self.description, "sets": {pl: h.as_json() for pl, h in self.sets.items()},
                "witness": self.witness.as_json() if self.witness is not None else None}


def _named(game: "NormalFormGame", strategy: Mapping) -> dict:
    """``{player: {action: probability}}`` from a one-state stochastic profile."""
    return {pl: {a: sp.sympify(strategy[("s", pl)].get(a, 0)) for a in acts}
            for pl, acts in zip(game.players, game.actions)}


@dataclass
class NormalFormEquilibria:
    """Every Nash equilibrium of a two-player numeric game, keyed by the game's names:
    ``equilibria`` (isolated within their support pair; see
    :attr:`NormalFormEquilibrium.on_continuum`) and ``continua``; ``stochastic`` the underlying
    :class:`symbolic.games.stochastic.EquilibriumSet`."""

    game: NormalFormGame
    equilibria: list = field(default_factory=list)
    continua: list = field(default_factory=list)
    stochastic: object = field(repr=False, default=None)

    @classmethod
    def from_set(cls, game: NormalFormGame, eqs) -> "NormalFormEquilibria":
        """Translate an :class:`~symbolic.games.stochastic.EquilibriumSet` of
        ``game.as_stochastic()``."""
        def one(e):
            return NormalFormEquilibrium(_named(game, e.strategy), {pl: e.values[("s", pl)] for pl in game.players},
                                         {pl: tuple(e.support[("s", pl)]) for pl in game.players},
                                         e.on_continuum, tuple(e.continua))
        out = cls(game, [one(e) for e in eqs.equilibria], [], eqs)
        for c in eqs.continua:
            sets = {h.opponent: h for h in c.halves}
            out.continua.append(NormalFormContinuum({pl: tuple(c.support[("s", pl)]) for pl in game.players},
                                                    sets, c.dimension,
                                                    one(c.witness) if c.witness is not None else None,
                                                    "; ".join(_describe_set(pl, c.support[("s", pl)], sets[pl])
                                                              for pl in game.players), c))
        return out

    def isolated(self) -> list[NormalFormEquilibrium]:
        """The isolated equilibria of the game (``on_continuum`` False)."""
        return [e for e in self.equilibria if e.on_continuum is False]

    def extreme_points(self) -> list[dict]:
        """Every extreme equilibrium, ``{player: {action: probability}}``: the equilibria isolated
        in their support pair and the vertices of the continua's closures, without repetition."""
        return [_named(self.game, s) for s in self.stochastic.extreme_points()]

    def describe(self) -> str:
        """A human-readable listing."""
        lines = [f"{len(self.isolated())} isolated equilibria, {len(self.equilibria) - len(self.isolated())} "
                 f"more on continua, {len(self.continua)} continua"]
        for k, e in enumerate(self.equilibria, 1):
            mix = "; ".join(f"{pl}: " + ", ".join(f"{a} {p}" for a, p in e.strategy[pl].items() if p != 0)
                            for pl in self.game.players)
            where = f" (on continuum {', '.join(str(c + 1) for c in e.continua)})" if e.on_continuum else ""
            lines.append(f"[{k}] {mix}{where}")
        for k, c in enumerate(self.continua, 1):
            lines.append(f"[continuum {k}] dimension {c.dimension}: {c.description}")
        return "\n".join(lines)

    def as_json(self) -> dict:
        """Equilibria and continua as data."""
        return {"equilibria": [e.as_json() for e in self.equilibria],
                "continua": [c.as_json() for c in self.continua]}


def _describe_set(player: str, support: Sequence[str], h) -> str:
    """One player's set of mixtures in words (exact numbers)."""
    if len(support) == 1:
        return f"{player} plays {support[0]}"
    acts = ", ".join(support)

    def mix(coords):
        probs = list(coords) + [1 - sum(coords)]
        return "(" + ", ".join(f"{a} {sp.sympify(p)}" for a, p in zip(support, probs)) + ")"
    if h.kind == "point":
        return f"{player} plays {mix(h.point)}"
    if h.kind == "interval":
        return f"{player} mixes {acts} with P({support[0]}) in {h.interval}"
    if h.kind == "polyhedron":
        return (f"{player} mixes {acts} over a {h.dimension}-dimensional polytope (closure) with vertices "
                + ", ".join(mix(v) for v in h.vertices))
    return f"{player} mixes {acts}: {h.describe()}"


def _rationalise(x):
    from .stochastic import _rationalise as r
    return r(x)


def _sign(x) -> int:
    from .stochastic import _sign as s
    return s(x)


__all__ = ["NormalFormGame", "NormalFormEquilibrium", "NormalFormContinuum", "NormalFormEquilibria",
           "parse_nfg_payoffs"]
