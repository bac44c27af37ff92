"""Planning a map, building its dask array, running it on a cluster and writing it (see the
package docstring of :mod:`symbolic.maps` for the semantics)."""
from __future__ import annotations

import contextlib
import csv
import logging
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ToolkitError
from . import targets as T
from .grid import Axis, chunk_shape, make_axis, number, parse_grid

#: default points per block: cheap targets get large blocks, the equilibrium sweep small ones
DEFAULT_CHUNK = {"quantity": 1 << 22, "claim": 1 << 20, "regions": 1 << 20, "equilibria": 2048}
#: the largest map written as CSV (one row per point)
CSV_LIMIT = 10**6
#: seconds to wait for a scheduler given with --scheduler
CONNECT_TIMEOUT = 3


@dataclass
class MapSpec:
    """A planned map: the model's name, the resolved :class:`~symbolic.maps.targets.Target`, the
    grid axes, the fixed values (exact), the parameter domain (for masking) and the block size."""

    model: str
    target: T.Target
    axes: list
    fixed: dict
    domain: object
    chunk: int
    resolve: bool = True
    notes: list = field(default_factory=list)

    @property
    def shape(self) -> tuple:
        return tuple(ax.n for ax in self.axes)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def chunks(self) -> tuple:
        return chunk_shape(self.shape, self.chunk)

    def attrs(self) -> dict:
        """What the output records besides the arrays (JSON-ready)."""
        return {"model": self.model, "target": self.target.name, "kind": self.target.kind,
                "description": self.target.description, "grid": [ax.spec() for ax in self.axes],
                "parameters": [ax.name for ax in self.axes], "shape": list(self.shape),
                "fixed": {k: str(v) for k, v in self.fixed.items()}, "fields": [f for f, _, _ in self.target.fields],
                "masked": {f: (None if isinstance(fill, float) and np.isnan(fill) else fill)
                           for f, _, fill in self.target.fields},
                "notes": list(self.notes), "exact_resolves": self.resolve, **self.target.attrs}


def plan(model, target: str, grids, fixed: dict | None = None, game: str | None = None,
         chunk: int | None = None, resolve: bool = True) -> MapSpec:
    """Check everything about a map before anything runs (one-line :class:`ToolkitError` s).

    ``grids``: ``"name=lo:hi:n"`` strings or ``(name, lo, hi, n)`` tuples, one per mapped
    parameter; ``fixed``: ``{name: value}`` for the target's other parameters."""
    fixed = dict(fixed or {})
    if not grids:
        raise ToolkitError("give at least one --grid name=lo:hi:n")
    axes: list[Axis] = []
    for g in grids:
        name, lo, hi, n = parse_grid(g) if isinstance(g, str) else g
        if any(ax.name == name for ax in axes):
            raise ToolkitError(f"--grid {name} is given twice")
        if name in fixed:
            raise ToolkitError(f"{name} is both mapped (--grid) and given a value")
        axes.append(make_axis(model.domain, name, lo, hi, int(n)))
    for k in fixed:
        model.domain[k]  # an unknown name: one line naming the parameters
    model.domain.check({k: float(number(v, k)) for k, v in fixed.items()})  # domains, constraints among them
    exact = {k: number(v, k) for k, v in fixed.items()}
    tgt = T.resolve(model, target, game)
    needed, grid_names = set(tgt.parameters), {ax.name for ax in axes}
    unused = [n for n in [*grid_names, *exact] if n not in needed]
    if unused:
        raise ToolkitError(f"{tgt.name} does not depend on {', '.join(unused)}; it depends on "
                           f"{', '.join(tgt.parameters) or 'nothing'}")
    missing = [n for n in tgt.parameters if n not in grid_names and n not in exact]
    if missing:
        raise ToolkitError(f"{tgt.name} needs values for {', '.join(missing)} (a --grid or name=value each)")
    if chunk is not None and chunk < 1:
        raise ToolkitError(f"--chunk must be at least 1, got {chunk}")
    size = int(np.prod([ax.n for ax in axes]))
    if size > 1 << 40:
        raise ToolkitError(f"the grid has {size:.3g} points: too many")
    notes = [ax.note for ax in axes if ax.note]
    return MapSpec(model.name, tgt, axes, exact, model.domain, chunk or DEFAULT_CHUNK[tgt.kind], resolve, notes)


