"""The command line: outputs, JSON schema, exit codes, one-line errors."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derivations.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "audience_costs.py")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_prints_value(capsys):
    code, out, err = run(capsys, "eval", "csd_signaling", "chat_U", "p=0.6", "q=0.3", "F=0.5", "delta_U=0.4")
    assert code == 0 and float(out) == pytest.approx(0.45 / 0.7, rel=1e-15)


@pytest.mark.parametrize("args, message", [
    (["eval", "nope", "chat_U"], "unknown model 'nope'"),
    (["eval", "csd_signaling", "chat_X", "p=0.5"], "unknown quantity 'chat_X'"),
    (["eval", "csd_signaling", "chat_U", "p=abc"], "p='abc' is not a number"),
    (["eval", "csd_signaling", "chat_U", "p=nan"], "p=nan is not finite"),
    (["eval", "csd_signaling", "chat_U", "p=inf"], "p=inf is not finite"),
    (["eval", "csd_signaling", "chat_U", "p=0.6", "q=0.3", "delta_U=0.4"], "missing value for F"),
    (["eval", "csd_signaling", "chat_U", "p=0.6", "q=0.3", "F=2", "delta_U=0.4"], "F=2 is outside its domain: F in [0, 1]"),
    (["eval", "csd_signaling", "chat_U", "p=0.6", "p=0.5"], "p is given twice"),
    (["eval", "csd_signaling", "chat_U", "p"], "expected name=value"),
    (["eval", "csd_signaling", "chat_U", "zz=1"], "unknown parameter 'zz'"),
    (["eval", "csd_signaling", "chat_U", "p=0.6", "q=0.3", "F=0.5", "delta_U=0.4", "s=1", "c_J=2"],
     "chat_U does not use s, c_J; it uses p, q, F, delta_U"),
    (["eval", "csd_signaling", "chat_U", "s=1"], "chat_U does not use s; it uses p, q, F, delta_U"),
    (["verify", "nope"], "unknown model 'nope'"),
    (["frobnicate"], "invalid choice"),
    (["verify", "--samples", "0"], "--samples must be at least 1"),
])
def test_bad_input_is_one_line_exit_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_verify_json_schema_and_exit_code(capsys):
    code, out, err = run(capsys, "verify", "csd_signaling", "--json", "--samples", "300", "--quiet")
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert [r["claim"] for r in rows] == [f"CSD-{i}" for i in range(1, 11)]
    for r in rows:
        assert set(r) == {"model", "claim", "status", "method", "detail", "counterexample", "samples", "max_error", "parts"}
        assert r["status"] in {"proved", "refuted", "checked", "not_encodable"}
        assert (r["counterexample"] is not None) == (r["status"] == "refuted")


def test_strict_exits_1_on_a_refuted_claim(capsys):
    code, _, _ = run(capsys, "verify", "csd_signaling", "--strict", "--samples", "200", "--quiet")
    assert code == 1


def test_verify_reports_progress_on_stderr(capsys):
    code, out, err = run(capsys, "verify", EXAMPLE, "--samples", "200")
    assert code == 0 and "AC-3" in err and "refuted" in out and "counterexample" in out


def test_cross_check_disagreement_exits_1(capsys, monkeypatch):
    import derivations
    from symbolic.model import CrossCheck
    model = derivations.load(EXAMPLE)
    monkeypatch.setattr(model, "cross_check", lambda *a, **k: [CrossCheck("khat", "bisection", 10, 1.0, 1e-8)])
    code, out, err = run(capsys, "verify", EXAMPLE, "--samples", "200", "--quiet")
    assert code == 1 and "cross-check disagrees: khat" in err


def test_list(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "csd_signaling" in out and "delta_U" in out and "CSD-10" in out
    code, out, _ = run(capsys, "list", "--json")
    data = json.loads(out)
    assert data[0]["parameters"]["F"] == "[0, 1]" and "chat_U" in data[0]["quantities"]


def test_report_writes_tex(capsys, tmp_path):
    code, out, err = run(capsys, "report", EXAMPLE, "--out", str(tmp_path), "--no-pdf", "--samples", "200", "--quiet")
    assert code == 0 and (tmp_path / "audience_costs.tex").exists()


def test_unwritable_output_folder(capsys, tmp_path):
    target = tmp_path / "file"
    target.write_text("not a folder")
    code, out, err = run(capsys, "report", EXAMPLE, "--out", str(target / "sub"), "--no-pdf", "--quiet")
    assert code == 2 and "cannot write to" in err


def test_module_entry_point_without_traceback():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "derivations", "eval", "csd_signaling", "chat_U", "p=2"],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.startswith("error: p=2 is outside its domain")
    assert "Traceback" not in proc.stderr


def test_assignments_may_follow_options(capsys):
    code, out, err = run(capsys, "eval", "alliance_moral_hazard", "theta_underbar", "x=0.6", "--dist", "power",
                         "p=0.3", "k=0.5", "cbar=1", "gamma=2")
    assert code == 0 and float(out) == pytest.approx(0.75 ** 0.5 - 0.3, rel=1e-12)
    code, out, err = run(capsys, "eval", "csd_signaling", "chat_U", "p=0.6", "--bogus", "1")
    assert code == 2 and "unrecognized arguments: --bogus 1" in err


def test_hostile_table_every_case_fails_cleanly():
    """`audit`'s hostile-input table: each case exits non-zero with one line on stderr, no traceback."""
    from derivations import audit

    rows = audit.hostile_table()
    assert len(rows) == len(audit.HOSTILE_CASES)
    assert [r["case"] for r in rows if not r["ok"]] == []
    assert all(r["exit"] == 2 for r in rows)  # every case is bad input


