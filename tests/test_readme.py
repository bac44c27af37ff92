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
