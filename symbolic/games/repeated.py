r"""Infinitely repeated games as stochastic games on the states of an automaton.

A stage game :math:`G` (players :math:`i`, actions :math:`A_i`, payoffs :math:`u(a)`) is repeated
with a common discount factor :math:`\delta`.  A strategy profile given by an *automaton* --
states :math:`W`, an initial state :math:`w_0`, an output :math:`f(w) \in A` and a transition
:math:`\tau(w, a)` -- turns the repeated game into a stochastic game whose states are :math:`W`:
in state :math:`w` the stage game is :math:`G`, and the profile :math:`a` moves play to
:math:`\tau(w, a)` (or to a lottery over states).  The automaton's own play :math:`f` is a
stationary profile of that stochastic game, and by the one-shot deviation principle it is a
subgame-perfect equilibrium of the repeated game iff it is a stationary Markov perfect equilibrium
of the stochastic game: every history leads to some automaton state, and the one-shot deviations
in every state (reached or not) are exactly the one-shot deviations after every history.  The
stochastic game's other stationary equilibria (:meth:`StochasticGame.equilibria`) are the other
equilibria that condition on the automaton's state only.

Automata (``c`` is the cooperative profile, ``p`` the punishment profile, usually a stage Nash
equilibrium):

* ``grim trigger`` -- :math:`W = \{\text{cooperate}, \text{punish}\}`; any profile other than
  ``c`` in *cooperate* moves to *punish*, which is absorbing;
* ``k-period punishment`` -- *cooperate*, *punish_1* ... *punish_k*: a profile other than ``c``
  in *cooperate* starts the punishment, which lasts ``periods`` periods whatever is played, then
  cooperation resumes;
* ``forgiveness`` -- grim trigger, except that *punish* returns to *cooperate* with probability
  ``forgive`` each period;
* ``tit-for-tat`` (two players) -- :math:`W = A` (last period's profile, starting from ``c``): in
  state :math:`(a_1, a_2)` player 1 plays :math:`a_2` and player 2 plays :math:`a_1`, and the
  profile played becomes the state.

Each of them, for a prisoner's dilemma :math:`T > R > P > S`, gives the textbook threshold: grim
trigger is an equilibrium iff :math:`\delta \ge (T - R)/(T - P)`.
"""
from __future__ import annotations

import itertools
from typing import Callable, Mapping, Sequence

import sympy as sp

from .stochastic import Profile, StochasticGame, Strategy

AUTOMATA = ("grim trigger", "k-period punishment", "forgiveness", "tit-for-tat")


class RepeatedGame(StochasticGame):
    """A repeated stage game as a :class:`StochasticGame` on an automaton's states; ``profile``
    is the automaton's own stationary profile (a subgame-perfect equilibrium of the repeated game
    iff it is a stationary MPE of this game, see the module docstring)."""

    automaton: str = ""
    profile: Strategy = None


def _state_name(profile: Profile) -> str:
    return "".join(profile) if all(len(a) == 1 for a in profile) else "-".join(profile)


def repeated_game(players: Sequence[str], actions: Sequence[Sequence[str]], stage: Mapping[Profile, Sequence],
                  discount, automaton: str = "grim trigger", cooperate: Profile | None = None,
                  punish: Profile | None = None, periods: int = 1, forgive=None, name: str = "repeated",
                  read: Callable = sp.sympify) -> RepeatedGame:
    """The infinitely repeated ``stage`` game (profile -> payoffs in player order, each read with
    ``read``) under ``automaton`` (one of :data:`AUTOMATA`); ``cooperate`` defaults to every
    player's first action, ``punish`` to every player's last.  Raises ValueError for an unknown
    automaton, a missing profile or an impossible option."""
    players = tuple(players)
    actions = tuple(tuple(a) for a in actions)
    if len(actions) != len(players):
        raise ValueError(f"give one action list per player ({len(players)} players)")
    if automaton not in AUTOMATA:
        raise ValueError(f"unknown automaton {automaton!r}; automata are: {', '.join(AUTOMATA)}")
    profiles = list(itertools.product(*actions))
    missing = [a for a in profiles if tuple(a) not in {tuple(k) for k in stage}]
    if missing:
        raise ValueError(f"the stage game has no payoffs for {missing[0]}")
    payoffs = {tuple(k): tuple(read(u) if isinstance(u, str) else sp.sympify(u) for u in v) for k, v in stage.items()}
    c = tuple(cooperate) if cooperate is not None else tuple(a[0] for a in actions)
    p = tuple(punish) if punish is not None else tuple(a[-1] for a in actions)
    for prof, what in ((c, "cooperate"), (p, "punish")):
        if prof not in profiles:
            raise ValueError(f"{what}={prof} is not an action profile of the stage game")

    if automaton == "tit-for-tat":
        if len(players) != 2:
            raise ValueError("tit-for-tat is defined for two players")
        states = {_state_name(a): a for a in profiles}
        play = {w: (a[1], a[0]) for w, a in states.items()}
        if any(x not in A for w in play for x, A in zip(play[w], actions)):
            raise ValueError("tit-for-tat needs both players to have the same actions")
        move = {w: {a: _state_name(a) for a in profiles} for w in states}
        start = _state_name(c)
    else:
        if automaton == "k-period punishment":
            if not isinstance(periods, int) or periods < 1:
                raise ValueError(f"periods must be a positive whole number (got {periods!r})")
            punishing = [f"punish_{j}" for j in range(1, periods + 1)] if periods > 1 else ["punish"]
        else:
            punishing = ["punish"]
        states = dict.fromkeys(["cooperate", *punishing])
        play = {"cooperate": c, **{w: p for w in punishing}}
        move = {"cooperate": {a: "cooperate" if a == c else punishing[0] for a in profiles}}
        for j, w in enumerate(punishing):
            if automaton == "grim trigger":
                to = w
            elif automaton == "forgiveness":
                if forgive is None:
                    raise ValueError("forgiveness needs forgive= (the probability of returning to cooperation)")
                q = read(forgive) if isinstance(forgive, str) else sp.sympify(forgive)
                to = {"cooperate": q, w: 1 - q}
            else:
                to = punishing[j + 1] if j + 1 < len(punishing) else "cooperate"
            move[w] = {a: to for a in profiles}
        start = "cooperate"

    g = RepeatedGame(players, list(states), discount, start=start, name=name,
                     cooperation={w: c for w in states})
    for w in states:
        g.set_actions(w, *actions)
        for a in profiles:
            g.stage(w, a, payoffs[a], move[w][a])
    g.automaton = automaton
    g.profile = g.pure(play)
    return g


__all__ = ["AUTOMATA", "RepeatedGame", "repeated_game"]
