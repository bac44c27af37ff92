r"""Numeric functions of SymPy expressions, and independent numeric solvers.

* :class:`NumericFunction` -- a lambdified, vectorised function with keyword arguments that
  accepts scalars or broadcastable numpy arrays.
* :func:`truth_with_margin` -- evaluate a Boolean combination of relationals on arrays, and flag
  points within a tolerance of some relational's boundary (where floating point cannot decide).
* :func:`find_root` -- vectorised root of :math:`g(x) = 0` with :math:`g` monotone in :math:`x`;
  it brackets the root by doubling, then refines every bracket at once by Chandrupatla's
  bisection/interpolation method (:func:`root_bracketed`), so it needs no closed form: it is the
  independent solver the closed-form cutoffs are cross-checked against.
* :func:`numeric_derivative` -- complex-step (or central-difference) derivatives.
"""
from __future__ import annotations

import inspect
from typing import Mapping, Sequence

import numpy as np
import sympy as sp

from .errors import DomainError

_MISSING = object()
#: Arrays at least this long go to the compiled C kernel when one is available.
C_THRESHOLD = 1 << 12
#: Block length of the pure-numpy path for long arrays (temporaries stay in cache).
BLOCK = 1 << 14


#: SymPy >= 1.13 can skip printing the expression into the lambdified function's docstring
#: (a third of the time to lambdify a long expression).
_NO_DOCSTRING = ({"docstring_limit": 0} if "docstring_limit" in inspect.signature(sp.lambdify).parameters
                 else {})


def lambdify(symbols: Sequence[sp.Symbol], expr, cse: bool = False):
    """``sympy.lambdify(symbols, expr, "numpy")``, printing the terms in stored order.

    SymPy's printers sort the terms of every sum into canonical order, which dominates the time
    to lambdify a long ``Piecewise`` (about 9x here); the order does not change the function.
    """
    from sympy.printing.numpy import NumPyPrinter

    printer = NumPyPrinter({"order": "none", "fully_qualified_modules": False, "inline": True,
                            "allow_unknown_functions": True, "user_functions": {}})
    return sp.lambdify(symbols, expr, modules="numpy", printer=printer, cse=cse, **_NO_DOCSTRING)


class NumericFunction:
    """A vectorised numeric version of a SymPy expression.

    Call with keyword arguments named after the parameters (scalars or numpy arrays, broadcast
    together); the result is a float for scalar input, else an array of the broadcast shape.
    Keywords that are not among its parameters are ignored, so a whole parameter point (a dict of
    every model parameter) can be passed.  Arrays of at least :data:`C_THRESHOLD` elements use a
    fused, multi-threaded C kernel generated from the expression (:mod:`symbolic.codegen`) when a
    C compiler is available, else blocked numpy; smaller ones use the lambdified numpy function
    (lambdified on first use), or the kernel once one is at hand (a root finder's shrinking
    batches).  :func:`fast_function` wraps this class in a generated plain function with a
    ``math`` path for Python floats.
    """

    def __init__(self, expr: sp.Basic, symbols: Sequence[sp.Symbol], name: str = "f"):
        self.expr = expr
        self.symbols = list(symbols)
        self.parameters = [s.name for s in self.symbols]
        self.name = name
        self._numpy = None  # lambdified on first use
        self._kernel = _MISSING  # compiled on the first large call
        self._implemented = None  # whether a function in expr has a numeric implementation

    def __call__(self, **values):
        return self._vector(*[values.get(p, _MISSING) for p in self.parameters])

    def _vector(self, *values):
        missing = [p for p, v in zip(self.parameters, values) if v is _MISSING]
        if missing:
            raise DomainError(f"{self.name} needs values for: {', '.join(missing)}")
        args = [np.asarray(v, dtype=float) for v in values]
        shape = np.broadcast_shapes(*(a.shape for a in args)) if args else ()
        size = int(np.prod(shape))
        with np.errstate(all="ignore"):
            if size >= C_THRESHOLD or (size >= 64 and self._kernel not in (_MISSING, None)):
                out = self._large(args, shape, size)  # (a kernel at hand serves smaller arrays too)
            else:
                out = np.broadcast_to(np.asarray(self._f(*args), dtype=float), shape)
        return float(out) if out.ndim == 0 else np.array(out) if not out.flags.writeable else out

    def _f(self, *args):
        """The lambdified numpy function."""
        if self._numpy is None:
            self._numpy = lambdify(self.symbols, self.expr, cse=True)
        return self._numpy(*args)

    def _large(self, args, shape, size):
        if self._implemented is None:
            self._implemented = has_implemented_function(self.expr)
        if self._implemented and size <= 1 << 17:
            # a numerically implemented function (an implicit quantity's root finder) is called
            # once on the whole arrays, as given: it is vectorised itself, and it remembers the
            # arguments it has seen (a later quantity built on it reuses its roots); longer
            # arrays go by blocks below, which bounds the root finder's memory
            return np.broadcast_to(np.asarray(self._f(*args), dtype=float), shape)
        flat = [a.reshape(-1) if a.size == 1 else np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)
                for a in args]
        if self._kernel is _MISSING:
            from .codegen import compile_kernel
            self._kernel = compile_kernel(self.expr, self.symbols)
        if self._kernel is not None:
            return self._kernel(flat).reshape(shape)
        out = np.empty(size)
        for lo in range(0, size, BLOCK):
            block = slice(lo, lo + BLOCK)
            out[block] = self._f(*[a if a.size == 1 else a[block] for a in flat])
        return out.reshape(shape)

    def call(self, point: Mapping[str, np.ndarray]):
        """Call with a mapping that may hold extra parameters."""
        return self(**{p: point[p] for p in self.parameters})

    def __repr__(self) -> str:
        return f"<NumericFunction {self.name}({', '.join(self.parameters)})>"