# =============================================================================================
# The dask array
# =============================================================================================
def dask_array(spec: MapSpec):
    """The map as a lazy dask array built with :func:`dask.array.blockwise` over the axes' index
    arrays: shape ``spec.shape`` (plus a last axis of fields for ``equilibria``)."""
    import dask.array as da

    letters = "abcdefghijklmnopqrstuvwxy"[:len(spec.axes)]
    index = []
    for ax, c, i in zip(spec.axes, spec.chunks, letters):
        index += [da.arange(ax.n, chunks=c), i]
    common = [spec.axes, None, spec.fixed, None, spec.domain, None]
    kind = spec.target.kind
    if kind == "quantity":
        return da.blockwise(T.quantity_block, letters, spec.target.payload, None, *common, *index, dtype=np.float64)
    if kind == "claim":
        return da.blockwise(T.truth_block, letters, spec.target.payload, None, *common, *index, dtype=np.int8)
    fields = {"z": len(spec.target.fields)}
    if kind == "regions":
        return da.blockwise(T.regions_block, letters + "z", spec.target.payload, None, *common, *index,
                            new_axes=fields, dtype=np.int64)
    return da.blockwise(T.equilibria_block, letters + "z", spec.target.payload, None, *common, spec.resolve, None,
                        *index, new_axes=fields, dtype=np.int16)


def _sources(spec: MapSpec, arr) -> list:
    if len(spec.target.fields) > 1:   # one field per slice of the last axis
        return [arr[..., k] for k in range(len(spec.target.fields))]
    return [arr]


def compute(spec: MapSpec, client=None, progress: bool = False) -> dict:
    """The whole map in memory: ``{field: ndarray}`` (small maps, tests, figures)."""
    import dask

    arrays = _sources(spec, dask_array(spec))
    if client is not None:
        futures = client.compute(arrays)
        _watch(futures, progress)
        values = client.gather(futures)
    else:
        with _local_progress(progress):
            values = dask.compute(*arrays, scheduler="threads")
    return {f: np.asarray(v) for (f, _, _), v in zip(spec.target.fields, values)}


def _watch(futures, progress: bool) -> None:
    """distributed's progress bar on stderr until the futures are done (nothing if not ``progress``)."""
    if progress:
        from distributed import progress as bar

        with contextlib.redirect_stdout(sys.stderr):
            bar(futures)
            sys.stdout.write("\n")


@contextlib.contextmanager
def _local_progress(progress: bool):
    if not progress:
        yield
        return
    from dask.diagnostics import ProgressBar

    with ProgressBar(out=sys.stderr):
        yield


# =============================================================================================
# Output
# =============================================================================================
def output_format(out: str | Path) -> str:
    """``zarr``, ``parquet`` or ``csv`` from the output's name (one-line error otherwise)."""
    suffix = Path(out).suffix.lower()
    if suffix in (".zarr", ".parquet", ".csv"):
        return suffix[1:]
    raise ToolkitError(f"--out {out}: the output must end in .zarr (a Zarr store, written chunk by chunk), "
                       ".parquet (a table, one row per point, written chunk by chunk) or .csv (small maps)")


def prepare(out: str | Path) -> Path:
    """A fresh temporary path beside ``out`` (so the final rename is atomic); one-line errors for
    an output that cannot be written, or a directory in the way that is not a map."""
    out = Path(out)
    fmt = output_format(out)
    if out.exists() and out.is_dir() and not _is_map(out, fmt):
        raise ToolkitError(f"--out {out}: a directory that is not a map is in the way")
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            tmp.write_text("")
        else:
            tmp.mkdir()
    except OSError as exc:
        raise ToolkitError(f"cannot write {out}: {exc.strerror or exc}") from None
    return tmp


#: the files that make a directory a Zarr group (format 3, format 2)
_MARKERS = ("zarr.json", ".zgroup")


