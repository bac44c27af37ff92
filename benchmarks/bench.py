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
measured in fresh processes of the same run; (8, issue 18) maps on Dask: a Called Bluff equilibrium map
on one and on two worker processes (strong scaling >= 1.7x), against the single-process fast sweep and
sgamesolver (one homotopy run per point), with the peak memory, and a 10^8-point cutoff map against the
memory-bandwidth limit of writing it (``--full`` for the 10^6-point equilibrium map).  Each line prints
the figure, its baseline and the ratio.
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


def centipede(depth: int):
    """A synthetic family for target 9: a centipede of ``depth`` decision nodes (players 1, 2
    alternate; ``Stop`` ends the game with symbolic payoffs ``a_k, b_k``, ``Go`` moves on)."""
    from symbolic import REAL, Model

    m = Model(f"centipede_{depth}", "centipede")
    tree = m.game_tree("centipede", ("1", "2"))
    for k in range(depth + 1):
        m.parameter(f"a_{k}", REAL)
        m.parameter(f"b_{k}", REAL)
    for k in range(depth):
        tree.decision(f"n{k}", "12"[k % 2], {"Stop": f"stop{k}", "Go": f"n{k + 1}" if k + 1 < depth else "end"})
        tree.terminal(f"stop{k}", (f"a_{k}", f"b_{k}"))
    tree.terminal("end", (f"a_{depth}", f"b_{depth}"))
    return m, tree


def tree_maps() -> None:
    print("9. Game trees: time to derive the equilibrium map (target: each example < 10 s cold) and its growth "
          "with depth")
    # the model built and every declared game tree and signaling game solved, in a fresh process
    code = ("import time, sys; t = time.perf_counter(); import derivations; i = time.perf_counter(); "
            "m = derivations.load(sys.argv[1]); "
            "[m.tree_maps.get(n) or m.equilibria(g) for n, g in m.trees.items()]; "
            "[m.signaling_maps.get(n) or m.equilibria(g) for n, g in m.signaling_games.items()]; "
            "print(i - t, time.perf_counter() - i)")
    examples = {n: str(ROOT / "examples" / f"{n}.py") for n in ("entry_deterrence", "alternating_offers", "beer_quiche")}
    registered = {n: n for n in ("csd_signaling", "coalition_formation", "coalition_bargaining", "conflict_expansion")}
    for name, where in {**examples, **registered}.items():
        env = dict(os.environ, GT_DERIVATIONS_NO_CACHE="1", PYTHONPATH=str(ROOT))
        imports, derive = map(float, subprocess.run([sys.executable, "-c", code, where], env=env, capture_output=True,
                                                    text=True, cwd=ROOT, check=True).stdout.split()[-2:])
        row(name, f"{derive:.2f} s", f"(+ {imports:.2f} s imports)", derive / 10, "< 1x of 10 s")
    base = None
    for depth in range(2, 9):
        m, tree = centipede(depth)
        t0 = time.perf_counter()
        tmap = m.equilibria(tree)
        took = time.perf_counter() - t0
        base = base or took
        row(f"centipede depth {depth}", f"{took:.2f} s", f"{len(tmap.branches)} regions", took / base,
            "x depth 2")


# ---- issue 18: maps on Dask ----------------------------------------------------------------------
def _peak_rss_mb() -> float:
    """This process's peak resident memory (MB); run on each worker with ``client.run``."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sgamesolver_tables():
    """The payoff and transition tables sgamesolver takes, built as the peer tests build them
    (``tests/test_stochastic.py``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_peer_tests", ROOT / "tests" / "test_stochastic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._numeric_tables


def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def available_parallelism(n: int = 2 * 10**7) -> float:
    """How much more work two processes do than one right now (2 on two idle cores; less when
    other processes share them): the same CPU-bound loop in one process, then in two at once."""
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [1000, 1000])
        t = time.perf_counter()
        pool.map(_spin, [n])
        one = time.perf_counter() - t
        t = time.perf_counter()
        pool.map(_spin, [n, n], chunksize=1)
        two = time.perf_counter() - t
    return 2 * one / two