def nodes(expr: sp.Basic):
    """Each distinct sub-expression of ``expr`` once (its DAG, not its tree: a long composed
    ``Piecewise`` repeats the same sub-trees many times over, which ``atoms`` walks each time)."""
    seen, stack = set(), [expr]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            yield node
            stack.extend(node.args)


def has_implemented_function(expr: sp.Basic) -> bool:
    """Whether ``expr`` calls a function with a numeric implementation (``_imp_``)."""
    return any(isinstance(node, sp.Function) and hasattr(node, "_imp_") for node in nodes(expr))


def fast_function(expr: sp.Basic, symbols: Sequence[sp.Symbol], name: str = "f"):
    """A plain function with the behaviour of :class:`NumericFunction` and a scalar fast path.

    When every argument is a Python ``float``, generated ``math`` code evaluates the expression
    directly (a plain function call: no numpy, no argument parsing beyond Python's own); anything
    else goes to the vectorised :class:`NumericFunction`.  The function carries ``parameters``,
    ``symbols``, ``expr``, ``name`` and ``call(point)`` like the class.  Falls back to the class
    itself when the names are not plain identifiers or ``math`` cannot evaluate the expression.
    """
    import keyword
    import math

    from sympy.core.function import AppliedUndef
    from sympy.printing.pycode import PythonCodePrinter

    impl = NumericFunction(expr, symbols, name)
    names = impl.parameters
    plain = len(set(names)) == len(names) and all(
        n.isidentifier() and not keyword.iskeyword(n) and not n.startswith("_") for n in names)
    expr = sp.sympify(expr)
    foreign = any(isinstance(f, AppliedUndef) or not type(f).__module__.startswith("sympy")
                  for f in nodes(expr) if isinstance(f, sp.Function))
    if not plain or foreign:
        return impl
    printer = PythonCodePrinter({"fully_qualified_modules": True, "order": "none"})
    try:
        body = printer.doprint(expr)
    except Exception:
        return impl
    if printer._not_supported or "Not supported" in body:
        return impl
    if expr.is_number:
        body = f"float({body})"
    fname = name if name.isidentifier() and not keyword.iskeyword(name) else "f"
    signature = "*, " + "".join(f"{n}=_MISSING, " for n in names) if names else ""
    test = " and ".join(f"type({n}) is float" for n in names) or "True"
    source = (f"def {fname}({signature}**_extra):\n"
              f"    if {test}:\n"
              f"        try:\n"
              f"            return {body}\n"
              f"        except (ArithmeticError, ValueError):\n"
              f"            pass\n"
              f"    return _impl._vector({', '.join(names)})\n")
    namespace = {"math": math, "_MISSING": _MISSING, "_impl": impl}
    exec(compile(source, f"<numeric function {name}>", "exec"), namespace)
    fn = namespace[fname]
    # (printing a long expression into the docstring would cost more than the rest of this)
    fn.__doc__ = (f"{name}({', '.join(names)}): the value of its .expr "
                  "(vectorised; see symbolic.numeric.fast_function)")
    fn.expr, fn.symbols, fn.parameters, fn.name, fn.call = impl.expr, impl.symbols, names, name, impl.call
    fn.impl = impl
    return fn


