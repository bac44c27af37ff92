"""Command-line subcommands for models with stochastic games: ``equilibria``, ``sweep``, ``search``.

* ``equilibria MODEL name=value ... [--game NAME] [--json]`` -- every stationary Markov perfect
  equilibrium at the given numbers (exact support enumeration, :mod:`symbolic.games.stochastic`).
* ``sweep MODEL PARAM --from A --to B --steps N name=value ... [--exact] [--json]`` -- which
  equilibria exist at each value of one parameter: the fast sweep of
  :mod:`symbolic.games.stochastic_fast` (numpy over the whole grid, exact re-solves where a decision is
  close), or with ``--exact`` the exact enumeration at every value.
* ``search MODEL [--bound ...] [--json]`` -- the model's inverse search (CB-8 for ``called_bluff``).

A model takes part by declaring its games with ``Model.stochastic_game`` / ``repeated_game`` /
``add_stochastic_game`` (several by name, ``--game NAME``); the sweep's profile column (JSON
``cooperative_profile``) says whether the game's first ``Model.stationary_profile`` is an equilibrium.
For ``search`` a model sets an ``inverse_search`` callable.  Every input error is a one-line :class:`symbolic.ToolkitError`.
"""
from __future__ import annotations

import json
import sys
import time

import sympy as sp

from symbolic import ToolkitError
from symbolic.games.stochastic import exact
from symbolic.games.stochastic import sweep as run_sweep
from symbolic.games.stochastic_fast import fast_sweep

from . import load


def _games(model) -> dict:
    games = model.stochastic_games
    if not games:
        raise ToolkitError(f"model {model.name} has no stochastic game")
    return games


def _pick(model, given: set, name: str | None, free_param: str | None = None):
    """The game named ``name``, or the one whose parameters are exactly those given (plus
    ``free_param`` for a sweep)."""
    games = _games(model)
    if name is not None:
        if name not in games:
            raise ToolkitError(f"unknown game {name!r} of {model.name}; games are: {', '.join(games)}")
        return name, games[name]
    want = set(given) | ({free_param} if free_param else set())
    for gname, g in games.items():
        if {s.name for s in g.free_symbols} == want:
            return gname, g
    options = "; ".join(f"{gname}: {' '.join(sorted(s.name for s in g.free_symbols))}" for gname, g in games.items())
    raise ToolkitError(f"give exactly the parameters of one game ({options})")


def _values(model, tokens, game, skip=()) -> dict:
    from .cli import _parse_assignments
    raw = _parse_assignments(tokens)
    for k in raw:
        model.domain[k]  # unknown names: one-line UnknownNameError
    model.domain.check(raw)  # domains and ordering constraints (floats)
    needed = {s.name for s in game.free_symbols} - set(skip)
    missing = sorted(needed - set(raw))
    if missing:
        raise ToolkitError(f"missing values for {', '.join(missing)}")
    extra = sorted(set(raw) - needed)
    if extra:
        raise ToolkitError(f"{', '.join(extra)} not used by this game")
    return {k: exact(v) for k, v in raw.items()}


def cmd_equilibria(args) -> int:
    model = load(args.model)
    from .cli import _parse_assignments
    raw = _parse_assignments(args.assignments)
    model.domain.check(raw)  # unknown names, non-numbers, domains: one line each
    gname, game = _pick(model, set(raw), args.game)
    values = _values(model, args.assignments, game)
    eqs = game.subs(values).equilibria()
    if args.json:
        out = {"model": model.name, "game": gname, "values": {k: str(v) for k, v in values.items()}}
        out.update(eqs.as_json())
        print(json.dumps(out, indent=2, sort_keys=False))
    else:
        print(f"{model.name} ({gname}) at " + ", ".join(f"{k}={v}" for k, v in values.items()))
        print(eqs.describe())
    return 0


