"""Command line: ``python -m derivations {build,list,verify,eval,report} ...``.

Exit codes: 0 success; 1 a numeric cross-check disagrees with a closed form, a report failed to
compile, or (with ``--strict``) a claim is refuted; 2 bad input (unknown model or quantity, a
value outside its domain ...), reported as one line on stderr; 3 an internal error.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from symbolic import ToolkitError, cache
from symbolic import report as reportlib

from . import available, fingerprint, load

DEFAULT_SAMPLES = 2000


class _Args(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like every other input error
        raise ToolkitError(f"{self.prog}: {message}")


def _progress(args):
    if getattr(args, "quiet", False):
        return None
    return lambda msg: print(f"[derivations] {msg}", file=sys.stderr, flush=True)


def _models(names):
    return [load(n) for n in (names or available())]


def _say(args, msg):
    if not getattr(args, "quiet", False):
        print(f"[derivations] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
def cmd_list(args) -> int:
    models = _models(args.models)
    if args.json:
        out = [{"model": m.name, "title": m.title,
                "parameters": {p.name: p.domain.describe() for p in m.domain.parameters.values()},
                "unknowns": {u.name: u.describe().split(" in ", 1)[1] for u in m.unknowns.values()},
                "constraints": [str(r) for r, _ in m.domain.constraints],
                "quantities": {n: m.parameters_of(n) for n in m.quantities},
                "claims": {c.id: c.statement for c in m.claims}} for m in models]
        print(json.dumps(out, indent=2))
        return 0
    for m in models:
        print(f"{m.name}: {m.title}")
        print("  parameters:")
        for p in m.domain.parameters.values():
            print(f"    {p.name:<10} {p.domain.describe():<10} {p.description}")
        for rel, reason in m.domain.constraints:
            print(f"    constraint {rel}" + (f"  ({reason})" if reason else ""))
        if m.unknowns:
            print("  unknowns (solved for, not inputs):")
            for u in m.unknowns.values():
                print(f"    {u.name:<10} {u.describe().split(' in ', 1)[1]:<10} {u.description}")
        print("  quantities:")
        for n, q in m.quantities.items():
            print(f"    {n:<10} ({', '.join(m.parameters_of(n))})  {q.description}")
        print("  claims:")
        for c in m.claims:
            print(f"    {c.id:<8} {c.statement}")
        print()
    return 0


def _verify(models, args):
    results = []
    for m in models:
        def compute(m=m):
            _say(args, f"{m.name}: cross-checking and verifying {len(m.claims)} claims")
            return m.verify(args.samples, args.seed, progress=_progress(args)), m.cross_check(args.samples, args.seed)
        verdicts, checks = cache.cached(m, "verify", (args.samples, args.seed), compute)
        results.append((m, verdicts, checks))
    return results


def _exit_code(results, strict: bool) -> int:
    """``results``: dicts with "verdicts" and "checks" (see :func:`_outputs`)."""
    bad_checks = [c for r in results for c in r["checks"] if not c.passed]
    refuted = [v for r in results for v in r["verdicts"] if v.status == "refuted"]
    if bad_checks:
        for c in bad_checks:
            print(f"cross-check disagrees: {c.quantity} max error {c.max_error:.3g} > {c.tol:g}", file=sys.stderr)
        return 1
    if strict and refuted:
        return 1
    return 0


def cmd_verify(args) -> int:
    results = _verify(_models(args.models), args)
    code = _exit_code([{"verdicts": v, "checks": c} for _, v, c in results], args.strict)
    if args.json:
        print(json.dumps([v.as_json() for _, verdicts, _ in results for v in verdicts], indent=2))
    else:
        for m, verdicts, checks in results:
            print(f"{m.name}: {m.title}")
            for v in verdicts:
                print(f"  {v.claim:<8} {v.status:<13} {v.method}")
                if v.counterexample:
                    cx = ", ".join(f"{k}={val}" for k, val in v.counterexample.items())
                    print(f"           counterexample: {cx}")
                if v.repair is not None:
                    print(f"           repaired ({v.repair.claim}): {v.repair.status} -- {v.repair.statement}")
            if checks:
                print("  numeric cross-checks:")
            for c in checks:
                flag = "ok" if c.passed else "DISAGREES"
                again = f"; {c.rechecked} re-checked at 40 digits" if c.rechecked else ""
                print(f"    {c.quantity:<12} {flag:<9} max error {c.max_error:.2e} over {c.samples} draws{again} ({c.method})")
    return code


def _parse_assignments(tokens) -> dict[str, str]:
    values: dict[str, str] = {}
    for tok in tokens:
        if "=" not in tok:
            raise ToolkitError(f"expected name=value, got {tok!r}")
        name, _, value = tok.partition("=")
        name = name.strip()
        if not name:
            raise ToolkitError(f"missing parameter name in {tok!r}")
        if name in values:
            raise ToolkitError(f"{name} is given twice")
        values[name] = value.strip()
    return values


def cmd_eval(args) -> int:
    # --dist (a model's cost distribution) is passed to build(); models without one say so
    model = load(args.model, dist=getattr(args, "dist", None))
    values = _parse_assignments(args.assignments)
    uses = model.numeric(args.quantity).parameters  # an unknown quantity: one line
    for k in values:
        model.space[k]  # an unknown name: one line
    unused = [k for k in values if k not in uses and k not in model.unknowns]  # unknowns: evaluate says why
    if unused:
        raise ToolkitError(f"{args.quantity} does not use {', '.join(unused)}; it uses {', '.join(uses) or 'nothing'}")
    value = model.evaluate(args.quantity, **values)
    print(repr(value))
    return 0


def _outputs(name: str, args) -> dict:
    """Everything ``report`` and ``build`` write for model ``name``: the body fragment, the
    standalone document, the figure files, and the verdicts and cross-checks (for the exit code).

    Cached on disk under the model's source fingerprint and the settings, so an unchanged
    rebuild does not even build the model."""
    def compute():
        [(m, verdicts, checks)] = _verify([load(name)], args)
        _say(args, f"{m.name}: rendering the appendix")
        with tempfile.TemporaryDirectory() as tmp:
            figures = reportlib.write_figures(m, Path(tmp))
            files = {f["path"]: (Path(tmp) / f["path"]).read_bytes() for f in figures}
        steps = m.verify_steps(args.samples, args.seed)
        body = reportlib.render_body(m, verdicts, checks, {"samples": args.samples, "seed": args.seed},
                                     figures, steps)
        return {"name": m.name, "title": m.title, "body": body, "files": files,
                "standalone": reportlib.render_standalone(m, body), "verdicts": verdicts, "checks": checks}
    return cache.cached_by(fingerprint(name), name, "outputs", (args.samples, args.seed), compute)


def _outputs_or_error(name: str, args):
    try:
        return _outputs(name, args)
    except ToolkitError as exc:
        return exc


def _all_outputs(names: list[str], args) -> list:
    """:func:`_outputs` of each model (or the :class:`ToolkitError` that stopped it), in order.

    Models not in the cache are built in parallel processes, one per core (a fresh build is
    bound by SymPy and z3, which run on one core each)."""
    settings = (args.samples, args.seed)
    results = {}
    for name in names:
        try:
            results[name] = cache.lookup(fingerprint(name), name, "outputs", settings)
        except ToolkitError as exc:
            results[name] = exc
    todo = [n for n in names if results[n] is None]
    workers = min(len(todo), os.cpu_count() or 1)
    if workers > 1 and sys.platform.startswith("linux"):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            for name, out in zip(todo, pool.map(_outputs_or_error, todo, [args] * len(todo))):
                results[name] = out
    else:
        for name in todo:
            results[name] = _outputs_or_error(name, args)
    return [results[n] for n in names]


def _write_reports(outputs: list[dict], args, combined: bool = False) -> int:
    """Write each model's standalone report, body fragment and figures (and the combined
    appendix); compile the standalone documents when a LaTeX engine is present. Returns the
    number of documents that failed to compile."""
    out_dir = Path(args.out)

    def write(path, data):  # every file written is said, one line each
        path = reportlib.write(path, data)
        print(f"wrote {path}", flush=True)
        return path
    documents = []
    for o in outputs:
        for path, data in o["files"].items():
            write(out_dir / path, data)
        write(out_dir / f"{o['name']}-body.tex", o["body"])
        documents.append(write(out_dir / f"{o['name']}.tex", o["standalone"]))
    if combined and outputs:
        parts = [(o["name"], o["title"], o["body"]) for o in outputs]
        documents.append(write(out_dir / "appendix.tex", reportlib.render_combined(parts)))
    if args.no_pdf:
        return 0
    if reportlib.latex_engine() is None:
        _say(args, reportlib.INSTALL_HINT)
        return 0
    failures = 0
    for path in documents:
        _say(args, f"compiling {path.name}")
        ok, message = reportlib.compile_pdf(path)
        if ok:
            print(f"wrote {message}")
        else:
            print(f"error: {message}", file=sys.stderr)
            if path.with_suffix(".log").exists():  # the failing log is kept
                print(f"wrote {path.with_suffix('.log')}")
            failures += 1
    return failures


def _check_writable(folder: str) -> None:
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ToolkitError(f"cannot write to {folder}: {exc.strerror or exc}") from None


def cmd_report(args) -> int:
    _check_writable(args.out)
    outputs = _all_outputs(args.models or available(), args)
    for o in outputs:
        if isinstance(o, ToolkitError):
            raise o
    failures = _write_reports(outputs, args)
    code = _exit_code(outputs, getattr(args, "strict", False))
    return code or (1 if failures else 0)


def cmd_build(args) -> int:
    _check_writable(args.out)
    outputs, failed = [], []
    for name, out in zip(available(), _all_outputs(available(), args)):
        if isinstance(out, ToolkitError):  # one broken model does not stop the others
            print(f"error: {name}: {out}", file=sys.stderr)
            failed.append(name)
        else:
            outputs.append(out)
    failures = _write_reports(outputs, args, combined=True)
    code = _exit_code(outputs, getattr(args, "strict", False))
    return code or (1 if failures or failed else 0)


def cmd_audit(args) -> int:
    from . import audit

    ok = True
    if not args.no_mutation:
        print("Mutation testing of the verifier (one fault at a time):")
        reports = audit.mutation_reports(args.models, args.samples, args.workers, _progress(args), args.every)
        ok &= audit.print_mutation(reports)
        if args.equivalents:
            print("\nEquivalent mutants (recognised automatically, then declared by hand):")
            audit.print_equivalents(reports)
        print()
    if not args.no_hostile:
        print("Hostile and careless input (each must fail with one clear line, never a traceback):")
        ok &= audit.print_hostile(audit.hostile_table())
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------
GLOBAL_OPTIONS = (("--quiet", "no progress messages on stderr"), ("--debug", "show tracebacks of internal errors"))


def _global_options(p, after_command: bool = False) -> None:
    """The options every command takes, before or after the command's name (after it, they
    default to nothing, so that they do not undo one given before)."""
    for flag, text in GLOBAL_OPTIONS:
        p.add_argument(flag, action="store_true", help=text, **({"default": argparse.SUPPRESS} if after_command else {}))


def parser() -> argparse.ArgumentParser:
    p = _Args(prog="derivations", description="Derive, verify and report game-theoretic models.")
    _global_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Args)
    sub.required = True

    def common(sp_, models=True):
        if models:
            sp_.add_argument("models", nargs="*", metavar="MODEL", help="models (default: all)")
        sp_.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="random domain draws per check")
        sp_.add_argument("--seed", type=int, default=0, help="seed of the draws")
        sp_.add_argument("--no-cache", action="store_true", help="recompute instead of reading cached results")

    s = sub.add_parser("list", help="models, parameters, quantities, claims")
    s.add_argument("models", nargs="*", metavar="MODEL")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("verify", help="verdict on every claim, and the numeric cross-checks")
    common(s)
    s.add_argument("--json", action="store_true", help="one JSON array, one object per claim")
    s.add_argument("--strict", action="store_true", help="exit 1 if any claim is refuted")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("audit", help="mutation score of the verifier and the hostile-input table")
    s.add_argument("models", nargs="*", metavar="MODEL", help="models to mutate (default: the seed models, "
                   "which declare MUTATION_EQUIVALENTS)")
    s.add_argument("--samples", type=int, default=300, help="random draws per check in each mutant (default 300)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--workers", type=int, default=2, help="parallel processes for the mutants")
    s.add_argument("--every", type=int, default=1, help="run only every N-th mutant (a deterministic subset)")
    s.add_argument("--no-mutation", action="store_true", help="skip the mutation harness")
    s.add_argument("--no-hostile", action="store_true", help="skip the hostile-input table")
    s.add_argument("--equivalents", action="store_true", help="also list the equivalent mutants with their reasons")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("eval", help="value of a derived quantity: eval MODEL QUANTITY name=value ...")
    s.add_argument("model")
    s.add_argument("quantity")
    s.add_argument("assignments", nargs="*", metavar="name=value")
    s.add_argument("--dist", default=None, metavar="NAME",
                   help="cost distribution of models that have one: uniform (default) or power")
    s.set_defaults(func=cmd_eval)

    for name, func, text in (("report", cmd_report, "write reports/<model>.tex and <model>-body.tex "
                                                     "(and the PDF if LaTeX is installed)"),
                             ("build", cmd_build, "derive, verify and report every model, plus reports/appendix.tex")):
        s = sub.add_parser(name, help=text)
        common(s, models=(name == "report"))
        s.add_argument("--out", default="reports", help="output folder (default: reports)")
        s.add_argument("--no-pdf", action="store_true", help="write .tex only")
        s.add_argument("--strict", action="store_true", help="exit 1 if any claim is refuted")
        s.set_defaults(func=func)

    from . import cli_games, cli_tex, cli_trees
    cli_games.register(sub)
    cli_tex.register(sub)
    from . import cli_map
    cli_map.register(sub)
    cli_trees.register(sub)
    for command in sub.choices.values():
        _global_options(command, after_command=True)
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        p = parser()
        args, extra = p.parse_known_args(argv)
        # `name=value` tokens after an option (eval m q --dist power x=1) are still assignments
        if extra and hasattr(args, "assignments") and all("=" in t and not t.startswith("-") for t in extra):
            args.assignments = [*args.assignments, *extra]
        elif extra:
            p.error(f"unrecognized arguments: {' '.join(extra)}")
        if getattr(args, "samples", 1) < 1:
            raise ToolkitError("--samples must be at least 1")
        if getattr(args, "every", 1) < 1:
            raise ToolkitError("--every must be at least 1")
        if getattr(args, "no_cache", False):
            os.environ["GT_DERIVATIONS_NO_CACHE"] = "1"
        return args.func(args)
    except ToolkitError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a raw traceback for users
        if debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", file=sys.stderr)
        return 3
