"""``python -m derivations audit``: can the verifier be fooled?

Two tables from one command:

* the **mutation score** per model and overall (:mod:`symbolic.mutation`): faults injected one at
  a time, each one either caught, equivalent -- recognised automatically by a decision procedure
  (:mod:`symbolic.equivalence`) or declared by the model by hand, each with its reason -- or listed
  as a survivor (with why the recogniser did not recognise it); how many equivalents each way, and
  any declaration the recogniser makes redundant or that is caught, are printed too;
* the **hostile-input table**: careless and malicious command lines, each of which must end with
  one clear line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from symbolic import mutation

from . import available, module

#: (case, argv) -- every case must exit non-zero with one line on stderr.
HOSTILE_CASES = [
    ("unknown model", ["eval", "no_such_model", "chat_U"]),
    ("unknown quantity", ["eval", "csd_signaling", "no_such_quantity", "p=0.5"]),
    ("value not a number", ["eval", "csd_signaling", "chat_U", "p=abc", "q=0.3", "F=0.5", "delta_U=0.4"]),
    ("value nan", ["eval", "csd_signaling", "chat_U", "p=nan", "q=0.3", "F=0.5", "delta_U=0.4"]),
    ("value inf", ["eval", "csd_signaling", "chat_U", "p=inf", "q=0.3", "F=0.5", "delta_U=0.4"]),
    ("missing parameter", ["eval", "csd_signaling", "chat_U", "p=0.6", "q=0.3", "delta_U=0.4"]),
    ("out-of-domain value", ["eval", "csd_signaling", "chat_U", "p=1.5", "q=0.3", "F=0.5", "delta_U=0.4"]),
    ("ordering constraint violated", ["eval", "csd_signaling", "chat_U", "p=0.3", "q=0.6", "F=0.5", "delta_U=0.4"]),
    ("duplicate assignment", ["eval", "csd_signaling", "chat_U", "p=0.6", "p=0.5"]),
    ("assignment without '='", ["eval", "csd_signaling", "chat_U", "p"]),
    ("unknown parameter", ["eval", "csd_signaling", "chat_U", "zz=1"]),
    ("unknown command", ["frobnicate"]),
    ("non-positive sample count", ["verify", "csd_signaling", "--samples", "0"]),
    ("unwritable output folder", ["report", "csd_signaling", "--no-pdf", "--out", "{unwritable}"]),
    ("alliance: quantity undefined there (p >= k)",
     ["eval", "alliance_moral_hazard", "theta_underbar", "x=0.8", "p=0.7", "k=0.6", "cbar=1"]),
    ("alliance: unknown distribution",
     ["eval", "alliance_moral_hazard", "theta_underbar", "--dist", "lognormal", "x=0.5", "p=0.2", "k=0.6", "cbar=1"]),
    ("option the model does not have", ["eval", "csd_signaling", "chat_U", "--dist", "power", "p=0.6"]),
    ("Called Bluff: unknown game", ["equilibria", "called_bluff", "--game", "nosuch"]),
    ("Called Bluff: out-of-domain discount", ["equilibria", "called_bluff", "d=1.5"]),
    ("Called Bluff: sweep of an unknown parameter", ["sweep", "called_bluff", "zz"]),
]


def hostile_table() -> list[dict]:
    """Run every hostile case in-process; report exit code, stderr's first line and the check."""
    from .cli import main

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        blocker = Path(tmp) / "a-file"
        blocker.write_text("not a folder")
        for case, argv in HOSTILE_CASES:
            argv = [a.replace("{unwritable}", str(blocker / "sub")) for a in argv]
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["--quiet", *argv])
            lines = err.getvalue().splitlines()
            ok = code != 0 and len(lines) == 1 and "Traceback" not in err.getvalue()
            rows.append({"case": case, "exit": code, "message": lines[0] if lines else "", "ok": ok})
    return rows


def mutation_reports(names, samples: int, workers: int, progress=None, every: int = 1) -> list[mutation.MutationReport]:
    """Run the mutation harness on each model (``every`` > 1: only every ``every``-th mutant,
    a deterministic subset for models whose full run takes long).  By default the seed models --
    those whose module declares ``MUTATION_EQUIVALENTS`` -- and not the gallery of canonical models."""
    reports = []
    for name in names or [n for n in available() if hasattr(module(n), "MUTATION_EQUIVALENTS")]:
        mod = module(name)
        order = {m.id: i for i, m in enumerate(mutation.enumerate_mutants(mod.build))}
        reports.append(mutation.run(name, mod.build, getattr(mod, "MUTATION_EQUIVALENTS", {}),
                                    samples=samples, workers=workers, progress=progress,
                                    only=lambda m, order=order: order[m.id] % every == 0))
    return reports


def print_mutation(reports, write=print) -> bool:
    """Print the score table, how many equivalents were recognised automatically and how many are
    declared by hand, and every survivor; True when nothing survived and no false alarm.

    Declarations the recogniser also recognises, and declarations of caught mutants, are listed
    (so the tables do not rot) without failing the audit."""
    clean = True
    total_caught = total = 0
    write(f"{'model':<26} {'mutants':>8} {'equivalent':>11} {'caught':>8} {'score':>8}")
    for r in reports:
        caught, counted = r.score
        total_caught, total = total_caught + caught, total + counted
        equivalent = len(r.results) - counted
        score = f"{100 * caught / counted:.1f}%" if counted else "n/a"
        write(f"{r.model:<26} {len(r.results):>8} {equivalent:>11} {caught:>8} {score:>8}")
    score = f"{100 * total_caught / total:.1f}%" if total else "n/a"
    write(f"{'overall':<26} {sum(len(r.results) for r in reports):>8} "
          f"{sum(len(r.results) - r.score[1] for r in reports):>11} {total_caught:>8} {score:>8}")
    for r in reports:
        write(f"{r.model}: equivalent: {len(r.automatic)} recognised automatically, "
              f"{len(r.declared)} declared by hand")
    write(f"overall: equivalent: {sum(len(r.automatic) for r in reports)} recognised automatically, "
          f"{sum(len(r.declared) for r in reports)} declared by hand")
    for r in reports:
        for alarm in r.false_alarms:
            clean = False
            write(f"FALSE ALARM {r.model}: {alarm}")
        for s in r.survivors:
            clean = False
            why = f" (not recognised as equivalent: {s.not_recognised})" if s.not_recognised else ""
            write(f"SURVIVED {r.model}: {s.id} -- {s.description}{why}")
        for res in r.results:
            if "CRASH" in res.how:
                clean = False
                write(f"CRASHED {r.model}: {res.id} -- {res.how}")
        for res in r.redundant:
            write(f"DECLARED BUT RECOGNISED AUTOMATICALLY {r.model}: {res.id} -- {res.equivalent}")
        for res in r.stale:
            write(f"DECLARED BUT CAUGHT {r.model}: {res.id} -- {res.how}")
    return clean


def print_hostile(rows, write=print) -> bool:
    """Print the hostile-input table; True when every case behaved."""
    write(f"{'case':<30} {'exit':>4}  {'ok':<3} message")
    for row in rows:
        write(f"{row['case']:<30} {row['exit']:>4}  {'yes' if row['ok'] else 'NO':<3} {row['message']}")
    return all(r["ok"] for r in rows)


def print_equivalents(reports, write=print) -> None:
    """The equivalent mutants with their reasons: recognised automatically, then declared by hand."""
    for r in reports:
        for res in r.automatic:
            write(f"{r.model}: {res.id} -- {res.equivalent}")
        for res in r.declared:
            write(f"{r.model}: {res.id} -- declared: {res.equivalent}")