def equilibrium_map(n: int, samples: int) -> None:
    """Issue 18: an n x n Called Bluff equilibrium map (blame variant over the return-side
    probability p and the blame share b, the rest at the reconstructed figure-1 numbers) on one
    and on two local worker processes; the single-process fast sweep and sgamesolver as baselines."""
    from derivations import called_bluff
    from symbolic import maps
    from symbolic.games.stochastic_fast import fast_sweep

    print(f"8a. Called Bluff equilibrium map, blame variant over (p, b): {n} x {n} = {n * n:.3g} points "
          "(target: 2 workers >= 1.7x one)")
    model = derivations.load("called_bluff")
    fixed = {k: str(v) for k, v in called_bluff.FIGURE1.items() if k != "p"}
    spec = maps.plan(model, "equilibria", [f"p=0:1:{n}", f"b=0:1:{n}"], fixed, game="blame")
    t = time.perf_counter()
    spec.target.payload.sweep(spec.fixed, ["p", "b"])   # the symbolic setup (kept on disk for the workers)
    setup = time.perf_counter() - t
    # today's single-process sweep: one parameter, 1001 values, setup done
    game = model.stochastic_games["blame"].subs({**{k: sp.Rational(v) for k, v in fixed.items()},
                                                 "p": sp.Rational(3, 10)})
    grid = [sp.Rational(k, 1000) for k in range(1001)]
    fast_sweep(game, "b", grid[:3])
    sweep_t = best(lambda: fast_sweep(game, "b", grid), 2)
    sweep_rate = len(grid) / sweep_t
    print(f"  setup of the map (once, symbolic, all parameters): {setup:.1f} s; "
          f"blocks of {' x '.join(map(str, spec.chunks))} points")
    row("single-process fast sweep (b, 1001 values)", f"{sweep_rate:,.0f} pt/s", f"{sweep_t:.2f} s", None, "baseline")
    spare = available_parallelism()
    row("machine: 2 processes' work / 1 process's", f"{spare:.2f}x", f"load average {os.getloadavg()[0]:.1f}", spare,
        "(the scaling this machine allows now)")
    times, memory = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        small = maps.plan(model, "equilibria", ["p=0:1:4", "b=0:1:4"], fixed, game="blame", chunk=4)
        for workers in (1, 2):
            with maps.cluster(workers=workers) as client:
                maps.write(small, Path(tmp) / "warm.zarr", client)   # workers import and load the setup
                t = time.perf_counter()
                maps.write(spec, Path(tmp) / f"map{workers}.zarr", client)
                times[workers] = time.perf_counter() - t
                memory[workers] = max(client.run(_peak_rss_mb).values())
            rate = spec.size / times[workers]
            row(f"map on {workers} worker process{'es' if workers > 1 else ''}", f"{rate:,.0f} pt/s",
                f"{times[workers]:.1f} s; sweep {sweep_rate:,.0f} pt/s", rate / sweep_rate, "x the sweep")
        one, two = maps.read(Path(tmp) / "map1.zarr"), maps.read(Path(tmp) / "map2.zarr")
        same = all(np.array_equal(one.fields[f], two.fields[f]) for f in one.fields)
        coop = float(np.mean(one.fields["profile"] == 1))
    spare_after = available_parallelism()
    row("strong scaling (1 worker / 2 workers)", f"{times[1] / times[2]:.2f}x",
        f"machine allows {spare:.2f}x, then {spare_after:.2f}x", times[1] / times[2], ">= 1.7x")
    row("peak memory per worker (RSS)", f"{max(memory.values()):.0f} MB", f"blocks of {spec.chunk} points", None,
        "bounded by the block size")
    print(f"  (1 and 2 workers give identical maps: {same}; the cooperative profile is an MPE at "
          f"{100 * coop:.1f} % of the points)")
    per_point = times[1] / spec.size
    try:
        import sgamesolver as sgs
        if not hasattr(np, "NaN"):
            np.NaN = np.nan   # sgamesolver 1.0.2 still uses the NumPy 1 alias
    except ImportError:
        print("  sgamesolver not installed: no peer timing")
        return
    rng = np.random.default_rng(0)
    pts = [(sp.Rational(int(i) + 1, n + 1), sp.Rational(int(j), n)) for i, j in rng.integers(0, n, (samples, 2))]
    blame = model.stochastic_games["blame"].subs({k: sp.Rational(v) for k, v in fixed.items()})
    tables = _sgamesolver_tables()
    total = 0.0
    for p, b in pts:
        g = blame.subs({"p": p, "b": b})
        U, T = tables(g)
        t = time.perf_counter()
        h = sgs.homotopy.LogTracing(sgs.SGame(list(U), list(T), float(g.discount)))
        h.solver_setup()
        h.solver.verbose = 0
        h.solve()
        total += time.perf_counter() - t
    peer = total / len(pts)
    row(f"sgamesolver, one homotopy run per point ({samples})", f"{peer * 1e3:.0f} ms/pt",
        f"map {per_point * 1e3:.2f} ms/pt (1 worker)", peer / per_point,
        "x slower (it finds one equilibrium, the map all)")


