"""The ``map`` subcommand: a model's quantity, claim part or stationary equilibria over a grid of
parameters, computed on Dask and written chunk by chunk (:mod:`symbolic.maps`).

``python -m derivations map MODEL TARGET --grid name=lo:hi:n [--grid ...] [name=value ...]
--out FILE.zarr|FILE.parquet|FILE.csv [--scheduler ADDRESS] [--workers N] [--chunk N] [--game NAME]
[--figure FILE.pdf] [--field NAME] [--no-resolve]``

TARGET is ``equilibria`` (models with a stochastic game), a quantity, or a claim part ``ID`` /
``ID:k``.  Without ``--scheduler`` the map runs on a local cluster of worker processes (one per
core, or ``--workers``); with it, on the cluster behind that scheduler (the output path must be
writable by its workers).  Every input error -- a grid name that is not a parameter, ``n <= 0``,
``lo >= hi``, a parameter missing or not used, a scheduler that does not answer within a few
seconds, an output that cannot be written -- is one line on stderr and exit 2, before anything
runs; the output appears only once complete.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from symbolic import ToolkitError, maps

from . import load


def _fixed(tokens) -> dict:
    from .cli import _parse_assignments
    return _parse_assignments(tokens)


def cmd_map(args) -> int:
    quiet = getattr(args, "quiet", False)
    model = load(args.model)
    spec = maps.plan(model, args.target, args.grid or [], _fixed(args.assignments), args.game,
                     args.chunk, resolve=not args.no_resolve)
    fmt = maps.output_format(args.out)
    if fmt == "csv" and spec.size > maps.core.CSV_LIMIT:
        raise ToolkitError(f"--out {args.out}: {spec.size} points is too many for CSV "
                           f"(at most {maps.core.CSV_LIMIT}); write a .zarr")
    if args.figure:
        if len(spec.axes) > 2:
            raise ToolkitError(f"--figure shows one or two mapped parameters, the map has {len(spec.axes)}")
        if args.field and spec.target.kind not in ("equilibria", "regions"):
            raise ToolkitError("--field applies to the target equilibria only")
        if args.field and args.field not in [f for f, _, _ in spec.target.fields]:
            raise ToolkitError(f"--field {args.field}: the fields are {', '.join(f for f, _, _ in spec.target.fields)}")
        _writable(Path(args.figure))
    if args.workers is not None and args.scheduler:
        raise ToolkitError("--workers sizes the local cluster; with --scheduler the cluster's own workers run the map")
    if args.workers is not None and args.workers < 1:
        raise ToolkitError(f"--workers must be at least 1, got {args.workers}")
    tmp = maps.prepare(args.out)  # an unwritable output: one line, before a cluster starts
    for note in spec.notes if not quiet else ():
        print(f"note: {note}", file=sys.stderr)
    try:
        t0 = time.perf_counter()
        with maps.cluster(args.scheduler, args.workers) as client:
            if not quiet:
                where = args.scheduler or f"a local cluster of {len(client.scheduler_info()['workers'])} worker processes"
                print(f"[derivations] map {spec.model} {spec.target.name}: {spec.size} points "
                      f"({' x '.join(str(n) for n in spec.shape)}) in blocks of {' x '.join(map(str, spec.chunks))}, "
                      f"on {where}", file=sys.stderr, flush=True)
            maps.write(spec, args.out, client, progress=not quiet, tmp=tmp)
        elapsed = time.perf_counter() - t0
    except BaseException:
        if tmp.exists():
            maps.core._discard(tmp)
        raise
    print(f"wrote {args.out}", flush=True)
    if not quiet:
        print(f"({spec.size} points in {elapsed:.2f} s, {spec.size / max(elapsed, 1e-9):.0f} points/s)",
              file=sys.stderr)
    if args.figure:
        result = maps.read(args.out) if fmt != "csv" else None
        if result is None:
            values = maps.compute(spec)  # a CSV map is small: recomputed in this process
            result = maps.MapResult({ax.name: ax.floats() for ax in spec.axes}, values, spec.attrs())
        maps.save(maps.draw(result.axes, result.fields, result.attrs, args.field), args.figure)
        print(f"wrote {args.figure}")
    return 0


def _writable(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.parent / f".{path.name}.write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ToolkitError(f"cannot write {path}: {exc.strerror or exc}") from None


def register(sub) -> None:
    """Add ``map`` to the ``derivations`` subparsers."""
    s = sub.add_parser("map", help="a quantity, claim part or the equilibria over a parameter grid, on Dask")
    s.add_argument("model")
    s.add_argument("target", help="equilibria, a quantity, or a claim part ID / ID:k")
    s.add_argument("assignments", nargs="*", metavar="name=value", help="the target's other parameters")
    s.add_argument("--grid", action="append", metavar="name=lo:hi:n",
                   help="a mapped parameter: n values from lo to hi (repeatable)")
    s.add_argument("--out", required=True, metavar="FILE",
                   help="FILE.zarr (arrays, chunk by chunk), FILE.parquet (a table, chunk by chunk) or FILE.csv (small maps)")
    s.add_argument("--scheduler", metavar="ADDRESS", help="an existing dask scheduler (tcp://host:8786)")
    s.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per core)")
    s.add_argument("--chunk", type=int, metavar="N", help="points per block (default: 4M quantities, 1M claims, "
                                                          "2048 equilibria)")
    s.add_argument("--game", help="which stochastic game (target equilibria; default: the first declared)")
    s.add_argument("--figure", metavar="FILE.pdf", help="also draw the map (one or two mapped parameters)")
    s.add_argument("--field", help="the field an equilibrium figure shows (default: labels, the classification)")
    s.add_argument("--no-resolve", action="store_true",
                   help="equilibria: leave numerically unclear profiles out instead of re-solving them exactly")
    s.set_defaults(func=cmd_map)