def _is_map(path: Path, fmt: str) -> bool:
    """Whether the directory ``path`` is a map of format ``fmt`` (which a new map may replace)."""
    if fmt == "zarr":
        return any((path / m).exists() for m in _MARKERS)
    return fmt == "parquet" and any(path.glob("part-*.parquet"))


def _array(group, name: str, **kwargs):
    """``group.create_array`` (zarr 3) or ``create_dataset`` (zarr 2, whose ``compressor`` is one)."""
    if hasattr(group, "create_array"):
        return group.create_array(name, **kwargs)
    if "compressors" in kwargs:
        kwargs["compressor"] = kwargs.pop("compressors")
    return group.create_dataset(name, **kwargs)


def _discard(path: Path) -> None:
    """Remove a partial output.  A Zarr store loses its marker (``zarr.json``) first, so that a
    block still being computed when the map failed does not write into it (see :class:`_Store`);
    the removal is repeated while such a block may still be finishing."""
    if not path.is_dir():
        if path.exists():
            path.unlink()
        return
    for marker in _MARKERS:
        with contextlib.suppress(OSError):
            (path / marker).unlink()
    for _ in range(20):
        shutil.rmtree(path, ignore_errors=True)
        time.sleep(0.05)
        if not path.exists():
            time.sleep(0.25)
            if not path.exists():
                return


class _Store:
    """The target of one field: writes a block into the Zarr array ``name`` of the store at
    ``root``, unless the store has been abandoned (its ``zarr.json`` removed by :func:`_discard`).
    Pickles to its two paths (each worker opens the array itself)."""

    def __init__(self, root: str, name: str):
        self.root, self.name, self._array = root, name, None

    def __setitem__(self, key, value):
        if not any(os.path.exists(os.path.join(self.root, m)) for m in _MARKERS):
            return
        if self._array is None:
            import zarr
            self._array = zarr.open_array(os.path.join(self.root, self.name), mode="r+")
        self._array[key] = value

    def __getstate__(self):
        return {"root": self.root, "name": self.name, "_array": None}