def truth_with_margin(prop: sp.Basic, point: Mapping[sp.Symbol, np.ndarray], tol: float):
    """Evaluate a Boolean ``prop`` at array-valued ``point``.

    Returns ``(truth, ambiguous, margin)``: ``truth`` the Boolean array, ``ambiguous`` marks
    points where some relational ``a ? b`` has ``|a - b| <= tol * (1 + |a| + |b|)`` (the
    verdict there is floating-point noise), and ``margin`` is the largest such scaled distance
    ``|a - b| / (1 + |a| + |b|)`` over the equalities in ``prop`` (their numeric error).
    """
    syms = sorted(prop.free_symbols, key=lambda s: s.name)
    shape = np.broadcast(*[np.asarray(point[s]) for s in syms]).shape if syms else ()
    state = {"amb": np.zeros(shape, dtype=bool), "err": np.zeros(shape)}

    def ev(e):
        if e == sp.true:
            return np.ones(shape, dtype=bool)
        if e == sp.false:
            return np.zeros(shape, dtype=bool)
        if isinstance(e, sp.And):
            return np.logical_and.reduce([ev(a) for a in e.args])
        if isinstance(e, sp.Or):
            return np.logical_or.reduce([ev(a) for a in e.args])
        if isinstance(e, sp.Not):
            return ~ev(e.args[0])
        if isinstance(e, sp.Implies):
            return ~ev(e.args[0]) | ev(e.args[1])
        if isinstance(e, sp.Equivalent):
            vals = [ev(a) for a in e.args]
            return np.logical_and.reduce([v == vals[0] for v in vals[1:]])
        if isinstance(e, sp.Rel):
            a = _evaluate(e.lhs, point, shape)
            b = _evaluate(e.rhs, point, shape)
            scale = 1 + np.abs(a) + np.abs(b)
            d = (a - b)
            near = np.abs(d) <= tol * scale
            state["amb"] |= near | ~np.isfinite(d)
            op = e.rel_op
            if op in ("==", "!="):
                state["err"] = np.maximum(state["err"], np.where(np.isfinite(d), np.abs(d) / scale, np.inf))
                eq = near
                return eq if op == "==" else ~eq
            return {"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0}[op]
        raise TypeError(f"not a Boolean combination of relationals: {e}")

    with np.errstate(all="ignore"):
        truth = ev(prop)
    return truth, state["amb"], state["err"]


_EVAL_CACHE: dict = {}


def _evaluate(expr: sp.Basic, point: Mapping[sp.Symbol, np.ndarray], shape) -> np.ndarray:
    syms = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
    key = (expr, syms)
    if key not in _EVAL_CACHE:
        _EVAL_CACHE[key] = lambdify(syms, expr)
    out = _EVAL_CACHE[key](*[np.asarray(point[s], dtype=float) for s in syms])
    return np.broadcast_to(np.asarray(out, dtype=float), shape)


def find_root(g, n: int, lo: float | None = None, hi: float | None = None, start: float = 1.0,
              max_doublings: int = 60, iterations: int = 200, args: tuple = (), lo_open: bool = False,
              hi_open: bool = False):
    """Vectorised root of ``g(x, *args) = 0`` for ``n`` independent problems.

    ``g(x, *args)`` takes an array ``x`` of length ``n`` (and ``args`` cut down alike) and
    returns an array.  The search starts on ``[lo, hi]`` (the variable's domain; ``None`` is
    unbounded) and widens an unbounded side by doubling until ``g`` changes sign; problems with
    no sign change inside the domain are then bracketed beyond each finite end in turn, widening
    outward (a cutoff may lie outside its variable's domain).  Then :func:`root_bracketed`.
    Returns ``(root, bracketed)``; ``root`` is NaN where no sign change was found.

    An end excluded from the domain (``lo_open``, ``hi_open``) is never evaluated: the bracket
    starts just inside it, and the search beyond it just outside (:func:`step_inside`), so a
    condition with a pole there -- ``1/(1 - d)`` on ``d`` in ``[0, 1)`` -- is bracketed where it
    is finite, and no bracket straddles the pole (a sign change across a pole is no root).  The
    excluded end itself is evaluated only where ``g`` changes sign within one rounding step across
    it, to tell a root exactly at the end (``g`` finite there) from a pole.
    """
    args = tuple(np.broadcast_to(np.asarray(x, dtype=float), (n,)) for x in args)
    a, b, found = _bracket(g, args, n, lo, hi, start, max_doublings, lo_open, hi_open)
    for end, below, end_open in ((lo, True, lo_open), (hi, False, hi_open)):
        if end is None or found.all():
            continue
        # no sign change in the domain: search beyond this end (a g without args sees every problem)
        rest = np.flatnonzero(~found) if args else np.arange(n)
        side = (None, end, False, end_open) if below else (end, None, end_open, False)
        a2, b2, found2 = _bracket(g, tuple(x[rest] for x in args), rest.size, *side[:2], start, max_doublings,
                                  *side[2:])
        take = ~found[rest] & found2
        a[rest[take]], b[rest[take]], found[rest[take]] = a2[take], b2[take], True
    ends = {}
    for end, end_open in ((lo, lo_open), (hi, hi_open)):
        if end is not None and end_open and not found.all():
            # a sign change within one rounding step either side of an excluded end: a root exactly
            # there (g finite and smallest at the end, e.g. a_J/q at a_J = 0) or a pole (not finite)
            rest = np.flatnonzero(~found) if args else np.arange(n)
            sub = tuple(x[rest] for x in args)
            with np.errstate(all="ignore"):
                fb, fa, fe = (np.asarray(g(np.full(rest.size, float(x)), *sub), dtype=float)
                              for x in (np.nextafter(end, -np.inf), np.nextafter(end, np.inf), end))
            at = ~found[rest] & (np.sign(fb) * np.sign(fa) <= 0) & np.isfinite(fe) & \
                (np.abs(fe) <= np.minimum(np.abs(fa), np.abs(fb)))
            ends[float(end)] = rest[at]
            found[rest[at]] = True
    root = root_bracketed(g, a, b, iterations, args=args or None)
    for end, where in ends.items():
        root[where] = end
    return root, found


def step_inside(g, x, toward, args: tuple = (), tries: int = 12) -> np.ndarray:
    """Ends ``x`` of open intervals moved just inside, toward ``toward`` (arrays alike): to the
    next float, and where ``g(x, *args)`` is not finite there (a pole at the excluded end that
    overflows), further in by ``16^k`` times the rounding step, at most a quarter of the way to
    ``toward``.  The excluded end itself is never evaluated.  (A ``g`` without ``args`` is
    called on every problem.)"""
    x0, toward = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(toward, dtype=float))
    shape = x0.shape
    x0, toward = x0.ravel().astype(float), toward.ravel()
    args = tuple(np.broadcast_to(np.asarray(v, dtype=float), shape).ravel() for v in args)
    out = np.nextafter(x0, toward)
    step = np.finfo(float).eps * (1 + np.abs(x0))
    with np.errstate(all="ignore"):
        f = np.broadcast_to(np.asarray(g(out, *args), dtype=float), out.shape).copy()
        for _ in range(tries):
            bad = np.flatnonzero(~np.isfinite(f) & np.isfinite(toward))
            if bad.size == 0:
                break
            step = step * 16
            gap = toward[bad] - x0[bad]
            out[bad] = x0[bad] + np.sign(gap) * np.minimum(step[bad], 0.25 * np.abs(gap))
            f[bad] = _at(g, out, bad, tuple(v[bad] for v in args))
    return out.reshape(shape)


