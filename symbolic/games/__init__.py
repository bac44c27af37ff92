"""Game classes: normal-form games and discounted stochastic games (one module per form).

* :mod:`.normal_form` -- finite strategic games, their Nash equilibria, Gambit ``.nfg`` export;
* :mod:`.stochastic` -- discounted stochastic games: values, one-shot deviations, exact
  enumeration of every stationary equilibrium;
* :mod:`.stochastic_fast` -- the batched sweep of a stochastic game's equilibria over one parameter;
* :mod:`.profiles` -- a named stationary profile: values, deviation conditions, MPE region;
* :mod:`.repeated` -- infinitely repeated games as stochastic games on an automaton's states;
* :mod:`.extensive` -- game trees with symbolic payoffs, backward induction into an equilibrium map;
* :mod:`.signaling` -- finite signaling games: perfect Bayesian equilibria, off-path belief sets,
  the intuitive criterion.
"""
from .extensive import ExtensiveGame, TreeMap
from .normal_form import NormalFormGame
from .profiles import StationaryProfile
from .repeated import AUTOMATA, RepeatedGame
from .signaling import SignalingGame, SignalingMap
from .stochastic import StochasticGame

__all__ = ["AUTOMATA", "ExtensiveGame", "NormalFormGame", "RepeatedGame", "SignalingGame", "SignalingMap",
           "StationaryProfile", "StochasticGame", "TreeMap"]
