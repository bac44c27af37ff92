r"""Implicitly defined quantities: :math:`v(a)` with :math:`G(v, a) = 0`.

Some quantities of a model are defined by an equation with no closed form in general
(Proposition 3's :math:`\hat\theta` solves :math:`u(\hat\theta) = z u(0) + (1-z) u(\theta)`).
:func:`implicit` turns such a definition into an ordinary SymPy expression ``V(a_1, ..., a_n)``
that the rest of the toolkit can use:

* **derivatives** follow the implicit function theorem,
  :math:`\partial v/\partial a_k = -G_{a_k}(v, a)/G_v(v, a)` (``sympy.diff`` just works);
* **numbers**: ``lambdify`` evaluates it by vectorised bracketed root finding (Chandrupatla's
  method) on :math:`G(\cdot, a)` over a bracket :math:`[\ell(a), h(a)]` (NaN where :math:`G`
  does not change sign on it);
* **LaTeX** prints the quantity's name.

The decision procedure cannot read such an expression (z3 raises ``NotEncodable``), so claims
about it are verified numerically, and closed forms -- where the equation allows one -- should be
derived separately and compared against it.

:func:`invert_increasing` solves :math:`h(v) = y` for a function :math:`h` increasing and
given piece by piece (the integrated CDF of a clipped distribution ...), returning a
``Piecewise`` closed form whose roots are chosen by z3, not by hand.
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

import numpy as np
import sympy as sp

from .decide import NotEncodable, decide
from .errors import DerivationError
from .numeric import NumericFunction, lambdify, root_bracketed, step_inside


class ImplicitFunction(sp.Function):
    """Base class of the functions :func:`implicit` creates (see the module docstring)."""

    _residual: sp.Basic = None
    _var: sp.Symbol = None
    _params: tuple = ()
    _bracket: tuple = (None, None)  # (lo, hi) in the parameters: the root lies between them
    _open_ends: tuple = (False, False)
    _latex_name: str = "v"

    def fdiff(self, argindex=1):
        """Implicit function theorem: :math:`-G_{a_k}/G_v` at :math:`v = ` this function."""
        k = argindex - 1
        G, v = self._residual, self._var
        ratio = -sp.diff(G, self._params[k]) / sp.diff(G, v)
        sub = {v: self}
        sub.update({s: a for s, a in zip(self._params, self.args) if s != a})
        return ratio.xreplace(sub)

    def _latex(self, printer, exp=None):
        return f"\\left({self._latex_name}\\right)^{{{exp}}}" if exp else self._latex_name

    def _eval_is_real(self):
        return True


def implicit(name: str, residual: sp.Basic, var: sp.Symbol, bracket: tuple, params: Sequence[sp.Symbol] | None = None,
             latex: str | None = None, open_ends: tuple = (False, False)) -> sp.Basic:
    """The solution :math:`v(a)` of ``residual(v, a) = 0`` as a SymPy expression.

    ``bracket = (lo, hi)`` are expressions in the parameters between which the residual changes
    sign (the root is unique there when the residual is monotone in ``var``).  ``params`` fixes
    the argument order (default: the residual's and bracket's free symbols other than ``var``,
    sorted by name).  An end marked open in ``open_ends`` is excluded from ``var``'s interval and
    never evaluated (the residual may have a pole there): the bracket starts just inside it.
    """
    residual = sp.sympify(residual)
    lo, hi = (sp.sympify(b) for b in bracket)
    if params is None:
        syms = (residual.free_symbols | lo.free_symbols | hi.free_symbols) - {var}
        params = sorted(syms, key=lambda s: s.name)
    params = tuple(params)
    compiled = {}
    memo: dict = {}
    scalars: dict = {}

    def numeric(*values):
        # the same arguments recur within one lambdified formula: remember recent solutions,
        # found by the arguments' identities and confirmed bit for bit against copies; scalars by
        # their values (SymPy's evalf asks again, with new floats, at each precision it tries)
        arrays = [np.asarray(v, dtype=float) for v in values]
        if all(a.ndim == 0 for a in arrays):
            key = tuple(float(a) for a in arrays)
            if key not in scalars:
                if len(scalars) > 4096:
                    scalars.clear()
                scalars[key] = _solve(*values)
            return scalars[key]
        key = tuple(id(v) for v in values)
        hit = memo.get(key)
        if hit is not None and all(_same_bits(a, b) for a, b in zip(hit[0], arrays)):
            return hit[1]
        out = _solve(*values)
        if len(memo) > 64:
            memo.clear()
        memo[key] = ([a.copy() for a in arrays], out)
        return out

    def _solve(*values):
        if not compiled:  # lambdified on first use (a general F has no numbers at all)
            compiled["g"] = NumericFunction(residual, (var, *params), name)._vector  # C kernel for long arrays
            compiled["lo"] = lambdify(params, lo)
            compiled["hi"] = lambdify(params, hi)
        g, flo, fhi = compiled["g"], compiled["lo"], compiled["hi"]
        arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values])
        shape = arrays[0].shape if arrays else ()
        with np.errstate(all="ignore"):
            a = np.broadcast_to(np.asarray(flo(*arrays), dtype=float), shape)
            b = np.broadcast_to(np.asarray(fhi(*arrays), dtype=float), shape)
            if open_ends[0]:
                a = step_inside(g, a, b, tuple(arrays))
            if open_ends[1]:
                b = step_inside(g, b, a, tuple(arrays))
            root = root_bracketed(g, a, b, args=tuple(arrays))
        return root if root.ndim else float(root)

    # named after its definition, so rebuilding a model gives the same names (stable mutant ids)
    definition = (residual, var, tuple(params), lo, hi) + ((tuple(open_ends),) if any(open_ends) else ())
    digest = hashlib.sha1(sp.srepr(definition).encode()).hexdigest()[:8]
    cls_name = f"{name}_implicit_{digest}"
    cls = type(cls_name, (ImplicitFunction,), {
        "nargs": len(params), "_residual": residual, "_var": var, "_params": params,
        "_bracket": (lo, hi), "_open_ends": tuple(open_ends),
        "_latex_name": latex or name, "_imp_": staticmethod(numeric)})
    return cls(*params)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two float arrays are identical bit for bit (NaN equal to the same NaN)."""
    return a.shape == b.shape and bool(np.all(a.view(np.uint64) == b.view(np.uint64)))


