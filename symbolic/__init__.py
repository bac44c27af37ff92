"""symbolic: a model-agnostic toolkit for deriving and verifying game-theoretic models.

Write a model's parameters, payoffs and claims once in SymPy (:class:`Model`); get cutoffs solved
from indifference conditions, verdicts on claims (symbolic, z3, numeric), numeric cross-checks,
vectorised numeric functions, and LaTeX appendices.
"""
from .claims import Claim, Computed, DerivativeSign, Equal, Equivalent, Holds, Proposition
from .domain import NONNEGATIVE, POSITIVE, PROBABILITY, REAL, UNIT_INTERVAL, Domain, Interval, Parameter, interval
from .errors import DerivationError, DomainError, ToolkitError, UnknownNameError
from .games import RepeatedGame, SignalingGame, SignalingMap, StationaryProfile, StochasticGame
from .model import CrossCheck, Model, Quantity
from .numeric import NumericFunction
from .payoffs import Cutoff, Game, Preference
from .verify import PartVerdict, Verdict

__all__ = [
    "Claim", "Computed", "DerivativeSign", "Equal", "Equivalent", "Holds", "Proposition",
    "NONNEGATIVE", "POSITIVE", "PROBABILITY", "REAL", "UNIT_INTERVAL", "Domain", "Interval", "Parameter",
    "interval", "DerivationError", "DomainError", "ToolkitError", "UnknownNameError", "CrossCheck", "Model",
    "Quantity", "NumericFunction", "Cutoff", "Game", "Preference", "PartVerdict", "Verdict",
    "RepeatedGame", "SignalingGame", "SignalingMap", "StationaryProfile", "StochasticGame",
]