def root_bracketed(g, lo, hi, iterations: int = 200, args: tuple | None = None) -> np.ndarray:
    r"""Vectorised root of ``g`` on the brackets ``[lo, hi]`` (Chandrupatla's method).

    Each step either interpolates (inverse quadratic through the last three points, when
    Chandrupatla's test says the interpolation stays inside the bracket) or bisects, and always
    keeps a sign change: it converges like bisection at worst and superlinearly on smooth
    functions (about 8-12 evaluations instead of ~55 to reach rounding level).  Every problem
    stops at a bracket of :math:`4\varepsilon(1 + |x|)` or an exact zero.  NaN where ``g`` does
    not change sign (or is not finite) at the ends, or is not finite inside the bracket.

    With ``args`` (arrays broadcastable with the brackets), ``g`` is called as
    ``g(x, *args)``; whenever half of the remaining problems have converged they leave the
    batch and ``args`` are cut down to match, so the slowest few problems cost what they use,
    not the whole batch.  Without ``args``,
    ``g(x)`` always receives every problem (converged ones are held still).

    T. R. Chandrupatla, "A new hybrid quadratic/bisection algorithm for finding the zero of a
    nonlinear function without using derivatives", Adv. Eng. Software 28 (1997) 145-149.
    """
    lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    shape = lo.shape
    x1, x2 = lo.ravel().copy(), hi.ravel().copy()
    compress = args is not None
    if compress:
        fixed = [np.broadcast_to(np.asarray(a, dtype=float), shape).ravel() for a in args]

    def evaluate(x, idx):
        if compress:
            return np.asarray(g(x, *fixed), dtype=float)
        return np.broadcast_to(np.asarray(g(x.reshape(shape)), dtype=float), shape).ravel()

    out = np.full(x1.size, np.nan)
    idx = np.arange(x1.size)
    eps = np.finfo(float).eps
    with np.errstate(all="ignore"):
        f1, f2 = evaluate(x1, idx), evaluate(x2, idx)
        ok = (np.sign(f1) * np.sign(f2) <= 0) & np.isfinite(f1) & np.isfinite(f2)
        x1, x2 = np.where(ok, x1, 0.0), np.where(ok, x2, 0.0)  # unbracketed: idle (NaN at the end)
        f1, f2 = np.where(ok, f1, 0.0), np.where(ok, f2, 0.0)
        x3, f3 = x2, f2
        t = np.full(x1.shape, 0.5)
        best = np.ones(x1.shape, dtype=bool)
        for _ in range(iterations):
            xt = x1 + t * (x2 - x1)
            ft = evaluate(xt, idx)
            ok &= np.isfinite(ft)
            ft = np.where(ok, ft, 0.0)
            same = np.sign(ft) == np.sign(f1)
            x3, f3 = np.where(same, x1, x2), np.where(same, f1, f2)
            x2, f2 = np.where(same, x2, x1), np.where(same, f2, f1)
            x1, f1 = xt, ft
            best = np.abs(f1) < np.abs(f2)
            xm, fm = np.where(best, x1, x2), np.where(best, f1, f2)
            dx = np.abs(x2 - x1)
            tol = 4 * eps * (1 + np.abs(xm))
            done = (dx <= tol) | (fm == 0) | ~ok
            if done.all():
                break
            xi = (x1 - x2) / (x3 - x2)
            phi = (f1 - f2) / (f3 - f2)
            interpolate = (1 - np.sqrt(1 - xi) < phi) & (phi < np.sqrt(xi))
            alpha = (x3 - x1) / (x2 - x1)
            t_iqi = f1 / (f1 - f2) * f3 / (f3 - f2) - alpha * f1 / (f3 - f1) * f2 / (f2 - f3)
            tl = np.minimum(0.5 * tol / np.where(dx > 0, dx, 1.0), 0.5)
            t = np.clip(np.where(interpolate & np.isfinite(t_iqi), t_iqi, 0.5), tl, 1 - tl)
            t = np.where(done, 0.0, t)  # converged problems stay where they are
            if compress and 2 * done.sum() >= done.size:  # half have finished: they leave the batch
                out[idx[done]] = np.where(ok, xm, np.nan)[done]
                keep = ~done
                idx, x1, x2, x3, f1, f2, f3, t, ok, best = (
                    a[keep] for a in (idx, x1, x2, x3, f1, f2, f3, t, ok, best))
                fixed = [a[keep] for a in fixed]
    out[idx] = np.where(ok, np.where(best, x1, x2), np.nan)
    return out.reshape(shape)