def _grid(lo, hi, steps) -> list:
    lo, hi = exact(lo), exact(hi)
    if steps < 1:
        raise ToolkitError("--steps must be at least 1")
    if hi < lo:
        raise ToolkitError("--to must not be below --from")
    return [lo + (hi - lo) * sp.Rational(k, steps) for k in range(steps + 1)]


def _inside_open_ends(par, grid: list) -> tuple[list, str | None]:
    """The grid with a value at an end that ``par``'s domain excludes (``d = 1`` of ``[0, 1)``)
    moved just inside, by a hundredth of a grid step; and a note saying so (None if none moved)."""
    dom, grid, moved = par.domain, list(grid), []
    shift = (grid[-1] - grid[0]) / (100 * max(len(grid) - 1, 1))
    for k, end, is_open, sign in ((0, dom.lo, dom.lo_open, 1), (-1, dom.hi, dom.hi_open, -1)):
        if end is not None and is_open and shift > 0 and grid[k] == exact(end):
            moved.append((grid[k], grid[k] + sign * shift))
            grid[k] = grid[k] + sign * shift
    if not moved:
        return grid, None
    return grid, (f"{par.name}'s domain {dom.describe()} excludes {' and '.join(f'{par.name}={a}' for a, _ in moved)}: "
                  f"swept at {' and '.join(str(b) for _, b in moved)} instead (a hundredth of a step inside)")


def cmd_sweep(args) -> int:
    model = load(args.model)
    from .cli import _parse_assignments
    raw = _parse_assignments(args.assignments)
    model.domain.check(raw)
    given = set(raw)
    param = args.parameter
    model.domain[param]
    if param in given:
        raise ToolkitError(f"{param} is swept; do not give it a value")
    gname, game = _pick(model, given, args.game, free_param=param)
    values = _values(model, args.assignments, game, skip=(param,))
    grid, note = _inside_open_ends(model.domain[param], _grid(args.start, args.stop, args.steps))
    if note and not getattr(args, "quiet", False):
        print(f"note: {note}", file=sys.stderr)
    for end in (grid[0], grid[-1]):  # both ends of the sweep lie in the parameter's domain
        model.domain.check({param: float(end)})
    t0 = time.perf_counter()
    if args.exact:
        results = run_sweep(game.subs(values), param, grid)
    else:
        results = fast_sweep(game.subs(values), param, grid)
    elapsed = time.perf_counter() - t0
    rows, profile = [], _profile(model, gname)
    for v, eqs in zip(grid, results):
        labels = eqs.labels()
        rows.append({"value": str(v), "float": float(v), "equilibria": len(eqs.equilibria),
                     "continua": len(eqs.continua),
                     "labels": {lab: labels.count(lab) for lab in ("full", "sporadic", "none")},
                     "cooperative_profile": _has_pure(eqs, profile)})
    resolved = sum(1 for eqs in results if getattr(eqs, "profiles_resolved", 0))
    method = "exact" if args.exact else "fast"
    if args.json:
        print(json.dumps({"model": model.name, "game": gname, "parameter": param, "method": method,
                          "values_resolved_exactly": None if args.exact else resolved, "rows": rows,
                          "notes": [note] if note else [], "seconds": round(elapsed, 3)}, indent=2))
    else:
        print(f"{model.name} ({gname}): stationary equilibria against {param}")
        print(f"{param:>10}  #eq  full  sporadic  none  continua  "
              f"{profile.name if profile is not None else 'declared'}-profile")
        for r in rows:
            lab = r["labels"]
            print(f"{r['float']:>10.6g}  {r['equilibria']:>3}  {lab['full']:>4}  {lab['sporadic']:>8}  "
                  f"{lab['none']:>4}  {r['continua']:>8}  {'yes' if r['cooperative_profile'] else 'no'}")
        extra = "" if args.exact else f"; fast sweep, {resolved} value(s) with a profile re-solved exactly"
        print(f"({len(grid)} values in {elapsed:.2f} s{extra})", file=sys.stderr)
    return 0


