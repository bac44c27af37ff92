"""Solving, apart from proving and printing: systems of equilibrium conditions
(:mod:`.systems`), optima with their second-order and corner conditions (:mod:`.optimum`),
the set of values satisfying a conjunction (:mod:`.intervals`), and the parameter regions where
derived objects are valid (:mod:`.regions`)."""
from .intervals import IntervalSet, derive_interval
from .optimum import Optimum, derive_optimum, golden_section_max
from .regions import classify, disjoint, sign, simplify_condition
from .systems import Branch, SystemSolution, newton_solve, solve_system

__all__ = ["IntervalSet", "derive_interval", "Optimum", "derive_optimum", "golden_section_max", "classify",
           "disjoint", "sign", "simplify_condition", "Branch", "SystemSolution", "newton_solve", "solve_system"]