def test_report_prints_every_file_it_writes_with_the_umask_mode(capsys, tmp_path):
    old = os.umask(0o022)
    try:
        code, out, err = run(capsys, "report", "csd_signaling", "--out", str(tmp_path), "--no-pdf", "--samples", "200",
                             "--quiet")
    finally:
        os.umask(old)
    assert code == 0 and err == ""
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert sorted(out.splitlines()) == sorted(f"wrote {p}" for p in written)
    assert any(p.parent.name == "figures" for p in written) and len(written) >= 3
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in written)


@pytest.mark.parametrize("argv", [
    ["equilibria", "called_bluff", "t_D=4", "f_D=-4", "s_D=-3", "t_C=1", "f_C=-7", "s_C=-9", "d=0.9", "p=0.3", "q=0.3"],
    ["eval", "csd_signaling", "chat_U", "p=0.6", "q=0.3", "F=0.5", "delta_U=0.4"],
    ["list", "csd_signaling"],
    ["verify", EXAMPLE, "--samples", "200"],
])
def test_global_options_work_after_the_command(capsys, argv):
    for where in (["--quiet", *argv], [*argv, "--quiet"], [argv[0], "--quiet", *argv[1:]], ["--quiet", *argv, "--debug"]):
        code, out, err = run(capsys, *where)
        assert code == 0 and out and err == "", (where, err)
    code, out, err = run(capsys, *argv[:2], "--quiet", *argv[2:])  # between the command's arguments too
    assert code == 0 and err == ""


def test_debug_after_the_command_shows_the_traceback(capsys):
    from symbolic import ToolkitError
    with pytest.raises(ToolkitError, match="unknown model"):
        main(["eval", "nope", "chat_U", "--debug"])
    code, out, err = run(capsys, "eval", "nope", "chat_U", "--quiet")
    assert code == 2 and err.count("\n") == 1


def test_sweep_checks_both_ends_of_its_range(capsys):
    """Each end of --from/--to must lie in the swept parameter's domain (a dict comprehension with a
    static key once checked only the last one)."""
    game = ["t_D=4", "f_D=-4", "s_D=-3", "t_C=1", "f_C=-7", "s_C=-9", "d=0.9", "p=0.3", "q=0.3"]
    for start, stop in (("-0.5", "0.5"), ("0.5", "1.5")):
        code, out, err = run(capsys, "sweep", "called_bluff", "b", *game, "--from", start, "--to", stop, "--steps", "2")
        assert code == 2 and "is outside its domain" in err and err.count("\n") == 1, err
