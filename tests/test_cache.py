"""The on-disk result cache: hits when nothing changed, never stale, robust to damage."""
import shutil
from pathlib import Path

import pytest

import derivations
from derivations.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache_env(monkeypatch, tmp_path):
    monkeypatch.delenv("GT_DERIVATIONS_NO_CACHE", raising=False)
    monkeypatch.setenv("GT_DERIVATIONS_CACHE", str(tmp_path / "cache"))
    derivations._CACHE.clear()
    yield tmp_path / "cache" / "results"
    derivations._CACHE.clear()


def verify(capsys, path):
    code = main(["verify", str(path), "--samples", "200"])
    out, err = capsys.readouterr()
    return code, out, err


def test_second_run_reads_the_cache(cache_env, capsys, tmp_path):
    model = tmp_path / "model.py"
    shutil.copy(ROOT / "examples" / "audience_costs.py", model)
    code, out1, err1 = verify(capsys, model)
    assert code == 0 and "verifying" in err1 and len(list(cache_env.iterdir())) == 1
    derivations._CACHE.clear()
    code, out2, err2 = verify(capsys, model)
    assert out2 == out1 and "verifying" not in err2          # nothing recomputed


def test_changed_model_source_is_never_served_stale(cache_env, capsys, tmp_path):
    model = tmp_path / "model.py"
    shutil.copy(ROOT / "examples" / "audience_costs.py", model)
    verify(capsys, model)
    model.write_text(model.read_text().replace('"a fights whenever k < 2w"', '"a fights whenever k < w"')
                     .replace("given=[k < 2 * w]", "given=[k < w]"))
    derivations._CACHE.clear()
    code, out, err = verify(capsys, model)
    assert "verifying" in err and len(list(cache_env.iterdir())) == 2
    assert "AC-3     proved" in out                         # the new claim is true: k < w <= w + a


def test_damaged_entry_is_recomputed(cache_env, capsys, tmp_path):
    model = tmp_path / "model.py"
    shutil.copy(ROOT / "examples" / "audience_costs.py", model)
    _, out1, _ = verify(capsys, model)
    for entry in cache_env.iterdir():
        entry.write_bytes(b"garbage")
    derivations._CACHE.clear()
    code, out2, err2 = verify(capsys, model)
    assert code == 0 and out2 == out1 and "verifying" in err2


def test_another_proof_configuration_is_a_cache_miss(cache_env, monkeypatch):
    from symbolic import cache

    key = ("fp", "model", "verify", (200, 0))
    cache.store(*key, "portfolio verdicts")
    assert cache.lookup(*key) == "portfolio verdicts"
    monkeypatch.setenv("GT_DERIVATIONS_PROCEDURES", "0")
    assert cache.lookup(*key) is None          # z3-only verdicts are not served the portfolio's
    monkeypatch.setenv("GT_DERIVATIONS_PROCEDURES", "1")
    monkeypatch.setenv("GT_DERIVATIONS_SOLVERS", "z3")
    assert cache.lookup(*key) is None