def root_bracketed_in(g, lo, hi, point: Mapping[str, np.ndarray], iterations: int = 200) -> np.ndarray:
    """:func:`root_bracketed` for ``g(x, point)`` taking a dict of parameter arrays, which is cut
    down to the unconverged problems like ``x``."""
    keys = list(point)
    return root_bracketed(lambda x, *values: g(x, dict(zip(keys, values))), lo, hi, iterations,
                          args=tuple(point[k] for k in keys))


def _bracket(g, args, n, lo, hi, start, max_doublings, lo_open=False, hi_open=False):
    """Initial intervals from the domain (open finite ends stepped inside), then each unbounded
    side of the problems without a sign change yet doubled until there is one.  Returns
    ``(a, b, found)``."""
    if lo is None and hi is None:
        a, b = -start, start
    elif hi is None:
        a, b = lo, lo + start
    elif lo is None:
        a, b = hi - start, hi
    else:
        a, b = lo, hi
    a, b = np.full(n, float(a)), np.full(n, float(b))
    if lo is not None and lo_open:
        a = step_inside(g, a, b, args)
    if hi is not None and hi_open:
        b = step_inside(g, b, a, args)
    with np.errstate(all="ignore"):
        fa, fb = np.asarray(g(a, *args), dtype=float), np.asarray(g(b, *args), dtype=float)
        found = np.sign(fa) * np.sign(fb) <= 0
        for _ in range(max_doublings if lo is None or hi is None else 0):
            todo = np.flatnonzero(~found)
            if todo.size == 0:
                break
            sub = tuple(x[todo] for x in args)
            old_a, old_b = a[todo], b[todo]
            if lo is None:
                a[todo] = old_b - 2 * (old_b - old_a)
                fa[todo] = _at(g, a, todo, sub)
            if hi is None:
                b[todo] = old_a + 2 * (old_b - old_a)
                fb[todo] = _at(g, b, todo, sub)
            found[todo] = np.sign(fa[todo]) * np.sign(fb[todo]) <= 0
    return a, b, found