def invert_increasing(pieces: Sequence[tuple[sp.Basic, sp.Basic | None]], var: sp.Symbol, y: sp.Basic,
                      hypotheses: Iterable[sp.Basic] = (), lower: sp.Basic = 0, timeout_ms: int = 5000) -> sp.Basic:
    r"""Solve :math:`h(v) = y` for :math:`h` continuous, increasing, and given piece by piece.

    ``pieces`` is ``[(h_1(v), b_1), (h_2(v), b_2), ..., (h_m(v), None)]``: :math:`h = h_k` on
    :math:`[b_{k-1}, b_k)` with :math:`b_0 = ` ``lower``.  On each piece the roots of
    :math:`h_k(v) = y` are found with :func:`sympy.solve`; the one that lies in the piece is
    *decided* with z3 under ``hypotheses`` and :math:`h_k(b_{k-1}) \le y < h_k(b_k)`.  With one
    candidate z3 cannot read (symbolic exponents), that candidate is kept.  Returns
    ``Piecewise((root_1, y < h_1(b_1)), ..., (root_m, True))``.
    """
    hyps = list(hypotheses)
    out = []
    lo = sp.sympify(lower)
    for expr, upper in pieces:
        candidates = [r for r in sp.solve(sp.Eq(expr, y), var) if not r.has(sp.I)]
        cond_y = [expr.subs(var, lo) <= y] + ([y < expr.subs(var, upper)] if upper is not None else [])
        chosen = []
        for r in candidates:
            goal = sp.And(r >= lo, *( [r <= upper] if upper is not None else []))
            try:
                if decide(hyps + cond_y, goal, timeout_ms).outcome == "proved":
                    chosen.append(r)
            except NotEncodable:
                if len(candidates) == 1:
                    chosen.append(r)
        if len(chosen) != 1:
            raise DerivationError(f"inverting {expr} = {y}: {len(chosen)} roots provably on the piece "
                                  f"(need exactly one); candidates were {candidates}")
        out.append((sp.simplify(chosen[0]), cond_y[-1] if upper is not None else sp.true))
        lo = upper if upper is not None else lo
    return sp.Piecewise(*out)


def _innermost_piecewise(expr: sp.Basic):
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise) and not any(a.has(sp.Piecewise) for a in node.args):
            return node
    return None


def lift_piecewise(expr: sp.Basic, _depth: int = 0) -> sp.Basic:
    r"""``expr`` rewritten as nested ``Piecewise`` whose conditions contain no ``Piecewise``.

    Innermost ``Piecewise`` sub-expressions are pulled to the top one at a time
    (:math:`g(\mathrm{Piecewise}((a, c), (b, \top))) = \mathrm{Piecewise}((g(a), c), (g(b), \top))`).
    Conditions that contain a ``Piecewise`` are slow to print and to simplify in SymPy; after
    lifting, every condition is a plain relational of the pieces.
    """
    if _depth > 12:
        raise DerivationError("lift_piecewise: too deeply nested Piecewise")
    inner = _innermost_piecewise(expr)
    if inner is None or expr == inner:
        return expr
    branches = []
    for value, cond in inner.args:
        branches.append((lift_piecewise(expr.xreplace({inner: value}), _depth + 1), cond))
    return sp.Piecewise(*branches)


def compose(expr: sp.Basic, var: sp.Symbol, value: sp.Basic) -> sp.Basic:
    """``expr`` with ``var`` replaced by ``value``, keeping every condition free of ``Piecewise``.

    When ``value`` is (nested) ``Piecewise``, each of its branches is substituted separately:
    ``Piecewise((expr[var := v_1], c_1), ..., (expr[var := v_n], True))``.
    """
    value = sp.sympify(value)
    if not value.has(sp.Piecewise):
        return expr.xreplace({var: value})
    if isinstance(value, sp.Piecewise):
        return sp.Piecewise(*[(compose(expr, var, v), c) for v, c in value.args])
    return compose(expr, var, lift_piecewise(value))


__all__ = ["ImplicitFunction", "implicit", "invert_increasing", "lift_piecewise", "compose"]
