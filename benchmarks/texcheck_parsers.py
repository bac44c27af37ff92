"""Parse rate of three LaTeX parsers on the seed's displays (the measurement behind the choice of
parser in :mod:`symbolic.texcheck.parse`).

    python benchmarks/texcheck_parsers.py [PAPER]

Every side of every relation of every display (as :mod:`symbolic.texcheck.extract` splits them)
is given to each parser after the same light clean-up (alignment marks, trailing punctuation); a
side "parses" when the parser returns a SymPy expression without raising.  A display parses when
all its sides do.  (The other parsers' results are not checked for meaning: SymPy's reads
``F(x - p)`` as a product, latex2sympy2_extended drops primes -- so their rates are upper bounds.)
"""
from __future__ import annotations

import signal
import sys
import warnings
from pathlib import Path

from symbolic.texcheck import check_paper
from symbolic.texcheck.extract import chains, extract

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_592bf9764b79cbeb.txt"


def _timeout(*_):
    raise TimeoutError


def _try(fn, text) -> bool:
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(5)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(text) is not None
    except BaseException:
        return False
    finally:
        signal.alarm(0)


def parsers():
    out = {}
    try:
        from sympy.parsing.latex import parse_latex
        out["sympy parse_latex (lark backend)"] = lambda t: parse_latex(t, backend="lark")
    except ImportError:
        pass
    try:
        from latex2sympy2_extended import latex2sympy
        out["latex2sympy2_extended"] = latex2sympy
    except ImportError:
        pass
    return out


def main(path: Path = SEED) -> None:
    text = path.read_text()
    paper = extract(text)
    displays = [[s.text for p in c.props for s in p.sides] for c in chains(paper)]
    n_sides = sum(len(d) for d in displays)
    for name, fn in parsers().items():
        ok = [[_try(fn, s) for s in d] for d in displays]
        sides = sum(sum(d) for d in ok)
        whole = sum(all(d) for d in ok)
        print(f"{name:<36} sides {sides}/{n_sides} ({100 * sides / n_sides:.0f} %)  "
              f"displays {whole}/{len(displays)} ({100 * whole / len(displays):.0f} %)")
    r = check_paper(text)
    print(f"{'this grammar (lark, symbolic.texcheck)':<36} sides {r.parsed_sides}/{r.total_sides} "
          f"({100 * r.parsed_sides / r.total_sides:.0f} %)  displays {r.parsed_displays}/{r.total_displays} "
          f"({100 * r.parse_rate:.0f} %)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED)