def _profile(model, gname):
    """The first stationary profile declared for the game (``Model.stationary_profile``), or None."""
    return next((p for key, p in model.stationary_profiles.items() if key.split(":")[0] == gname), None)


def _has_pure(eqs, profile) -> bool | None:
    """Whether the declared profile is among the equilibria (None: the game has no declared profile)."""
    if profile is None:
        return None
    support = {k: tuple(mix) for k, mix in profile.strategy.items()}
    return any(e.support == support for e in eqs.equilibria)


def cmd_search(args) -> int:
    model = load(args.model)
    search = getattr(model, "inverse_search", None)
    if search is None:
        raise ToolkitError(f"model {model.name} has no inverse search")
    kwargs = dict(bound=args.bound, bound_tol=args.bound_tol, inside=args.inside, max_payoff=args.max_payoff,
                  blame_low=None if args.no_blame else args.blame_low,
                  blame_high=None if args.no_blame else args.blame_high, blame_tol=args.blame_tol)
    if args.discounts:
        try:
            kwargs["discounts"] = tuple(sp.Rational(x) for x in args.discounts.split(","))
        except (TypeError, ValueError):
            raise ToolkitError(f"--discounts {args.discounts!r} is not a comma-separated list of numbers") from None
    matches = search(**kwargs)
    if args.json:
        print(json.dumps({"model": model.name, "targets": {k: (None if v is None else str(v)) for k, v in kwargs.items()
                                                           if k != "discounts"},
                          "matches": matches}, indent=2))
        return 0
    if not matches:
        print("no payoffs in the search space reproduce the targets")
        return 0
    print(f"{len(matches)} match(es) (each player's payoffs up to a positive factor), best first:")
    for r in matches[: args.limit]:
        print("  " + ", ".join(f"{k}={v if not isinstance(v, float) else round(v, 6)}" for k, v in r.items()))
    if len(matches) > args.limit:
        print(f"  ... {len(matches) - args.limit} more (--limit)")
    return 0


def register(sub) -> None:
    """Add ``equilibria``, ``sweep`` and ``search`` to the ``derivations`` subparsers."""
    s = sub.add_parser("equilibria", help="every stationary equilibrium of a model's stochastic game at numbers")
    s.add_argument("model")
    s.add_argument("assignments", nargs="*", metavar="name=value")
    s.add_argument("--game", help="which of the model's games (default: the one whose parameters are given)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_equilibria)

    s = sub.add_parser("sweep", help="which equilibria exist as one parameter varies")
    s.add_argument("model")
    s.add_argument("parameter")
    s.add_argument("assignments", nargs="*", metavar="name=value")
    s.add_argument("--from", dest="start", default="0")
    s.add_argument("--to", dest="stop", default="1")
    s.add_argument("--steps", type=int, default=20, help="number of intervals (values = steps + 1)")
    s.add_argument("--game")
    s.add_argument("--exact", action="store_true", help="exact enumeration at every value (slow)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_sweep)

    s = sub.add_parser("search", help="the model's inverse search (called_bluff: payoffs reproducing the paper's figures)")
    s.add_argument("model")
    s.add_argument("--bound", default="0.888", help="largest common return probability (default 0.888)")
    s.add_argument("--bound-tol", default="0.001")
    s.add_argument("--inside", default="0.7", help="a return probability inside the region (default 0.7)")
    s.add_argument("--blame-low", default="0.75", help="the Debtor's blame threshold (default 0.75)")
    s.add_argument("--blame-high", default="0.82", help="the Creditor's blame threshold (default 0.82)")
    s.add_argument("--blame-tol", default="0.01")
    s.add_argument("--no-blame", action="store_true", help="ignore the blame thresholds")
    s.add_argument("--max-payoff", type=int, default=10, help="largest absolute payoff (default 10)")
    s.add_argument("--discounts", help="comma-separated discount factors (default: common ones)")
    s.add_argument("--limit", type=int, default=10, help="matches to print")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)
