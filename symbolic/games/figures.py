"""Figures of a stochastic game, drawn from the game itself (never by hand).

* :func:`state_diagram` -- the states on a circle, an arrow from ``s`` to ``s'`` for every action
  profile that can move play there (labelled with the profiles; a transition with a probability
  expression is labelled with it), a loop where play can stay;
* :func:`sweep_figure` -- the stationary equilibria along one parameter (exact fast sweep,
  :mod:`.stochastic_fast`): one row per cooperation label, the marker size the count.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import sympy as sp

from .stochastic import StochasticGame


def _edges(game: StochasticGame) -> dict:
    """``{(s, s2): [label, ...]}`` for every transition that is not identically zero."""
    out: dict = {}
    for s in game.states:
        profiles = game.profiles(s)
        moves: dict = {}
        for prof in profiles:
            for s2, pr in game.transitions[(s, prof)].items():
                if sp.sympify(pr) != 0:
                    moves.setdefault((s2, sp.sympify(pr)), []).append(prof)
        for (s2, pr), profs in moves.items():
            who = "any profile" if len(profs) == len(profiles) else "; ".join(",".join(p) for p in profs)
            out.setdefault((s, s2), []).append(who + ("" if pr == 1 else f" ({sp.sstr(pr)})"))
    return out


def state_diagram(game: StochasticGame):
    """A matplotlib figure of the game's states and transitions (see the module docstring)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    n = len(game.states)
    radius = 0.0 if n == 1 else 1.0
    pos = {s: (radius * math.cos(math.pi / 2 - 2 * math.pi * k / n), radius * math.sin(math.pi / 2 - 2 * math.pi * k / n))
           for k, s in enumerate(game.states)}
    fig, ax = plt.subplots(figsize=(4.2 + 0.6 * n, 3.2 + 0.5 * n))
    for s, (x, y) in pos.items():
        ax.add_patch(plt.Circle((x, y), 0.26, fill=True, facecolor="white", edgecolor="k", lw=1.4 if s == game.start
                                else 0.8, zorder=3))
        ax.text(x, y, s, ha="center", va="center", fontsize=7 if len(s) < 8 else 5.5, zorder=4)
    for (s, s2), labels in sorted(_edges(game).items()):
        text = "; ".join(labels) if len(labels) <= 3 else f"{'; '.join(labels[:3])}; ..."
        (x, y), (x2, y2) = pos[s], pos[s2]
        if s == s2:  # a loop, outside the circle of states
            ang = math.atan2(y, x) if (x, y) != (0.0, 0.0) else math.pi / 2
            cx, cy = x + 0.36 * math.cos(ang), y + 0.36 * math.sin(ang)
            ax.add_patch(plt.Circle((cx, cy), 0.12, fill=False, lw=0.7, zorder=2))
            ax.text(x + 0.6 * math.cos(ang), y + 0.6 * math.sin(ang), text, fontsize=6, ha="center", va="center")
            continue
        arrow = FancyArrowPatch((x, y), (x2, y2), arrowstyle="-|>", mutation_scale=9, lw=0.7,
                                connectionstyle="arc3,rad=0.18", shrinkA=20, shrinkB=20, zorder=2)
        ax.add_patch(arrow)
        mx, my = (x + x2) / 2, (y + y2) / 2
        nx, ny = -(y2 - y), x2 - x  # the arc bulges to the left of the direction of travel
        norm = math.hypot(nx, ny) or 1.0
        ax.text(mx + 0.16 * nx / norm, my + 0.16 * ny / norm, text, fontsize=6, ha="center", va="center")
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(-1.8, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{game.name}: states and transitions (thick: start)", fontsize=8)
    fig.tight_layout()
    return fig


#: the rows of a sweep figure (cooperation label -> height) and their colours
LABEL_ROWS = {"full": 2, "sporadic": 1, "none": 0}
LABEL_COLOURS = {"full": "C2", "sporadic": "C1", "none": "C7"}


def plot_labels(ax, values: Sequence, results: Sequence) -> None:
    """On ``ax``, one row per cooperation label: a marker at each value where equilibria with that
    label exist (``results``: the sweep's rows), its size the count; y ticks name the labels."""
    for lab, y in LABEL_ROWS.items():
        xs, sizes = [], []
        for v, eqs in zip(values, results):
            count = eqs.labels().count(lab)
            if count:
                xs.append(float(v))
                sizes.append(4 + 6 * count)
        ax.scatter(xs, [y] * len(xs), s=sizes, color=LABEL_COLOURS[lab])
    ax.set_yticks([0, 1, 2], ["none", "sporadic", "full"])


def sweep_figure(game: StochasticGame, parameter: str, fixed: Mapping, values: Sequence):
    """The stationary equilibria of ``game.subs(fixed)`` at each of ``values`` of ``parameter``."""
    import matplotlib.pyplot as plt

    from .stochastic_fast import fast_sweep

    results = fast_sweep(game.subs(dict(fixed)), parameter, values)
    fig, ax = plt.subplots(figsize=(6, 2.6))
    plot_labels(ax, values, results)
    ax.set_ylim(-0.5, 2.5)
    ax.set_xlabel(parameter)
    ax.set_ylabel("equilibria (size: count)", fontsize=8)
    shown = ", ".join(f"{k} = {sp.sstr(sp.nsimplify(v))}" for k, v in fixed.items())
    ax.set_title(f"{game.name}: stationary equilibria against {parameter} ({shown})", fontsize=8)
    fig.tight_layout()
    return fig


__all__ = ["plot_labels", "state_diagram", "sweep_figure"]