def _sum_block(block):
    return np.nansum(block, keepdims=True)


def cutoff_map(n: int, repeat: int) -> None:
    """Issue 18: an n x n map of csd_signaling's chat_U over (F, delta_U), on two local workers,
    against the memory-bandwidth limit of writing its values once (8 bytes a point)."""
    import dask.array as da

    from symbolic import maps

    print(f"8b. Cutoff map chat_U over (F, delta_U): {n} x {n} = {n * n:.3g} points on {os.cpu_count()} worker "
          "processes (against the memory-bandwidth limit)")
    src, dst = np.random.default_rng(0).random(10**7), np.empty(10**7)
    copy = best(partial(np.copyto, dst, src), 5)
    bandwidth = 2 * 8 * 10**7 / copy
    model = derivations.load("csd_signaling")
    spec = maps.plan(model, "chat_U", [f"F=0:1:{n}", f"delta_U=0:1:{n}"], {"p": "0.6", "q": "0.3"})
    limit = 8 * spec.size / bandwidth
    print(f"  np.copyto bandwidth {bandwidth / 1e9:.1f} GB/s: writing {spec.size:.3g} doubles once takes "
          f"{limit * 1e3:.0f} ms (the limit); blocks of {' x '.join(map(str, spec.chunks))}")
    with tempfile.TemporaryDirectory() as tmp, maps.cluster() as client:
        arr = maps.dask_array(spec)
        total = da.map_blocks(_sum_block, arr, chunks=tuple((1,) * len(c) for c in arr.chunks), dtype=float).sum()
        client.compute(total).result()   # kernels compiled / loaded on every worker
        evaluate = min(_timed(lambda: client.compute(total).result()) for _ in range(repeat))
        row("evaluate every block (values discarded)", f"{evaluate:.2f} s", f"limit {limit:.3f} s", evaluate / limit,
            "x the limit")
        written = _timed(lambda: maps.write(spec, Path(tmp) / "cut.zarr", client))
        size = sum(f.stat().st_size for f in (Path(tmp) / "cut.zarr").rglob("*") if f.is_file())
        row("map written to Zarr (floats uncompressed)", f"{written:.2f} s", f"limit {limit:.3f} s", written / limit,
            f"x the limit ({size / 1e6:.0f} MB on disk)")
        memory = max(client.run(_peak_rss_mb).values())
    row("peak memory per worker (RSS)", f"{memory:.0f} MB", f"blocks of {spec.chunk:.3g} points", None, "")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def maps_on_dask(quick: bool, full: bool) -> None:
    """Target 8 (issue 18).  Default sizes run in a few minutes on two cores: a 160 x 160
    equilibrium map (``--full``: 1000 x 1000 = 10^6 points), a 10^4 x 10^4 = 10^8-point cutoff map
    (``--quick``: 40 x 40 and 10^3 x 10^3)."""
    equilibrium_map(1000 if full else 40 if quick else 160, 5)
    cutoff_map(10**3 if quick else 10**4, 1 if full else 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^6 points, fewer repeats")
    ap.add_argument("--full", action="store_true", help="target 8 at its full sizes (the 10^6-point equilibrium map "
                                                        "takes about an hour on two cores)")
    ap.add_argument("--only", type=int, action="append", help="run only these targets (numbers 1-9)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, sympy {sp.__version__}")
    targets = {1: lambda: large_arrays(10**6 if args.quick else 10**7, 3 if args.quick else 7),
               2: scalar_calls, 3: lambda: numeric_checks(10**4 if args.quick else 10**5), 4: builds,
               5: blame_sweep, 6: examples, 7: portfolio_verify,
               8: lambda: maps_on_dask(args.quick, args.full), 9: tree_maps}
    for number, run in targets.items():
        if not args.only or number in args.only:
            run()


if __name__ == "__main__":
    main()
