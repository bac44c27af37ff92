r"""Generated code for fast numeric functions: a fused C kernel for large arrays, plain
``math`` for scalars.

Large arrays.  ``numpy`` evaluates :math:`(q + F\psi)/(1 - F(1-\delta_U))` one operation at a time,
streaming a full-size temporary through memory for each: several times the traffic the answer
needs.  :func:`compile_kernel` prints the expression with SymPy's C printer (after common
subexpression elimination) into one loop over the elements,

.. code-block:: c

   #pragma omp parallel for
   for (i = 0; i < n; i++) { double p = a0[i*s0], ...; out[i] = <expression>; }

compiles it with the system C compiler (``-O3 -fopenmp``) into a shared library cached under
``$GT_DERIVATIONS_CACHE`` (default ``~/.cache/gt-derivations``), keyed by a hash of the source
and the compiler, and loads it with :mod:`ctypes`.  Each input is read once and the output written
once, so the evaluation runs close to the memory-bandwidth limit.  Without a compiler (or if
compilation fails) :func:`compile_kernel` returns ``None`` and callers keep the numpy path.

Scalars take another path: :func:`symbolic.numeric.fast_function` generates a plain Python
function over :mod:`math`.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.printing.c import C99CodePrinter

_KERNELS: dict[str, object] = {}
_OMP_PID: int | None = None  # the process whose kernels run multi-threaded
_MODULE_SOURCE = Path(__file__).read_text()
_DISABLED = os.environ.get("GT_DERIVATIONS_NO_C") == "1"


def cache_dir() -> Path:
    """Where compiled kernels are kept."""
    return Path(os.environ.get("GT_DERIVATIONS_CACHE", Path.home() / ".cache" / "gt-derivations"))


def _compiler() -> str | None:
    for cc in (os.environ.get("CC"), "gcc", "cc", "clang"):
        if cc and shutil.which(cc):
            return cc
    return None


def c_source(expr: sp.Basic, symbols) -> str:
    """A C function ``void kernel(int parallel, long n, const double *a0, long s0, ..., double *out)``.

    Argument ``i`` is read as ``a_i[j * s_i]``: stride 1 for an array, 0 for a broadcast scalar.
    """
    renamed = {s: sp.Symbol(f"x{i}", real=True) for i, s in enumerate(symbols)}
    replacements, (reduced,) = sp.cse([expr.xreplace(renamed)], symbols=sp.numbered_symbols("t"))
    printer = C99CodePrinter({"order": "none"})
    args = "".join(f"const double *restrict a{i}, long s{i}, " for i in range(len(symbols)))
    loads = " ".join(f"const double x{i} = a{i}[i * s{i}];" for i in range(len(symbols)))
    temps = " ".join(f"const double {t} = {printer.doprint(e)};" for t, e in replacements)
    return ("#include <math.h>\n"
            f"void kernel(int parallel, long n, {args}double *restrict out) {{\n"
            "  #pragma omp parallel for schedule(static) if(parallel)\n"
            f"  for (long i = 0; i < n; i++) {{ {loads} {temps} out[i] = {printer.doprint(reduced)}; }}\n"
            "}\n")


def compile_kernel(expr: sp.Basic, symbols):
    """A callable ``kernel(arrays) -> ndarray`` for same-length 1-d float arrays, or None."""
    if _DISABLED:
        return None
    cc = _compiler()
    if cc is None:
        return None
    # keyed by the expression and this module's own source (which fixes the generated C), so a
    # cached kernel is found without generating its source (CSE of a long Piecewise is slow)
    key = hashlib.sha256((sp.srepr((expr, tuple(symbols)), order="none") + _MODULE_SOURCE + cc
                          + _compiler_version(cc)).encode()).hexdigest()[:24]
    if key in _KERNELS:
        return _KERNELS[key]
    lib_path = cache_dir() / f"kernel-{key}.so"
    unsupported = lib_path.with_suffix(".unsupported")  # remembers expressions C cannot print
    try:
        if unsupported.exists():
            _KERNELS[key] = None
            return None
        if not lib_path.exists():
            try:
                source = c_source(expr, symbols)
            except Exception:  # the C printer cannot print it (e.g. an undefined function)
                source = "Not supported in C"
            if "// Not supported" in source or "Not supported in C" in source:
                _KERNELS[key] = None
                lib_path.parent.mkdir(parents=True, exist_ok=True)
                unsupported.touch()
                return None
            lib_path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=lib_path.parent) as tmp:  # same file system: atomic rename
                src, out = Path(tmp) / "k.c", Path(tmp) / "k.so"
                src.write_text(source)
                subprocess.run([cc, "-O3", "-march=native", "-fopenmp", "-fPIC", "-shared", "-fno-math-errno",
                                str(src), "-o", str(out), "-lm"], check=True, capture_output=True, timeout=120)
                os.replace(out, lib_path)
        lib = ctypes.CDLL(str(lib_path))
    except (OSError, subprocess.SubprocessError):
        _KERNELS[key] = None
        return None
    fn = lib.kernel
    fn.restype = None

    def kernel(arrays):
        """Evaluate on 1-d float64 C-contiguous arrays of one length ``n`` (or of size 1)."""
        global _OMP_PID
        n = max((a.size for a in arrays), default=1)
        out = np.empty(n)
        if _OMP_PID is None:
            _OMP_PID = os.getpid()
        # GNU OpenMP's threads do not survive fork(): a forked child of a process that ran a
        # parallel loop hangs in its first one, so such a child runs the loop on one thread
        argv = [ctypes.c_int(os.getpid() == _OMP_PID), ctypes.c_long(n)]
        for a in arrays:
            argv += [a.ctypes.data_as(ctypes.c_void_p), ctypes.c_long(0 if a.size == 1 else 1)]
        argv.append(out.ctypes.data_as(ctypes.c_void_p))
        fn(*argv)
        return out

    _KERNELS[key] = kernel
    return kernel


_VERSIONS: dict[str, str] = {}


def _compiler_version(cc: str) -> str:
    if cc not in _VERSIONS:
        try:
            _VERSIONS[cc] = subprocess.run([cc, "--version"], capture_output=True, text=True,
                                           timeout=30).stdout.splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            _VERSIONS[cc] = "unknown"
    return _VERSIONS[cc]
