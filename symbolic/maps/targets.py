"""What a map computes at each grid point: a quantity, a claim part's truth, or every stationary
equilibrium of a stochastic game -- resolved against a model on the client, then evaluated block
by block on the workers by the top-level functions below (picklable, no model needed there)."""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..claims import Computed, DerivativeSign
from ..errors import ToolkitError
from ..numeric import NumericFunction, truth_with_margin

#: tolerance of a claim part's truth (that of the verifier's numeric stage)
TRUTH_TOL = 1e-9
#: codes of a claim map
HOLDS, FAILS, UNDECIDED, OUTSIDE = 1, 0, 2, -1
#: the fields of an equilibrium map (int16; -1 where the point is outside the domain)
EQUILIBRIUM_FIELDS = ("equilibria", "continua", "full", "sporadic", "none", "labels", "profile", "resolved")
LABEL_BITS = {"full": 1, "sporadic": 2, "none": 4}


@dataclass
class Target:
    """A resolved map target: ``kind`` (quantity, claim, equilibria), the ``parameters`` it
    depends on, the output ``fields`` (name, dtype, fill where masked) and what the blocks need."""

    kind: str
    name: str
    parameters: list
    fields: list
    payload: object
    description: str = ""
    attrs: dict = field(default_factory=dict)


def _token(obj) -> str:
    return hashlib.sha256(pickle.dumps(obj)).hexdigest()[:20]


def resolve(model, target: str, game: str | None = None) -> Target:
    """The :class:`Target` named ``target`` of ``model``: ``equilibria``, a quantity, or a claim
    part ``ID`` / ``ID:k`` (k-th part, from 1); one-line errors otherwise."""
    if target == "equilibria":
        return _equilibria_target(model, game)
    if game is not None:
        raise ToolkitError("--game applies to the target equilibria only")
    if target in model.quantities:
        fn = model.numeric(target)
        expr = sp.sympify(fn.expr)
        return Target("quantity", target, list(fn.parameters), [("value", "float64", np.nan)],
                      _Expr(expr, list(fn.symbols)), model.quantities[target].description)
    claim_id, _, part = target.partition(":")
    ids = {c.id: c for c in model.claims}
    if claim_id not in ids:
        raise ToolkitError(f"unknown target {target!r} of {model.name}: give equilibria, a quantity "
                           f"({', '.join(model.quantities) or 'none'}) or a claim part ({', '.join(ids) or 'none'})")
    claim = ids[claim_id]
    parts = claim.parts
    if not parts:
        raise ToolkitError(f"claim {claim_id} has no formula to map")
    if not part:
        if len(parts) > 1:
            listing = "; ".join(f"{claim_id}:{k + 1} {p.label}" for k, p in enumerate(parts))
            raise ToolkitError(f"claim {claim_id} has {len(parts)} parts; name one: {listing}")
        k = 0
    else:
        try:
            k = int(part) - 1
        except ValueError:
            k = -1
        if not 0 <= k < len(parts):
            raise ToolkitError(f"claim {claim_id} has parts 1 to {len(parts)}, not {part!r}")
    prop = parts[k]
    if isinstance(prop, Computed):
        raise ToolkitError(f"{target} is an exact computation ({prop.method}), not a formula: it cannot be mapped")
    formula = model.expand(prop.formula)
    given = [model.expand(g) for g in prop.given]
    symbols = set(formula.free_symbols).union(*(g.free_symbols for g in given))
    if isinstance(prop, DerivativeSign):
        symbols |= {prop.wrt}
    names = {s.name for s in symbols}
    unknowns = sorted(names & set(model.unknowns))
    if unknowns:
        raise ToolkitError(f"{target} is about the unknown(s) {', '.join(unknowns)} (solved for); a map takes parameters")
    stray = sorted(names - set(model.domain.parameters))
    if stray:
        raise ToolkitError(f"{target} is not numerically evaluable (stated for general functions or symbols: "
                           f"{', '.join(stray)})")
    params = [s.name for s in model.domain.order(symbols)]
    return Target("claim", target, params, [("truth", "int8", OUTSIDE)], _Truth(formula, given),
                  prop.label, {"codes": {"holds": HOLDS, "fails": FAILS, "undecided": UNDECIDED, "outside": OUTSIDE}})


#: the fields of a region map (an equilibrium map of a game tree or of a normal-form game)
REGION_FIELDS = ("holds", "count", "undecided")


def _maps(model) -> dict:
    """Every equilibrium map of the model by game: each declared game tree's (derived now if the
    model's build did not) and each normal-form game's."""
    trees = {n: model.tree_maps.get(n) or model.equilibria(t) for n, t in model.trees.items()}
    return {**trees, **model.equilibrium_maps}


