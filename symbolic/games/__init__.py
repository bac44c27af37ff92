"""Game classes: normal-form games and discounted stochastic games (one module per form).

* :mod:`.normal_form` -- finite strategic games, their Nash equilibria, Gambit ``.nfg`` export;
* :mod:`.stochastic` -- discounted stochastic games: values, one-shot deviations, exact
  enumeration of every stationary equilibrium;
* :mod:`.stochastic_fast` -- the batched sweep of a stochastic game's equilibria over one parameter.
"""
from .normal_form import NormalFormGame
from .stochastic import StochasticGame

__all__ = ["NormalFormGame", "StochasticGame"]
