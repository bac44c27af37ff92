"""The README's promises: its two commands, and a tutorial that matches the shipped example."""
import re
import runpy
from pathlib import Path

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


def test_solving_tutorial_lines_are_in_the_shipped_example():
    """Every line of the "Solving for an equilibrium" snippet (comments aside) is a line of
    examples/cournot.py, so the tutorial cannot drift from the code."""
    section = README.split("## Solving for an equilibrium", 1)[1]
    block = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    example = (ROOT / "examples" / "cournot.py").read_text().splitlines()
    code = {line.split("  #")[0].rstrip() for line in example}
    for line in block.splitlines():
        line = line.split("  #")[0].rstrip()
        assert not line or line in code, line