def _region_target(model, game: str | None) -> Target:
    """The regions of a model's equilibrium map (a game tree's or a normal-form game's): which
    hold at each point (bit k for the k-th region), how many, how many undecided."""
    maps_ = _maps(model)
    if not maps_:
        raise ToolkitError(f"model {model.name} has no stochastic game and no equilibrium map "
                           "(the target equilibria needs one)")
    if game is not None and game not in maps_:
        raise ToolkitError(f"unknown game {game!r} of {model.name}; games are: {', '.join(maps_)}")
    name = game or next(iter(maps_))
    emap = maps_[name]
    if hasattr(emap, "branches"):
        pairs = [(b.region, "path " + (", ".join(b.path) or "(no move)") + "; "
                  + ", ".join(f"{node}: {act}" for node, act in dict(b.profile).items())) for b in emap.branches]
    else:
        pairs = [(e.region, e.describe()) for e in emap.equilibria]
    if len(pairs) > 62:
        raise ToolkitError(f"the equilibrium map of {name} has {len(pairs)} regions: at most 62 can be mapped")
    regions = [sp.sympify(model.expand(r)) for r, _ in pairs]
    symbols = set().union(*(r.free_symbols for r in regions))
    params = [s.name for s in model.domain.order(symbols)]
    attrs = {"game": name, "regions": [label for _, label in pairs], "conditions": [sp.sstr(r) for r in regions]}
    return Target("regions", "equilibria", params, [(f, "int64", -1) for f in REGION_FIELDS],
                  _Truth(sp.true, regions), f"the regions of the equilibrium map of {name}", attrs)


def _equilibria_target(model, game: str | None) -> Target:
    games = model.stochastic_games
    regions = {**model.trees, **model.equilibrium_maps}
    if not games or (game is not None and game not in games and game in regions):
        return _region_target(model, game)
    if game is None:
        if len(games) > 1:
            game = next(iter(games))
    if game is not None and game not in games:
        raise ToolkitError(f"unknown game {game!r} of {model.name}; games are: {', '.join(games)}")
    name = game or next(iter(games))
    g = games[name]
    params = [s.name for s in model.domain.order(g.free_symbols)]
    profile = next((p for key, p in model.stationary_profiles.items() if key.split(":")[0] == name), None)
    support = None if profile is None else {k: tuple(mix) for k, mix in profile.strategy.items()}
    attrs = {"game": name, "label_bits": LABEL_BITS,
             "profile": None if profile is None else profile.name}
    return Target("equilibria", "equilibria", params, [(f, "int16", -1) for f in EQUILIBRIUM_FIELDS],
                  _Game(g.subs({}), support), f"every stationary equilibrium of the game {name}", attrs)


# =============================================================================================
# Payloads: what a block needs, built once per worker process
# =============================================================================================
_BUILT: dict = {}


def _built(token: str, build):
    if token not in _BUILT:
        if len(_BUILT) > 16:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[token] = build()
    return _BUILT[token]


class _Expr:
    """A quantity: its expression (``nan`` where it is not defined) and argument symbols."""

    def __init__(self, expr, symbols):
        self.expr, self.symbols = expr, symbols
        self.token = _token((expr, symbols))

    def function(self) -> NumericFunction:
        return _built(self.token, lambda: NumericFunction(self.expr, self.symbols, "map"))


class _Truth:
    """A claim part: its formula and hypotheses (expanded into the parameters)."""

    def __init__(self, formula, given):
        self.formula, self.given = formula, list(given)


class _Game:
    """A stochastic game (the model's declaration) and the supports of its declared profile."""

    def __init__(self, game, support):
        self.game, self.support = game, support  # (a copy made by subs: no reference to the model)
        self.token = _token(game)

    def sweep(self, fixed: dict, names: list, resolve: bool = True):
        """The :class:`~symbolic.maps.equilibria.GridSweep` of the game with ``fixed`` substituted
        (built once per process; its setup is kept on disk)."""
        from .equilibria import GridSweep

        def build():
            g = self.game.subs({k: sp.Rational(v.numerator, v.denominator) for k, v in fixed.items()})
            return GridSweep(g, names, resolve=resolve)
        return _built(_token((self.token, sorted(fixed.items()), names, resolve)), build)


# =============================================================================================
# Blocks
# =============================================================================================
def block_points(axes, index_blocks):
    """The grid points of a block: per axis, the float values on the block's (broadcast) mesh."""
    k = len(axes)
    out = {}
    for a, (ax, idx) in enumerate(zip(axes, index_blocks)):
        shape = [1] * k
        shape[a] = len(idx)
        out[ax.name] = ax.floats(idx).reshape(shape)
    return out


def inside(domain, axes, fixed: dict, index_blocks) -> np.ndarray:
    """Which points of the block lie in the domain (bounds and every constraint)."""
    point = block_points(axes, index_blocks)  # each axis shaped to broadcast: no full-size copies
    point.update({n: np.asarray(float(v)) for n, v in fixed.items()})
    return np.broadcast_to(domain.contains(point), tuple(len(i) for i in index_blocks))


#: a block whose last axis is at least this long is evaluated row by row (the other parameters
#: scalars): the C kernel then reads one short vector per row and writes the row, nothing else
ROW_THRESHOLD = 4096


