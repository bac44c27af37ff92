"""The README's promises: its two commands, and a tutorial that matches the shipped example."""
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_first_lines_are_the_two_commands():
    lines = README.splitlines()
    assert lines[0] == "```sh"
    assert lines[1].startswith("pip install -e . && python -m derivations build")
    assert lines[2].startswith("pip install -e '.[test]' && python -m pytest")
    assert lines[3] == "```"


def test_ci_runs_the_readme_test_command():
    test_cmd = README.splitlines()[2].split("#")[0].strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines()


def test_tutorial_code_is_the_shipped_example():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    example = (ROOT / "examples" / "audience_costs.py").read_text()
    assert example in blocks


def test_tutorial_output_is_what_the_readme_shows(capsys):
    runpy.run_path(str(ROOT / "examples" / "audience_costs.py"), run_name="__main__")
    out = capsys.readouterr().out
    shown = README.split("$ python examples/audience_costs.py\n", 1)[1].split("$ ", 1)[0]
    assert out == shown


@pytest.mark.parametrize("heading, example", [("## Solving for an equilibrium", "cournot.py"),
                                              ("## Tutorial: a repeated game", "repeated_pd.py"),
                                              ("## From a game tree to a proposition", "entry_deterrence.py"),
                                              ("### Continuous choices and simultaneous stages",
                                               "alternating_offers.py"),
                                              ("### Signaling games", "beer_quiche.py")])
def test_tutorial_lines_are_in_the_shipped_example(heading, example):
    """Every line of a tutorial snippet (comments aside) is a line of the shipped example, so the
    tutorial cannot drift from the code."""
    section = README.split(heading, 1)[1]
    block = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    example = (ROOT / "examples" / example).read_text().splitlines()
    code = {line.split("  #")[0].rstrip() for line in example}
    for line in block.splitlines():
        line = line.split("  #")[0].rstrip()
        assert not line or line in code, line


def test_ci_lints_with_ruff_before_the_tests_and_the_code_passes():
    """`.ci/run` runs ruff (pyflakes, bugbear, import order) before pytest, the README's development
    section says how, and the tree passes it."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    lint = "python -m ruff check ."
    assert "set -euo pipefail" in ci and lint in ci
    assert ci.index(lint) < ci.index(README.splitlines()[2].split("#")[0].strip())
    assert lint in README.split("## Development", 1)[1]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^select = \["F", "B", "I"\]', pyproject, flags=re.M) and '"ruff' in pyproject.split("test = [")[1]
    pytest.importorskip("ruff")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