def mp_recheck(closed: sp.Basic, point: Mapping[sp.Symbol, float], value: float, difference: sp.Basic | None = None,
               var: sp.Symbol | None = None, digits: int = 40) -> float | None:
    """At one point, ``|v - c| / (1 + |c|)`` with ``c`` the value of ``closed`` at ``digits``
    significant digits (mpmath) and ``v`` the independent ``value`` -- or, given a
    ``difference``, its root in ``var`` found again at ``digits`` digits next to ``value``.

    The root search brackets ``value +- w``, widening tenfold from ``w = 10^-6 (1 + |value|)``
    until the difference changes sign, then runs the Anderson-Bjorck method.  None when a value
    is not real, there is no sign change, or ``value`` is not finite.
    """
    import mpmath

    if not np.isfinite(value):
        return None
    syms = list(point)
    args = [mpmath.mpf(point[s]) for s in syms]
    with mpmath.workdps(digits):
        try:
            c = _mp_function(syms, closed)(*args)
            x0 = mpmath.mpf(float(value))
            if difference is None:
                return float(abs(x0 - c) / (1 + abs(c)))
            g = _mp_function([var, *syms], difference)
            w = mpmath.mpf(10) ** -6 * (1 + abs(x0))
            for _ in range(12):
                a, b = x0 - w, x0 + w
                if mpmath.sign(g(a, *args)) * mpmath.sign(g(b, *args)) <= 0:
                    r = mpmath.findroot(lambda x: g(x, *args), (a, b), solver="anderson")
                    return float(abs(r - c) / (1 + abs(c)))
                w *= 10
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            return None  # complex values on the way, or no convergence
    return None


_MP_CACHE: dict = {}