def quantity_block(payload: _Expr, axes, fixed, domain, *index_blocks):
    shape = tuple(len(i) for i in index_blocks)
    mask = inside(domain, axes, fixed, index_blocks)
    if not mask.any():
        return np.full(shape, np.nan)
    fn = payload.function()
    pts = block_points(axes, index_blocks)
    args = {**{n: float(v) for n, v in fixed.items()}, **pts}
    if mask.all():
        out = np.empty(shape)
    else:
        sel = {n: np.broadcast_to(v, shape)[mask] for n, v in pts.items()}
        out = np.full(shape, np.nan)
        out[mask] = fn(**{**args, **sel})
        return out
    if not fn.parameters:
        out[...] = fn()
    elif len(shape) > 1 and shape[-1] >= ROW_THRESHOLD:
        last = axes[-1].name
        for lead in np.ndindex(*shape[:-1]):
            row = {ax.name: float(pts[ax.name].reshape(-1)[k]) for ax, k in zip(axes[:-1], lead)}
            out[lead] = fn(**{**args, **row, last: pts[last].reshape(-1)})
    else:
        out[...] = np.asarray(fn(**args), dtype=float).reshape(shape)
    return out


def truth_block(payload: _Truth, axes, fixed, domain, *index_blocks):
    shape = tuple(len(i) for i in index_blocks)
    mask = inside(domain, axes, fixed, index_blocks)
    out = np.full(shape, OUTSIDE, dtype=np.int8)
    if not mask.any():
        return out
    pts = block_points(axes, index_blocks)
    values = {n: np.broadcast_to(v, shape)[mask] for n, v in pts.items()}
    values.update({n: np.full(int(mask.sum()), float(v)) for n, v in fixed.items()})
    symbols = set(payload.formula.free_symbols).union(*(g.free_symbols for g in payload.given))
    point = {s: values[s.name] for s in symbols}
    n = int(mask.sum())
    ok = np.ones(n, bool)
    code = np.full(n, OUTSIDE, dtype=np.int8)
    if payload.given:
        held, amb, _ = truth_with_margin(sp.And(*payload.given), point, TRUTH_TOL)
        held, amb = np.broadcast_to(held, (n,)), np.broadcast_to(amb, (n,))
        code[amb] = UNDECIDED
        ok = held & ~amb
    truth, amb, _ = truth_with_margin(payload.formula, point, TRUTH_TOL)
    truth, amb = np.broadcast_to(truth, (n,)), np.broadcast_to(amb, (n,))
    code[ok] = np.where(amb[ok], UNDECIDED, np.where(truth[ok], HOLDS, FAILS))
    out[mask] = code
    return out


def regions_block(payload: _Truth, axes, fixed, domain, *index_blocks):
    """``holds`` (bit k: region k holds), ``count`` and ``undecided`` (regions within the tolerance
    of their boundary) at each point; -1 outside the domain.  The regions ride in ``given``."""
    shape = tuple(len(i) for i in index_blocks)
    mask = inside(domain, axes, fixed, index_blocks)
    out = np.full(shape + (len(REGION_FIELDS),), -1, dtype=np.int64)
    n = int(mask.sum())
    if not n:
        return out
    pts = block_points(axes, index_blocks)
    values = {k: np.broadcast_to(v, shape)[mask] for k, v in pts.items()}
    values.update({k: np.full(n, float(v)) for k, v in fixed.items()})
    holds, count, undecided = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    for k, region in enumerate(payload.given):
        point = {s: values[s.name] for s in region.free_symbols}
        truth, amb, _ = truth_with_margin(region, point, TRUTH_TOL)
        truth, amb = np.broadcast_to(truth, (n,)), np.broadcast_to(amb, (n,))
        yes = truth & ~amb
        holds |= np.where(yes, 1 << k, 0)
        count += yes
        undecided += amb
    out[mask] = np.stack([holds, count, undecided], axis=1)
    return out


def equilibria_block(payload: _Game, axes, fixed, domain, resolve, *index_blocks):
    shape = tuple(len(i) for i in index_blocks)
    mask = inside(domain, axes, fixed, index_blocks)
    out = np.full(shape + (len(EQUILIBRIUM_FIELDS),), -1, dtype=np.int16)
    where = np.argwhere(mask)
    if not len(where):
        return out
    sweep = payload.sweep(fixed, [ax.name for ax in axes], resolve)
    idx = [np.asarray(i) for i in index_blocks]
    points = [tuple(ax.value(int(idx[a][w[a]])) for a, ax in enumerate(axes)) for w in where]
    rows = sweep.run(points)
    support = payload.support
    for w, row in zip(where, rows):
        labels = row.labels()
        bits = 0
        for lab in set(labels):
            bits |= LABEL_BITS.get(lab, 0)
        has = -1 if support is None else int(any(e.support == support for e in row.equilibria))
        out[tuple(w)] = (len(row.equilibria), len(row.continua), labels.count("full"), labels.count("sporadic"),
                         labels.count("none"), bits, has, row.profiles_resolved)
    return out
