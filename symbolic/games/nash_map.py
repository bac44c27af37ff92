r"""Every Nash equilibrium of a finite two-player game with symbolic payoffs, as a function of
the parameters: the equilibrium map.

Players 1 and 2 have finite action sets :math:`A_1, A_2` and payoffs :math:`u_i(a_1, a_2; \theta)`,
expressions in parameters :math:`\theta \in \mathcal D`.  For every pair of supports
:math:`(S_1, S_2)`, :math:`S_i \subseteq A_i`, with :math:`|S_1| = |S_2|` (pure profiles are the
supports of size one):

* player 2's mixed action :math:`\sigma_2` on :math:`S_2` makes player 1 indifferent on
  :math:`S_1`: :math:`u_1(a, \sigma_2) = u_1(a', \sigma_2)` for :math:`a, a' \in S_1` and
  :math:`\sum_{b \in S_2} \sigma_2(b) = 1` -- a square linear system, solved by elimination
  (:mod:`symbolic.solvers.systems`) where its determinant is non-zero; likewise :math:`\sigma_1`;
* the profile is an equilibrium where every probability on the support is positive and no
  unused action pays more: :math:`u_1(a, \sigma_2) \le u_1(S_1, \sigma_2)` for :math:`a \notin S_1`
  and the same for player 2.

That conjunction is the equilibrium's *region*; z3 decides whether it is all of
:math:`\mathcal D`, empty (the support pair is dropped, with the reason) or a proper part, and the
region is written simply (:mod:`symbolic.solvers.regions`).  At every parameter value where the
game is non-degenerate each equilibrium has supports of equal size, so the list is complete
there; supports of unequal size carry equilibria only on lower-dimensional sets of parameters
(ties between payoffs), where continua of equilibria can appear -- those are enumerated exactly at
given numbers by :meth:`symbolic.games.normal_form.NormalFormGame.equilibria`.
:attr:`EquilibriumMap.covers` says whether z3 proved that some equilibrium exists at every point
of the domain (it must, by Nash's theorem, up to the degenerate set).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import sympy as sp

from ..errors import DerivationError
from ..solvers.regions import classify, simplify_condition
from ..solvers.systems import _linear, tidy


@dataclass
class NashEquilibrium:
    """One equilibrium of the map: ``strategy[player][action]`` (expressions), each player's
    expected ``payoff``, the ``support`` per player, and the ``region`` of parameters where it is
    an equilibrium (``status``: ``always``, ``sometimes`` or ``undecided``)."""

    support: dict
    strategy: dict
    payoff: dict
    region: sp.Basic
    status: str

    @property
    def pure(self) -> bool:
        return all(len(s) == 1 for s in self.support.values())

    def describe(self) -> str:
        """``(cheat, not)`` for a pure profile, else the supports."""
        parts = []
        for acts in self.support.values():
            parts.append(acts[0] if len(acts) == 1 else "mix(" + ", ".join(acts) + ")")
        return "(" + ", ".join(parts) + ")"


@dataclass
class EquilibriumMap:
    """Every equilibrium of a game with symbolic payoffs, each with its region; ``dropped`` the
    support pairs with no region, and why; ``covers`` whether the regions together provably
    cover the domain."""

    game: object
    equilibria: list[NashEquilibrium] = field(default_factory=list)
    dropped: list = field(default_factory=list)
    covers: bool | None = None

    @property
    def mixed(self) -> list[NashEquilibrium]:
        return [e for e in self.equilibria if not e.pure]

    @property
    def pure(self) -> list[NashEquilibrium]:
        return [e for e in self.equilibria if e.pure]

    def find(self, **supports) -> NashEquilibrium:
        """The equilibrium with these supports: ``find(Agent=["comply", "cheat"], Inspector=[...])``."""
        for e in self.equilibria:
            if all(sorted(e.support[p]) == sorted(v) for p, v in supports.items()):
                return e
        raise DerivationError(f"no equilibrium with supports {supports}; the map has "
                              + ", ".join(e.describe() for e in self.equilibria))

    def cross_check(self, equilibrium: NashEquilibrium, player: str, action: str, limit: int = 60):
        """An independent check of ``equilibrium.strategy[player][action]`` for
        :meth:`symbolic.model.Model.derived`: at the first ``limit`` draws inside the region, the
        numeric game is enumerated exactly (:meth:`NormalFormGame.nash_equilibria`, which never
        looks at the map) and the probability of the equilibrium with the same supports is
        returned; NaN at the other draws."""
        game = self.game
        region = equilibrium.region
        syms = sorted(set().union(*[sp.sympify(u).free_symbols for v in game.payoffs.values() for u in v])
                      | region.free_symbols, key=lambda x: x.name)

        def check(model, draws):
            from fractions import Fraction

            import numpy as np

            n = len(next(iter(draws.values())))
            out = np.full(n, np.nan)
            done = 0
            for i in range(n):
                point = {x: sp.Rational(Fraction(float(draws[x.name][i]))) for x in syms}
                try:
                    inside = region.xreplace(point) is sp.true
                except (TypeError, ZeroDivisionError):
                    inside = False
                if not inside:
                    continue
                for e in game.subs(point).nash_equilibria().equilibria:
                    if all(sorted(e.support[p]) == sorted(equilibrium.support[p]) for p in game.players):
                        out[i] = float(e.strategy[player][action])
                done += 1
                if done >= limit:
                    break
            return out

        check.__doc__ = "exact support enumeration of the numeric game at draws in the region"
        check.tol = 1e-12
        return check

    def at(self, values: Mapping) -> list[NashEquilibrium]:
        """The equilibria whose region holds at ``values`` (symbol or name -> number), with their
        strategies evaluated there."""
        syms = {s.name: s for e in self.equilibria for s in e.region.free_symbols}
        for e in self.equilibria:
            for d in e.strategy.values():
                for v in d.values():
                    syms.update({s.name: s for s in sp.sympify(v).free_symbols})
        point = {(syms.get(k, k) if isinstance(k, str) else k): sp.nsimplify(v) for k, v in values.items()}
        out = []
        for e in self.equilibria:
            try:
                holds = sp.sympify(e.region).xreplace(point)
            except (TypeError, ZeroDivisionError):  # a vanishing determinant: not this support pair
                continue
            if holds is not sp.true:
                continue
            strategy = {pl: {a: sp.sympify(p).xreplace(point) for a, p in d.items()} for pl, d in e.strategy.items()}
            payoff = {pl: sp.sympify(v).xreplace(point) for pl, v in e.payoff.items()}
            out.append(NashEquilibrium(e.support, strategy, payoff, sp.true, "always"))
        return out


def _expected(u, row: Mapping, col: Mapping, player: int):
    return sp.Add(*[row[a] * col[b] * u[(a, b)][player] for a in row for b in col])


def _mix(game, own_support, other_support, player, hypotheses):
    """The opponent's mixed action on ``other_support`` making ``player`` indifferent on ``own_support``."""
    probs = {b: sp.Dummy(f"p_{b}") for b in other_support}
    eqs = [sp.Add(*probs.values()) - 1]
    pay = {}
    for a in own_support:
        if player == 0:
            pay[a] = sp.Add(*[probs[b] * game.payoffs[(a, b)][0] for b in other_support])
        else:
            pay[a] = sp.Add(*[probs[b] * game.payoffs[(b, a)][1] for b in other_support])
    first = own_support[0]
    eqs += [pay[a] - pay[first] for a in own_support[1:]]
    found, _, _ = _linear(eqs, list(probs.values()), hypotheses, 5000)
    values, extra = found[0]
    return {b: values[probs[b]] for b in other_support}, extra