def _install(tmp: Path, out: Path) -> None:
    """Put the finished ``tmp`` in place of ``out`` (a rename; an old map is removed after)."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        _discard(old)


def write(spec: MapSpec, out: str | Path, client=None, progress: bool = False, tmp: Path | None = None) -> Path:
    """Compute the map and write it to ``out`` (``.zarr``: chunk by chunk, each block by the
    worker that computed it; ``.parquet``: a dataset of one file per block, one row per point;
    ``.csv``: one row per point); the output appears only when complete
    (written to ``tmp`` -- from :func:`prepare` -- and renamed).  Returns ``out``."""
    out = Path(out)
    fmt = output_format(out)
    if fmt == "csv" and spec.size > CSV_LIMIT:
        raise ToolkitError(f"--out {out}: {spec.size} points is too many for CSV (at most {CSV_LIMIT}); write a .zarr")
    tmp = tmp if tmp is not None else prepare(out)
    try:
        if fmt == "csv":
            _write_csv(spec, compute(spec, client, progress), tmp)
        elif fmt == "parquet":
            _write_parquet(spec, tmp, client, progress)
        else:
            _write_zarr(spec, tmp, client, progress)
        _install(tmp, out)
    except BaseException:
        _discard(tmp)
        raise
    return out


def _write_zarr(spec: MapSpec, path: Path, client, progress: bool) -> None:
    import dask.array as da
    import zarr

    group = zarr.open_group(str(path), mode="w")
    group.attrs.update(spec.attrs())
    axes = group.create_group("axes")
    for ax in spec.axes:
        _array(axes, ax.name, data=ax.floats())
    for name, dtype, fill in spec.target.fields:
        # floats barely compress (a smooth float64 map keeps ~93 % of its size) and compressing them
        # costs more than writing them; integer codes and counts compress to almost nothing
        extra = {"compressors": None} if dtype.startswith("float") else {}
        _array(group, name, shape=spec.shape, chunks=spec.chunks, dtype=dtype, fill_value=fill, **extra)
    targets = [_Store(str(path), name) for name, _, _ in spec.target.fields]
    _run(da.store(_sources(spec, dask_array(spec)), targets, lock=False, compute=False), client, progress)


def _run(work, client, progress: bool) -> None:
    """Compute ``work`` (a delayed object or a list of them) on ``client`` (cancelled if this
    fails) or, without one, on local threads."""
    import dask

    if client is None:
        with _local_progress(progress):
            dask.compute(work, scheduler="threads")
        return
    futures = client.compute(work)
    futures = futures if isinstance(futures, list) else [futures]
    try:
        _watch(futures, progress)
        client.gather(futures)
    except BaseException:
        client.cancel(futures)
        raise


#: the key of the map's attributes (JSON) in each Parquet file's schema metadata
PARQUET_KEY = b"gt_derivations"


def _write_parquet(spec: MapSpec, path: Path, client, progress: bool) -> None:
    """One Parquet file per block (``part-00000.parquet``, ...), written by the worker that
    computed the block: a column per mapped parameter, then one per field, masked points null."""
    import json

    from dask import delayed

    arr = dask_array(spec)
    blocks = arr.to_delayed().reshape(arr.numblocks[:len(spec.axes)])
    starts = [np.concatenate([[0], np.cumsum(c)[:-1]]) for c in arr.chunks[:len(spec.axes)]]
    meta = json.dumps(spec.attrs(), sort_keys=True).encode()
    parts = []
    for k, index in enumerate(np.ndindex(blocks.shape)):
        offsets = tuple(int(s[i]) for s, i in zip(starts, index))
        parts.append(delayed(_parquet_part)(blocks[index], offsets, spec.axes, spec.target.fields, meta,
                                            str(path / f"part-{k:05d}.parquet")))
    _run(parts, client, progress)


def _parquet_part(block, offsets, axes, fields, meta: bytes, file: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    block = np.asarray(block)
    columns = dict(zip([ax.name for ax in axes], _grid_columns(axes, offsets, block.shape[:len(axes)])))
    for k, (name, dtype, fill) in enumerate(fields):
        values = (block[..., k] if block.ndim > len(axes) else block).reshape(-1).astype(dtype)
        masked = np.isnan(values) if isinstance(fill, float) and np.isnan(fill) else values == fill
        columns[name] = pa.array(values, mask=masked)
    table = pa.table(columns).replace_schema_metadata({PARQUET_KEY: meta})
    if not os.path.isdir(os.path.dirname(file)):
        return   # the map was abandoned (its directory removed) while this block was computed
    pq.write_table(table, file)


def _grid_columns(axes, offsets=None, shape=None) -> list:
    """Each mapped parameter's value at every point, row-major: of the whole grid, or of the
    block of ``shape`` starting at ``offsets``."""
    offsets = offsets or (0,) * len(axes)
    shape = shape or tuple(ax.n for ax in axes)
    mesh = np.meshgrid(*[ax.floats()[o:o + n] for ax, o, n in zip(axes, offsets, shape)], indexing="ij")
    return [m.reshape(-1) for m in mesh]


def _write_csv(spec: MapSpec, values: dict, path: Path) -> None:
    names = [ax.name for ax in spec.axes]
    cols = _grid_columns(spec.axes) + [values[f].reshape(-1) for f, _, _ in spec.target.fields]
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names + [f for f, _, _ in spec.target.fields])
        for row in zip(*cols):
            w.writerow([repr(float(x)) for x in row[:len(names)]]
                       + ["" if isinstance(x, float) and np.isnan(x) else (repr(float(x)) if isinstance(x, np.floating)
                                                                            else int(x)) for x in row[len(names):]])


@dataclass
class MapResult:
    """A map read back: ``axes`` (name -> float values), ``fields`` (name -> array), ``attrs``."""

    axes: dict
    fields: dict
    attrs: dict


def read(path: str | Path) -> MapResult:
    """A map written by :func:`write` to a Zarr store or a Parquet dataset."""
    import zarr

    path = Path(path)
    fmt = output_format(path)
    if fmt == "csv":
        raise ToolkitError(f"{path}: only Zarr and Parquet maps are read back (a CSV map is a plain table)")
    if fmt == "parquet":
        return _read_parquet(path)
    try:
        group = zarr.open_group(str(path), mode="r")
    except Exception as exc:
        raise ToolkitError(f"cannot read the map {path}: {exc}") from None
    attrs = dict(group.attrs)
    axes = {n: np.asarray(group["axes"][n][:]) for n in attrs["parameters"]}
    return MapResult(axes, {f: np.asarray(group[f][:]) for f in attrs["fields"]}, attrs)


def _read_parquet(path: Path) -> MapResult:
    """The arrays of a Parquet map: each row put back at its grid point."""
    import json

    import pyarrow.parquet as pq

    files = sorted(path.glob("part-*.parquet"))
    if not files:
        raise ToolkitError(f"cannot read the map {path}: no part-*.parquet files in it")
    try:
        tables = [pq.read_table(f) for f in files]
        attrs = json.loads(tables[0].schema.metadata[PARQUET_KEY])
    except Exception as exc:
        raise ToolkitError(f"cannot read the map {path}: {exc}") from None
    # every grid point has its row (a masked one has null fields), so the axes are the distinct values
    axes = {n: np.unique(np.concatenate([t.column(n).to_numpy() for t in tables])) for n in attrs["parameters"]}
    shape = tuple(attrs["shape"])
    if tuple(len(v) for v in axes.values()) != shape:
        raise ToolkitError(f"cannot read the map {path}: its rows do not fill the grid {' x '.join(map(str, shape))}")
    fields = {f: np.full(shape, np.nan if fill is None else fill,
                         dtype=tables[0].schema.field(f).type.to_pandas_dtype()) for f, fill in attrs["masked"].items()}
    for t in tables:
        at = tuple(np.searchsorted(axes[n], t.column(n).to_numpy()) for n in attrs["parameters"])
        for f in fields:
            col = t.column(f)
            keep = ~np.asarray(col.is_null())
            fields[f][tuple(i[keep] for i in at)] = col.drop_null().to_numpy()
    return MapResult(axes, fields, attrs)


# =============================================================================================
# Clusters
# =============================================================================================
@contextlib.contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None):
    """A :class:`distributed.Client`: connected to ``scheduler`` (within
    :data:`CONNECT_TIMEOUT` seconds, else a one-line error), or to a new
    :class:`distributed.LocalCluster` of ``workers`` single-threaded worker processes (default:
    one per core), closed afterwards."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT}s")
        except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ToolkitError(f"no dask scheduler answers at {scheduler} ({reason})") from None
        try:
            _check_environment(client, scheduler)
            yield client
        finally:
            client.close()
        return
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n < 1:
        raise ToolkitError(f"--workers must be at least 1, got {n}")
    import dask

    one = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    # the workers' statistical profiler samples the task thread's stack every 10 ms: a fifth of the
    # time of the equilibrium sweep's deep Python stacks (measured); the workers get the setting at spawn
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        lc = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=logging.CRITICAL, env=one)
    client = Client(lc)
    try:
        yield client
    finally:
        client.close()
        lc.close()


def _check_environment(client, address: str) -> None:
    """One-line errors, before a map is sent, for a cluster that could not run it: no worker within
    :data:`CONNECT_TIMEOUT` seconds, or a scheduler or worker that cannot import this toolkit (the
    scheduler unpickles the task graph: without the package it drops the graph and the client
    would wait for ever)."""
    import importlib

    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except Exception:
        raise ToolkitError(f"the dask scheduler at {address} has no workers (start some: dask worker {address})") from None
    hint = "install this package in the same environment there (pip install -e .)"
    try:
        client.run_on_scheduler(importlib.import_module, "symbolic.maps")
    except Exception as exc:
        raise ToolkitError(f"the dask scheduler at {address} cannot import the toolkit ({exc}); {hint}") from None
    try:
        client.run(importlib.import_module, "symbolic.maps")
    except Exception as exc:
        raise ToolkitError(f"a dask worker of {address} cannot import the toolkit ({exc}); {hint}") from None
