"""Run a SymPy computation that may not terminate (``solve``, a Gröbner basis) in a child
process, abandoned after a time budget."""
from __future__ import annotations

import multiprocessing as mp
from typing import Callable

from ..errors import DerivationError


def _worker(fn, args, queue):  # pragma: no cover - runs in a child process
    try:
        queue.put(("ok", fn(*args)))
    except Exception as exc:  # the parent reports it as a derivation error
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


def run_with_budget(fn: Callable, args: tuple, seconds: float, what: str):
    """``fn(*args)`` in a forked child process; :class:`DerivationError` (one line, naming
    ``what``) when it fails or takes longer than ``seconds``."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_worker, args=(fn, args, queue), daemon=True)
    proc.start()
    proc.join(seconds)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        raise DerivationError(f"{what} exceeded its {seconds:g} s budget")
    try:
        status, value = queue.get(timeout=5)
    except Exception:
        raise DerivationError(f"{what} failed (the child process returned nothing)") from None
    if status == "error":
        raise DerivationError(f"{what} failed: {value.splitlines()[0][:200]}")
    return value


__all__ = ["run_with_budget"]