def equilibrium_map(game, hypotheses: Sequence[sp.Basic], max_support: int | None = None,
                    timeout_ms: int = 5000) -> EquilibriumMap:
    """The :class:`EquilibriumMap` of a two-player :class:`NormalFormGame` whose payoffs are
    expressions in parameters constrained by ``hypotheses`` (see the module docstring)."""
    if len(game.players) != 2:
        raise DerivationError("the equilibrium map is derived for two-player games")
    A1, A2 = game.actions
    p1, p2 = game.players
    top = min(len(A1), len(A2)) if max_support is None else max_support
    out = EquilibriumMap(game)
    for size in range(1, top + 1):
        for S1 in itertools.combinations(A1, size):
            for S2 in itertools.combinations(A2, size):
                try:
                    sigma2, det2 = _mix(game, list(S1), list(S2), 0, hypotheses)
                    sigma1, det1 = _mix(game, list(S2), list(S1), 1, hypotheses)
                except DerivationError as exc:
                    out.dropped.append(((S1, S2), str(exc)))
                    continue
                row = {a: sigma1.get(a, sp.Integer(0)) for a in A1}
                col = {b: sigma2.get(b, sp.Integer(0)) for b in A2}
                v1 = _expected(game.payoffs, {S1[0]: 1}, col, 0)
                v2 = _expected(game.payoffs, row, {S2[0]: 1}, 1)
                conds = [det1, det2]
                if size > 1:
                    conds += [sp.sympify(row[a]) > 0 for a in S1] + [sp.sympify(col[b]) > 0 for b in S2]
                conds += [_expected(game.payoffs, {a: 1}, col, 0) <= v1 for a in A1 if a not in S1]
                conds += [_expected(game.payoffs, row, {b: 1}, 1) <= v2 for b in A2 if b not in S2]
                region = sp.And(*conds)
                status = classify(region, hypotheses, timeout_ms)
                if status == "never":
                    out.dropped.append(((S1, S2), "no parameter values make it an equilibrium"))
                    continue
                region = sp.true if status == "always" else simplify_condition(region, hypotheses, timeout_ms)
                if region is sp.false:
                    out.dropped.append(((S1, S2), "no parameter values make it an equilibrium"))
                    continue
                strategy = {p1: {a: tidy(row[a]) for a in A1}, p2: {b: tidy(col[b]) for b in A2}}
                payoff = {p1: tidy(v1), p2: tidy(v2)}
                out.equilibria.append(NashEquilibrium({p1: list(S1), p2: list(S2)}, strategy, payoff, region, status))
    if out.equilibria:
        out.covers = classify(sp.Or(*[e.region for e in out.equilibria]), hypotheses, timeout_ms) == "always"
    return out


__all__ = ["EquilibriumMap", "NashEquilibrium", "equilibrium_map"]
