"""The ``check-tex`` subcommand: step-check the derivations in a paper's own LaTeX.

``python -m derivations check-tex PAPER [--assume "0 < z < 1" ...] [--function F,u_i] [--json]
[--report] [--out DIR] [--no-pdf]`` -- every display and chain of PAPER (LaTeX, or Markdown with
LaTeX math) parsed into SymPy and each step checked on its own (:mod:`symbolic.texcheck`).
Prints the table (or JSON with ``--json``); ``--report`` also writes ``DIR/<paper>-check.tex`` (and
the PDF when LaTeX is installed).  Bad input -- an unreadable file, one that is neither LaTeX nor
Markdown with math, an unbalanced environment, an assumption or function that does not parse, an
assumption naming a symbol the paper never uses -- is one line on stderr and exit 2.
"""
from __future__ import annotations

import sys
from pathlib import Path

from symbolic import ToolkitError
from symbolic import report as reportlib
from symbolic.texcheck import check_paper, output


def cmd_check_tex(args) -> int:
    path = Path(args.paper)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ToolkitError(f"cannot read {args.paper}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolkitError(f"{args.paper} is not a UTF-8 text file (neither LaTeX nor Markdown)") from None
    functions = [f.strip() for spec in (args.function or []) for f in spec.split(",") if f.strip()]
    progress = None if getattr(args, "quiet", False) else (
        lambda m: print(f"[derivations] check-tex: {m}", file=sys.stderr, flush=True))
    try:
        result = check_paper(text, assume=args.assume or [], functions=functions, progress=progress)
    except ToolkitError as exc:
        raise ToolkitError(f"{args.paper}: {exc}") from None
    print(output.as_json(result) if args.json else output.table(result))
    if args.report:
        out = Path(args.out)
        tex = reportlib.write(out / f"{path.stem}-check.tex", output.report(result, path.name))
        print(f"wrote {tex}", file=sys.stderr if args.json else sys.stdout)
        if not args.no_pdf and reportlib.latex_engine() is not None:
            ok, message = reportlib.compile_pdf(tex)
            if not ok:
                print(f"error: {message}", file=sys.stderr)
                return 1
            print(f"wrote {message}", file=sys.stderr if args.json else sys.stdout)
    return 0


def register(sub) -> None:
    """Add ``check-tex`` to the ``derivations`` subparsers."""
    s = sub.add_parser("check-tex", help="step-check every display and chain of a paper's LaTeX")
    s.add_argument("paper", metavar="PAPER", help="LaTeX source, or Markdown with LaTeX math")
    s.add_argument("--assume", action="append", metavar="REL", help='an assumption, e.g. "0 < z < 1" (repeatable)')
    s.add_argument("--function", action="append", metavar="F,G", help="names that are functions (comma-separated)")
    s.add_argument("--json", action="store_true", help="one JSON array, one object per step")
    s.add_argument("--report", action="store_true", help="also write a LaTeX report (and PDF) of the chains")
    s.add_argument("--out", default="reports", help="folder of the report (default: reports)")
    s.add_argument("--no-pdf", action="store_true", help="write the report's .tex only")
    s.set_defaults(func=cmd_check_tex)
