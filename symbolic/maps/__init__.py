r"""Maps of a model over a grid of its parameters, computed in blocks on Dask (a laptop's cores or a
cluster) and written block by block.

**What a map is.**  Mapped parameters :math:`\theta_1, \dots, \theta_m` each take ``n`` values
``lo, lo + h, ..., hi`` (:math:`h = (hi - lo)/(n-1)`, exact rationals); the model's other
parameters the target depends on are fixed (``name=value``); the grid is the product.  At each grid
point :math:`\theta` the map holds

* for a **quantity** ``q``: :math:`q(\theta)` (``Model.numeric(q)``, the vectorised function, in
  floating point; ``NaN`` where the quantity is not defined -- outside its ``defined_when``, or no
  root in the domain);
* for a **claim part** ``ID`` or ``ID:k`` (the k-th part, from 1): whether the part's formula
  holds at :math:`\theta`, evaluated as the verifier's numeric stage evaluates it
  (:func:`symbolic.numeric.truth_with_margin`, tolerance :data:`~symbolic.maps.targets.TRUTH_TOL`):
  ``1`` holds, ``0`` fails, ``2`` undecided (some relation within the tolerance of equality, where
  floating point cannot decide), ``-1`` outside the domain or the part's own hypotheses
  (``given``);
* for ``equilibria`` (a model with a stochastic game): every stationary Markov perfect
  equilibrium at :math:`\theta`, as the fields ``equilibria`` (isolated equilibria), ``continua``,
  ``full`` / ``sporadic`` / ``none`` (components by cooperation label), ``labels`` (the set of
  labels present, bits full = 1, sporadic = 2, none = 4: the *classification* the figures show),
  ``profile`` (1 if the game's first declared stationary profile is an equilibrium, 0 if not, -1
  without one) and ``resolved`` (support profiles re-solved exactly at the point).  The numbers are
  those of the exact enumeration: :class:`~symbolic.maps.equilibria.GridSweep` is the fast sweep of
  :mod:`symbolic.games.stochastic_fast` with all mapped parameters at once (one symbolic setup,
  cached on disk), which re-solves exactly wherever a numeric decision is unclear (with
  ``resolve=False`` it leaves such a profile out and ``resolved`` counts them instead);
* for ``equilibria`` of a model with an equilibrium map instead (a game tree's, by backward
  induction, or a normal-form game's: ``Model.equilibria``): which of its regions hold at
  :math:`\theta` -- ``holds`` (bit k for the k-th region, as listed in the attribute ``regions``),
  ``count``, and ``undecided`` (regions within the tolerance of their boundary).

**Open ends and constraints.**  An end of a grid that the parameter's domain excludes (``p = 0`` of
:math:`(0, 1)`) is moved a hundredth of a step inside, with a note (as ``sweep`` does); a grid
reaching beyond its parameter's domain is refused.  A grid point outside the domain's ordering
constraints (``f_D < s_D``) is *masked*: never evaluated, ``NaN`` (quantities) or ``-1`` (the
integer fields).

**Computation.**  The map is a :mod:`dask.array` built with :func:`dask.array.blockwise` over the
axes' index arrays; each block (about ``chunk`` points, whole rows first) is computed by one task:
the domain mask on the block's mesh, then the target at the unmasked points only (the fast
numeric function on the mesh; the batched equilibrium sweep on the block's points).  Memory is
therefore bounded by the block size, per worker.  :func:`cluster` gives a
:class:`distributed.LocalCluster` of single-threaded worker processes (one per core) or connects to
an existing scheduler; :func:`write` stores each block into a Zarr array from the worker that
computed it (``.zarr``, with the axes under ``axes/`` and the attributes of
:meth:`MapSpec.attrs`), writes each block as one file of a Parquet dataset, also from the worker
(``.parquet``: a table with a row per point, the mapped parameters' values then the fields, masked
points' fields null, the attributes in each file's schema metadata), or gathers a small map into a
CSV table (``.csv``, one row per point).  The
output is written to a temporary path beside the final one and renamed when complete: a failed or
interrupted map leaves no half-written file in place of a finished one (a worker that dies
mid-map has its tasks re-run by the scheduler on the others; if they fail too, the map fails).
Blocks are pure functions of the grid, so the output does not depend on the number of workers.

**Figures.**  :func:`figure` draws a map over one or two parameters (a heatmap with contours of a
quantity; the truth of a claim part; the equilibrium classification or any other field); a model
can put one in its report with ``Model.figure(name, caption, lambda model: maps.figure(model,
"equilibria", ["p=0:1:41", "q=0:1:41"], {...}))``.
"""
from __future__ import annotations

from .core import MapResult, MapSpec, cluster, compute, dask_array, output_format, plan, prepare, read, write
from .figures import draw, save
from .grid import Axis, make_axis, parse_grid


def figure(model, target: str, grids, fixed: dict | None = None, game: str | None = None,
           field: str | None = None, title: str | None = None, client=None):
    """A matplotlib figure of the map of ``target`` (computed in this process unless ``client``
    is given); for report figures (``Model.figure``) and ``derivations map --figure``."""
    spec = plan(model, target, grids, fixed, game)
    values = compute(spec, client)
    return draw({ax.name: ax.floats() for ax in spec.axes}, values, spec.attrs(), field, title)


__all__ = ["Axis", "MapResult", "MapSpec", "cluster", "compute", "dask_array", "draw", "figure", "make_axis",
           "output_format", "parse_grid", "plan", "prepare", "read", "save", "write"]
