r"""A named stationary profile of a stochastic game, as the model derives it.

For a stationary profile :math:`\sigma` of a discounted stochastic game (:mod:`.stochastic`):

* the **values** solve :math:`V = u^\sigma + \delta P^\sigma V` (closed form, one per state and
  player);
* the **one-shot-deviation conditions** are :math:`V_i(s) \ge Q_i(s, a)` for every state, player
  and action not played with probability one (each a :class:`~.stochastic.Deviation`, usable as a
  preference in :meth:`symbolic.Model.cutoff`: a threshold in any parameter, denominators of
  decided sign cleared by the cutoff derivation);
* the **MPE region** is their conjunction, written simply (:func:`symbolic.solvers.simplify_condition`:
  denominators and factors of decided sign cleared, conditions that hold on the whole domain
  dropped): by the one-shot deviation principle, :math:`\sigma` is a stationary Markov perfect
  equilibrium exactly where it holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .stochastic import Deviation, StochasticGame, Strategy


@dataclass
class StationaryProfile:
    """``name``'d profile ``strategy`` of ``game``: ``values[(state, player)]`` (expressions),
    ``deviations`` (every one-shot-deviation condition), ``region`` (where it is an MPE; ``True``:
    everywhere on the domain, ``False``: nowhere) and ``quantities`` (the model quantities of the
    non-constant values, by (state, player))."""

    game: StochasticGame
    name: str
    strategy: Strategy
    values: dict
    deviations: list[Deviation]
    region: sp.Basic
    quantities: dict = field(default_factory=dict)
    description: str = ""

    def deviation(self, state: str, player: str, action: str) -> Deviation:
        """The one-shot-deviation condition of ``player`` playing ``action`` once in ``state``."""
        for d in self.deviations:
            if (d.state, d.player, d.action) == (state, player, action):
                return d
        known = ", ".join(f"({d.state}, {d.player}, {d.action})" for d in self.deviations)
        raise KeyError(f"profile {self.name} has no deviation ({state}, {player}, {action}); it has: {known}")

    def play(self, state: str) -> tuple:
        """The (pure) action profile played in ``state``, or the mixtures as dicts."""
        out = []
        for pl in self.game.players:
            mix = self.strategy[(state, pl)]
            out.append(next(iter(mix)) if len(mix) == 1 else dict(mix))
        return tuple(out)


def mpe_region(deviations: list[Deviation], hypotheses: list, timeout_ms: int = 5000) -> sp.Basic:
    """The conjunction of the deviation conditions, written simply over ``hypotheses``."""
    from ..solvers.regions import simplify_condition

    conds = [c for c in (sp.GreaterThan(d.difference, 0) for d in deviations) if c is not sp.true]
    if any(c is sp.false for c in conds):
        return sp.false
    return simplify_condition(sp.And(*conds), hypotheses, timeout_ms) if conds else sp.true


__all__ = ["StationaryProfile", "mpe_region"]
