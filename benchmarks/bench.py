"""Performance benchmark: every target measured against a baseline in the same run.

    python benchmarks/bench.py            # all targets
    python benchmarks/bench.py --quick    # smaller arrays, fewer repeats (a smoke run)

Targets (issue 6): (1) a derived cutoff on 10^7 points within 1.5x of the memory-bandwidth
limit, the limit being (bytes read + bytes written) / bandwidth of a large ``np.copyto``;
(2) a scalar call within 2x of a hand-written ``math`` expression; (3) the numeric checks of every
claim and cross-check of every quantity at 10^5 draws, all models, under 5 s; (4) the whole build
(no LaTeX) cold under 20 s and warm under 3 s; (5) the debtor-creditor blame sweep (1001 values)
under 1 s; (6, issue 12) derive + verify of each solving example (Cournot, Tullock, inspection
game) cold in a fresh process, each under 5 s; (7, issue 16) ``verify`` of every model with the solver
portfolio and the proof procedures (:mod:`symbolic.proofs`) within 1.5x of the z3-only configuration
(``GT_DERIVATIONS_SOLVERS=z3 GT_DERIVATIONS_PROCEDURES=0``: z3 in process, nothing beyond it), both
measured in fresh processes of the same run.  Each line prints the figure, its baseline and the ratio.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import timeit
from functools import partial
from pathlib import Path

import numpy as np
import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import derivations  # noqa: E402
from symbolic.claims import Computed  # noqa: E402
from symbolic.verify import PartVerifier, Settings  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def row(label: str, value: str, baseline: str, ratio: float | None, target: str) -> None:
    r = "" if ratio is None else f"{ratio:6.2f}x"
    print(f"  {label:<44} {value:>12}  {baseline:>26}  {r:>8}  {target}")


# The cutoffs as one would write them by hand in numpy (the baseline of target 1).
HAND = {
    ("csd_signaling", "chat_U"): lambda p, q, F, delta_U: (q + F * (p - q)) / (1 - F * (1 - delta_U)),
    ("csd_signaling", "theta"): lambda p, q, s, a_J, v_J: s * (p - q) - v_J + a_J,
}
HAND_MATH = {
    ("csd_signaling", "chat_U"): lambda *, p, q, F, delta_U: (q + F * (p - q)) / (1 - F * (1 - delta_U)),
}


def large_arrays(n: int, repeat: int) -> None:
    print(f"1. Large arrays: {n:.0e} float64 points (target: <= 1.5x the bandwidth limit)")
    src, dst = np.random.default_rng(0).random(n), np.empty(n)
    copy = best(lambda: np.copyto(dst, src), repeat)
    bandwidth = 2 * 8 * n / copy
    print(f"  np.copyto bandwidth {bandwidth / 1e9:.1f} GB/s ({copy * 1e3:.1f} ms for {n:.0e} doubles)")
    targets = [("csd_signaling", "chat_U"), ("csd_signaling", "theta")]
    if "alliance_moral_hazard" in derivations.available():
        targets.append(("alliance_moral_hazard", "theta_underbar"))
    for model_name, name in targets:
        model = derivations.load(model_name)
        f = model.numeric(name)
        draws = model.domain.sample(n, 1)
        args = {p: np.ascontiguousarray(draws[p]) for p in f.parameters}
        limit = 8 * n * (len(args) + 1) / bandwidth
        f(**args)  # compiles the kernel once (cached on disk afterwards)
        ours = best(partial(f, **args), repeat)
        plain = sp.lambdify(f.symbols, model.quantity(name), "numpy")
        lam = best(partial(plain, *args.values()), repeat)
        print(f"  {model_name}.{name}({', '.join(f.parameters)}): limit {limit * 1e3:.1f} ms "
              f"({len(args)} arrays read, 1 written)")
        row("toolkit numeric()", f"{ours * 1e3:.1f} ms", f"limit {limit * 1e3:.1f} ms", ours / limit, "<= 1.5x")
        row("plain sympy.lambdify (numpy)", f"{lam * 1e3:.1f} ms", f"limit {limit * 1e3:.1f} ms", lam / limit, "")
        if (model_name, name) in HAND:
            hand = best(partial(HAND[(model_name, name)], **args), repeat)
            row("hand-written numpy", f"{hand * 1e3:.1f} ms", f"limit {limit * 1e3:.1f} ms", hand / limit, "")


def scalar_calls() -> None:
    print("2. Scalar calls (target: <= 2x a hand-written math expression)")
    model = derivations.load("csd_signaling")
    f = model.numeric("chat_U")
    g = HAND_MATH[("csd_signaling", "chat_U")]
    kw = dict(p=0.6, q=0.3, F=0.5, delta_U=0.4)
    ours = min(timeit.repeat(lambda: f(**kw), number=200_000, repeat=7)) / 200_000
    hand = min(timeit.repeat(lambda: g(**kw), number=200_000, repeat=7)) / 200_000
    row("chat_U(p=.., q=.., F=.., delta_U=..)", f"{ours * 1e9:.0f} ns", f"hand math {hand * 1e9:.0f} ns",
        ours / hand, "<= 2x")
    expr = model.quantity("chat_U")
    subs = {model.domain[k].symbol: v for k, v in kw.items()}
    evalf = min(timeit.repeat(lambda: expr.evalf(subs=subs), number=200, repeat=3)) / 200
    row("  for scale: sympy evalf(subs=...)", f"{evalf * 1e6:.0f} us", f"ours {ours * 1e9:.0f} ns",
        evalf / ours, "")


def numeric_checks(samples: int) -> None:
    print(f"3. Numeric checks of every claim and cross-checks of every quantity, {samples:.0e} draws, "
          "all models (target: < 5 s)")
    total = 0.0
    for name in derivations.available():
        model = derivations.load(name)
        verifier = PartVerifier(model.domain, model.expand, Settings(samples=samples))
        t = time.perf_counter()
        checks = model.cross_check(samples=samples, seed=7)
        for claim in model.claims:
            for part in claim.parts:
                if not isinstance(part, Computed):
                    formula = model.expand(part.formula)
                    given = [model.expand(g) for g in part.given]
                    verifier._numeric(part, formula, given, lambda point: False)
        elapsed = time.perf_counter() - t
        total += elapsed
        failed = [c.quantity for c in checks if not c.passed]
        rechecked = sum(c.rechecked for c in checks)
        row(f"{name}", f"{elapsed:.2f} s", f"cross-checks: {len(checks) - len(failed)}/{len(checks)} agree"
            + (f" ({rechecked} draws re-checked at 40 digits)" if rechecked else "")
            + (f"; DISAGREE: {', '.join(failed)}" if failed else ""), None, "")
    row("all models", f"{total:.2f} s", "target 5 s", total / 5, "< 1x of target")


def builds() -> None:
    print("4. Whole build without LaTeX (targets: cold < 20 s, warm < 3 s)")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GT_DERIVATIONS_CACHE=str(Path(tmp) / "cache"), PYTHONPATH=str(ROOT))
        cmd = [sys.executable, "-m", "derivations", "--quiet", "build", "--no-pdf", "--out", str(Path(tmp) / "out")]
        times = []
        for _ in range(2):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=False, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - t)
    row("cold (empty cache)", f"{times[0]:.1f} s", "target 20 s", times[0] / 20, "< 1x of target")
    row("warm (nothing changed)", f"{times[1]:.1f} s", "target 3 s", times[1] / 3, "< 1x of target")


def blame_sweep() -> None:
    print("5. Debtor-creditor blame sweep, 1001 values of b (target: < 1 s)")
    from derivations import called_bluff

    code = ("import time; t = time.perf_counter(); from derivations import called_bluff; "
            "i = time.perf_counter(); called_bluff.benchmark_sweep(1001); print(i - t, time.perf_counter() - i)")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GT_DERIVATIONS_CACHE=str(Path(tmp) / "cache"), PYTHONPATH=str(ROOT))
        (_, cold), (imports, fresh) = (map(float, subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT,
            check=True).stdout.split()[-2:]) for _ in range(2))
    called_bluff.benchmark_sweep(1001)  # the setup, from the disk cache, into this process
    t = time.perf_counter()
    called_bluff.benchmark_sweep(1001)
    warm = time.perf_counter() - t
    row("sweep in a running process", f"{warm:.2f} s", "target 1 s", warm, "< 1x of target")
    row("fresh process, setup on disk", f"{fresh:.2f} s", f"(+ {imports:.2f} s imports)", fresh,
        "(incl. loading the setup)")
    row("fresh process, empty cache", f"{cold:.2f} s", "target 1 s", cold, "(incl. the symbolic setup)")


def examples() -> None:
    print("6. Solving examples: derive + verify (2000 draws) cold in a fresh process (target: each < 5 s)")
    code = ("import time, sys; t = time.perf_counter(); import derivations; i = time.perf_counter(); "
            "m = derivations.load(sys.argv[1]); d = time.perf_counter(); m.verify(); "
            "print(i - t, d - i, time.perf_counter() - d)")
    for name in ("cournot", "tullock_contest", "inspection_game"):
        path = str(ROOT / "examples" / f"{name}.py")
        env = dict(os.environ, GT_DERIVATIONS_NO_CACHE="1", PYTHONPATH=str(ROOT))
        imports, derive, verify = map(float, subprocess.run([sys.executable, "-c", code, path], env=env,
                                                             capture_output=True, text=True, cwd=ROOT,
                                                             check=True).stdout.split()[-3:])
        row(name, f"{derive + verify:.2f} s", f"derive {derive:.2f} + verify {verify:.2f} s", (derive + verify) / 5,
            f"< 1x of 5 s (+ {imports:.2f} s imports)")


VERIFY_ALL = ("import sys, time, json, derivations; out = {}\n"
              "for name in sys.argv[1:]:\n"
              "    m = derivations.load(name); t = time.perf_counter(); vs = m.verify()\n"
              "    out[name] = [time.perf_counter() - t, sum(p.status == 'checked' for v in vs for p in v.parts)]\n"
              "print(json.dumps(out))")


def portfolio_verify() -> None:
    print("7. verify of every model: solver portfolio + proof procedures against z3 alone (target: <= 1.5x)")
    import json

    names = [n for n in ("csd_signaling", "called_bluff", "alliance_moral_hazard") if n in derivations.available()]
    configs = {"z3 only": {"GT_DERIVATIONS_SOLVERS": "z3", "GT_DERIVATIONS_PROCEDURES": "0"},
               "portfolio": {"GT_DERIVATIONS_SOLVERS": "z3,cvc5", "GT_DERIVATIONS_PROCEDURES": "1"}}
    result = {}
    for label, extra in configs.items():
        env = dict(os.environ, GT_DERIVATIONS_NO_CACHE="1", PYTHONPATH=str(ROOT), **extra)
        out = subprocess.run([sys.executable, "-c", VERIFY_ALL, *names], env=env, capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout
        result[label] = json.loads(out.strip().splitlines()[-1])
    base, new = result["z3 only"], result["portfolio"]
    for name in names:
        row(name, f"{new[name][0]:.2f} s", f"z3 only {base[name][0]:.2f} s", new[name][0] / base[name][0],
            f"checked parts {base[name][1]} -> {new[name][1]}")
    total_new, total_base = sum(v[0] for v in new.values()), sum(v[0] for v in base.values())
    row("all models", f"{total_new:.2f} s", f"z3 only {total_base:.2f} s", total_new / total_base, "<= 1.5x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^6 points, fewer repeats")
    ap.add_argument("--only", type=int, action="append", help="run only these targets (numbers 1-7)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, sympy {sp.__version__}")
    targets = {1: lambda: large_arrays(10**6 if args.quick else 10**7, 3 if args.quick else 7),
               2: scalar_calls, 3: lambda: numeric_checks(10**4 if args.quick else 10**5), 4: builds,
               5: blame_sweep, 6: examples, 7: portfolio_verify}
    for number, run in targets.items():
        if not args.only or number in args.only:
            run()


if __name__ == "__main__":
    main()
