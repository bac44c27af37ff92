"""Grid axes of a map (exact values, open ends stepped inside) and their chunking."""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..domain import Domain
from ..errors import ToolkitError


def number(text, what: str) -> Fraction:
    """``text`` (``0.3``, ``3/10``, ``1e-3``, a number) as an exact Fraction (floats by their
    shortest decimal representation); a one-line error for anything else."""
    if isinstance(text, Fraction):
        return text
    try:
        if isinstance(text, float):
            text = repr(text)
        out = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise ToolkitError(f"{what}: {text!r} is not a number") from None
    return out


@dataclass(frozen=True)
class Axis:
    """One mapped parameter: ``n`` exact values from ``lo`` to ``hi`` (both included) in equal
    steps, except that an end the parameter's domain excludes is moved a hundredth of a step
    inside (``first`` and ``last`` are the end values used; ``note`` says what moved)."""

    name: str
    lo: Fraction
    hi: Fraction
    n: int
    first: Fraction
    last: Fraction
    note: str | None = None

    def value(self, k: int) -> Fraction:
        """The ``k``-th value, exactly."""
        k = int(k)
        if k == 0:
            return self.first
        if k == self.n - 1:
            return self.last
        return self.lo + (self.hi - self.lo) * Fraction(k, self.n - 1)

    @property
    def values(self) -> tuple:
        """Every value, exactly."""
        return tuple(self.value(k) for k in range(self.n))

    def floats(self, index=None) -> np.ndarray:
        """The values at ``index`` (default: all) as floats: ``lo + (hi - lo) k / (n - 1)`` in
        floating point, the two ends as their exact values rounded."""
        k = np.arange(self.n) if index is None else np.asarray(index)
        if self.n == 1:
            return np.full(k.shape, float(self.first))
        lo, hi = float(self.lo), float(self.hi)
        out = lo + (hi - lo) * (k / (self.n - 1))
        out = np.where(k == 0, float(self.first), out)
        return np.where(k == self.n - 1, float(self.last), out)

    def spec(self) -> str:
        """``name=lo:hi:n`` as given."""
        return f"{self.name}={self.lo}:{self.hi}:{self.n}"


def parse_grid(spec: str) -> tuple[str, Fraction, Fraction, int]:
    """``name=lo:hi:n`` -> ``(name, lo, hi, n)`` (one-line errors)."""
    name, eq, rest = str(spec).partition("=")
    parts = rest.split(":")
    if not eq or not name.strip() or len(parts) != 3:
        raise ToolkitError(f"--grid {spec!r}: expected name=lo:hi:n (e.g. p=0:1:101)")
    lo, hi = number(parts[0], f"--grid {spec}"), number(parts[1], f"--grid {spec}")
    try:
        n = int(parts[2])
    except ValueError:
        raise ToolkitError(f"--grid {spec}: the number of points {parts[2]!r} is not an integer") from None
    return name.strip(), lo, hi, n


def make_axis(domain: Domain, name: str, lo, hi, n: int) -> Axis:
    """The axis of parameter ``name`` of ``domain`` (see :class:`Axis`); one-line errors for a
    name that is not a parameter, ``n <= 0``, ``lo >= hi`` and values outside the domain."""
    par = domain[name]  # UnknownNameError: one line naming the parameters
    lo, hi = number(lo, f"--grid {name}"), number(hi, f"--grid {name}")
    if n <= 0:
        raise ToolkitError(f"--grid {name}: the number of points must be at least 1, got {n}")
    if lo >= hi:
        raise ToolkitError(f"--grid {name}: lo={lo} must be below hi={hi}")
    step = (hi - lo) / (n - 1) if n > 1 else hi - lo
    values = [lo, hi] if n > 1 else [lo, lo]   # the ends (one point: lo)
    dom, moved = par.domain, []
    for k, end, is_open, sign in ((0, dom.lo, dom.lo_open, 1), (-1, dom.hi, dom.hi_open, -1)):
        if end is not None and is_open and values[k] == number(end, name):
            values[k] += sign * step / 100
            moved.append((end, values[k]))
    for v in (values[0], values[-1]):
        if not dom.contains(float(v)) or not math.isfinite(float(v)):
            raise ToolkitError(f"--grid {name}: {name}={v} lies outside its domain {dom.describe()}")
    note = None
    if moved:
        note = (f"{name}'s domain {dom.describe()} excludes {' and '.join(f'{name}={number(a, name)}' for a, _ in moved)}: "
                f"mapped at {' and '.join(str(b) for _, b in moved)} instead (a hundredth of a step inside)")
    return Axis(name, lo, hi, n, values[0], values[-1] if n > 1 else values[0], note)


def chunk_shape(sizes: tuple[int, ...], points: int) -> tuple[int, ...]:
    """Blocks of about ``points`` points (at least one), in C order: the last axis is filled
    first, so a block is a run of whole rows where it can be."""
    if points < 1:
        raise ToolkitError(f"--chunk must be at least 1, got {points}")
    out, room = [], points
    for size in reversed(sizes):
        c = max(1, min(size, room))
        out.append(c)
        room = max(1, room // c)
    return tuple(reversed(out))
