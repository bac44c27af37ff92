r"""Normal-form (strategic) games: pure and mixed Nash equilibria, and Gambit's ``.nfg`` format.

A :class:`NormalFormGame` has players :math:`i`, finite action sets :math:`A_i` and payoffs
:math:`u_i(a)` for every profile :math:`a \in \prod_i A_i` (SymPy expressions or numbers).

* :meth:`NormalFormGame.pure_equilibria` -- every pure profile with no profitable unilateral
  deviation (any number of players; exact comparisons).
* :meth:`NormalFormGame.equilibria` -- every Nash equilibrium, pure and mixed, of a two-player
  game with numeric payoffs.  A normal-form game is the one-state stochastic game that returns to
  its state after every profile, with discount factor 0, so its stationary equilibria are exactly
  its Nash equilibria; the exact support enumeration of :mod:`symbolic.games.stochastic` finds every
  isolated equilibrium and reports positive-dimensional sets (degenerate games) as continua
  instead of dropping them.
* :meth:`NormalFormGame.to_nfg` -- the game in Gambit's outcome-based ``.nfg`` format (version 1,
  rational payoffs; the first player's strategy varies fastest in the outcome list).
"""
from __future__ import annotations

import itertools
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
                    gain = sp.nsimplify(self.payoffs[dev][i] - self.payoffs[prof][i])
                    if gain.free_symbols:
                        raise ToolkitError("pure_equilibria needs numeric payoffs")
                    if gain > 0:
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
        :class:`symbolic.games.stochastic.EquilibriumSet` of the one-state game (isolated equilibria
        and continua)."""
        if len(self.players) != 2:
            raise ToolkitError("mixed equilibria are enumerated for two-player games")
        return self.as_stochastic().equilibria()

    def mixed_equilibria(self) -> list[tuple[dict, dict]]:
        """The isolated equilibria as ``(sigma_1, sigma_2)``, each ``{action: exact probability}``;
        raises ToolkitError if the game has a continuum of equilibria (use :meth:`equilibria`)."""
        eqs = self.equilibria()
        if eqs.continua:
            raise ToolkitError(f"{self.name} has a continuum of equilibria; see equilibria().continua")
        out = []
        for e in eqs.equilibria:
            out.append(tuple({a: e.strategy[("s", pl)].get(a, sp.Integer(0)) for a in self.actions[i]}
                             for i, pl in enumerate(self.players)))
        return out

    # -- export --------------------------------------------------------------------------------
    def to_nfg(self, title: str | None = None, comment: str = "") -> str:
        """The game in Gambit's outcome-based ``.nfg`` format (payoffs must be rational numbers)."""
        def q(text):
            return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

        def num(x):
            x = sp.nsimplify(x)
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


__all__ = ["NormalFormGame", "parse_nfg_payoffs"]
