"""An on-disk cache of verification results, so an unchanged rebuild is fast.

A result is stored under a key that hashes everything it depends on: the source of the model's
module, the source of every module of this toolkit and its report templates, the Python, SymPy, NumPy and z3 versions, the
proof configuration (``GT_DERIVATIONS_SOLVERS``, ``GT_DERIVATIONS_PROCEDURES``: they change verdicts)
and the settings (draws, seed ...).  Change any of them and the key changes, so a stale entry is never
read; entries that fail to load are ignored and recomputed.  The folder is
``$GT_DERIVATIONS_CACHE/results`` (default ``~/.cache/gt-derivations/results``); set
``GT_DERIVATIONS_NO_CACHE=1`` (or pass ``--no-cache`` to the CLI) to bypass it.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import platform
import tempfile
from pathlib import Path
from typing import Callable

from .codegen import cache_dir

_TOOLKIT_HASH: str | None = None


def _toolkit_hash() -> str:
    global _TOOLKIT_HASH
    if _TOOLKIT_HASH is None:
        import numpy
        import sympy
        import z3

        h = hashlib.sha256()
        root = Path(__file__).resolve().parent
        # the toolkit's modules and the report templates (a cached appendix is rendered text)
        templates = root.parent / "reports" / "templates"
        for path in sorted(root.rglob("*.py")) + sorted(templates.rglob("*") if templates.is_dir() else []):
            if path.is_file():
                h.update(str(path.relative_to(root.parent)).encode())
                h.update(path.read_bytes())
        for version in (platform.python_version(), sympy.__version__, numpy.__version__, z3.get_version_string()):
            h.update(version.encode())
        _TOOLKIT_HASH = h.hexdigest()
    return _TOOLKIT_HASH


def source_hash(*paths: str | Path) -> str:
    """Hash of the given source files (a model's module) together with the toolkit's own sources."""
    h = hashlib.sha256(_toolkit_hash().encode())
    for path in paths:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def enabled() -> bool:
    return os.environ.get("GT_DERIVATIONS_NO_CACHE") != "1"


def cached(model, kind: str, settings: tuple, compute: Callable):
    """``compute()``, or its stored result for this model source, kind and settings."""
    return cached_by(getattr(model, "source_fingerprint", None), model.name, kind, settings, compute)


def cached_by(fingerprint: str | None, name: str, kind: str, settings: tuple, compute: Callable):
    """``compute()``, or its stored result for this source ``fingerprint`` (see
    :func:`derivations.fingerprint`), model name, kind and settings; no caching without a
    fingerprint."""
    value = lookup(fingerprint, name, kind, settings)
    if value is None:
        value = compute()
        store(fingerprint, name, kind, settings, value)
    return value


def _path(fingerprint: str, name: str, kind: str, settings: tuple) -> Path:
    configuration = (os.environ.get("GT_DERIVATIONS_SOLVERS", "").replace(" ", "") or "default",
                     os.environ.get("GT_DERIVATIONS_PROCEDURES", "1") != "0")
    key = hashlib.sha256(repr((fingerprint, name, kind, settings, configuration)).encode()).hexdigest()
    return cache_dir() / "results" / f"{key}.pickle"


def lookup(fingerprint: str | None, name: str, kind: str, settings: tuple):
    """The stored result (see :func:`cached_by`), or None (missing, unreadable, caching off)."""
    if fingerprint is None or not enabled():
        return None
    return load_pickle(_path(fingerprint, name, kind, settings))


def store(fingerprint: str | None, name: str, kind: str, settings: tuple, value) -> None:
    """Store a result under its key (nothing without a fingerprint or with caching off)."""
    if fingerprint is not None and enabled():
        store_pickle(_path(fingerprint, name, kind, settings), value)


def load_pickle(path: Path):
    """The object pickled at ``path``, or None if it is missing, truncated or unreadable."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, truncated or from an incompatible version: recompute
        return None


def store_pickle(path: Path, value) -> None:
    """Pickle ``value`` to ``path`` atomically; an unwritable cache only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except Exception:
        pass