def _mp_function(symbols, expr):
    """``expr`` lambdified for mpmath, once per expression (a re-check visits several draws)."""
    key = (expr, tuple(symbols))
    if key not in _MP_CACHE:
        _MP_CACHE[key] = sp.lambdify(symbols, expr, "mpmath", **_NO_DOCSTRING)
    return _MP_CACHE[key]


def _at(g, x, todo, sub):
    """``g`` at ``x[todo]``: called on those problems alone when it takes their ``args`` (``sub``),
    else on every problem (a ``g`` without args cannot be cut down)."""
    return g(x[todo], *sub) if sub else np.asarray(g(x), dtype=float)[todo]


def tanh_sinh(f, a, b, h: float = 1 / 16, t_max: float = 3.2, args: tuple = ()) -> np.ndarray:
    r"""Vectorised :math:`\int_a^b f(c)\,dc` by tanh-sinh (double exponential) quadrature.

    The substitution :math:`c = a + (b - a)\,\sigma(\pi \sinh t)`, with :math:`\sigma` the
    logistic function, makes the integrand decay double-exponentially in :math:`t`, so the
    trapezoidal rule with step ``h`` on :math:`[-t_{max}, t_{max}]` (103 nodes) reaches rounding
    level even for integrands with endpoint singularities such as :math:`c^{0.05}`.  ``a`` and
    ``b`` are 1-d arrays (one integral each); ``f(c, *args)`` receives the nodes as an array of
    shape ``(rows, nodes)`` and each of ``args`` (arrays like ``a``) as a column ``(rows, 1)``,
    a block of rows at a time (so the temporaries stay in cache).  The nodes never touch the
    ends, so ``f`` need not be finite there.
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel())
    args = [np.broadcast_to(np.asarray(x, dtype=float).ravel(), a.shape) for x in args]
    t = np.arange(-t_max, t_max + h / 2, h)
    u = 0.5 * np.pi * np.sinh(t)
    s = 1 / (1 + np.exp(-2 * u))  # in (0, 1), accurate near both ends
    w = h * 0.25 * np.pi * np.cosh(t) / np.cosh(u) ** 2
    width = b - a
    out = np.empty(a.shape)
    rows = max(1, BLOCK // t.size)
    for k in range(0, a.size, rows):
        block = slice(k, k + rows)
        nodes = a[block, None] + width[block, None] * s
        out[block] = f(nodes, *(x[block, None] for x in args)) @ w
    return width * out


def central_difference(f, x: np.ndarray, h: float | None = None) -> np.ndarray:
    """Central finite difference ``(f(x+h) - f(x-h)) / 2h`` with a scaled step."""
    x = np.asarray(x, dtype=float)
    step = (h if h is not None else 1e-6) * np.maximum(1.0, np.abs(x))
    with np.errstate(all="ignore"):
        return (f(x + step) - f(x - step)) / (2 * step)


_NON_ANALYTIC = (sp.Piecewise, sp.Abs, sp.Min, sp.Max, sp.floor, sp.ceiling, sp.Heaviside, sp.sign)


def numeric_derivative(expr: sp.Basic, wrt: sp.Symbol, point: Mapping[str, np.ndarray]) -> np.ndarray:
    r""":math:`\partial f/\partial x` at array-valued points, without using the symbolic derivative.

    Analytic expressions use the complex step :math:`\operatorname{Im} f(x + ih)/h` with
    :math:`h = 10^{-30}` (no cancellation, exact to rounding); expressions with non-analytic
    parts (``Piecewise``, ``Abs``, ``Min`` ...) use central differences.
    """
    syms = sorted(expr.free_symbols | {wrt}, key=lambda s: s.name)
    args = [np.asarray(point[s.name], dtype=float) for s in syms]
    k = syms.index(wrt)
    f = lambdify(syms, expr)
    if expr.has(*_NON_ANALYTIC):
        return central_difference(lambda x: f(*args[:k], x, *args[k + 1:]), args[k])
    h = 1e-30
    with np.errstate(all="ignore"):
        shifted = args[k] + 1j * h
        return np.imag(f(*args[:k], shifted, *args[k + 1:])) / h
