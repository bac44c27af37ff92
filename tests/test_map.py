"""Maps over parameter grids (issue 18): the map equals the exact evaluation / exact sweep at
sampled grid points, one worker and two give identical output, masking outside the domain's
constraints, open ends stepped inside, bad input as one line and exit 2, no half-written output."""
import os
import signal
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import derivations
from derivations.cli import main
from symbolic import ToolkitError, maps
from symbolic.games.stochastic import sweep as exact_sweep
from symbolic.maps import targets

FIG1 = {"t_D": "4", "f_D": "-4", "s_D": "-3", "t_C": "1", "f_C": "-7", "s_C": "-9", "p": "3/10"}
EQ_GRID = ["q=1/10:9/10:3", "d=1/2:9/10:2"]
TWO_STATE = {k: v for k, v in FIG1.items() if k != "p"}   # the two-state game has no p


@pytest.fixture(scope="module")
def csd():
    return derivations.load("csd_signaling")


@pytest.fixture(scope="module")
def cb():
    return derivations.load("called_bluff")


@pytest.fixture(scope="module")
def eq_map(cb):
    spec = maps.plan(cb, "equilibria", EQ_GRID, FIG1, game="baseline", chunk=2)
    return spec, maps.compute(spec)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- quantities ----------------------------------------------------------------------------------
def test_quantity_map_equals_exact_evaluation_and_masks_constraints(csd):
    spec = maps.plan(csd, "chat_U", ["p=0:1:41", "q=0:1:21"], {"F": "1/2", "delta_U": "2/5"}, chunk=100)
    assert spec.chunks == (5, 20) or np.prod(spec.chunks) <= 100
    value = maps.compute(spec)["value"]
    p, q = spec.axes[0].floats(), spec.axes[1].floats()
    # open ends of (0, 1) are stepped a hundredth of a step inside, with a note
    assert p[0] == pytest.approx(1 / 4000) and p[-1] == pytest.approx(1 - 1 / 4000)
    assert spec.axes[0].first == Fraction(1, 4000) and any("p=0" in n for n in spec.notes)
    P, Q = np.meshgrid(p, q, indexing="ij")
    assert np.all(np.isnan(value[Q >= P]))          # the constraint q < p: masked, not evaluated
    assert np.all(np.isfinite(value[Q < P]))
    rng = np.random.default_rng(0)
    inside = np.argwhere(Q < P)
    for i, j in inside[rng.choice(len(inside), 12, replace=False)]:
        exact = csd.quantity("chat_U").subs({csd.domain["p"].symbol: sp.Rational(spec.axes[0].value(i)),
                                             csd.domain["q"].symbol: sp.Rational(spec.axes[1].value(j)),
                                             csd.domain["F"].symbol: sp.Rational(1, 2),
                                             csd.domain["delta_U"].symbol: sp.Rational(2, 5)})
        assert value[i, j] == pytest.approx(float(exact), rel=1e-12)


def test_long_rows_are_evaluated_row_by_row_with_the_same_values(csd):
    spec = maps.plan(csd, "chat_U", ["F=0:1:3", "delta_U=0:1:5000"], {"p": "0.6", "q": "0.3"})
    assert spec.axes[1].n >= targets.ROW_THRESHOLD
    value = maps.compute(spec)["value"]
    F, d = np.meshgrid(spec.axes[0].floats(), spec.axes[1].floats(), indexing="ij")
    np.testing.assert_allclose(value, (0.3 + F * 0.3) / (1 - F * (1 - d)), rtol=1e-10)  # (cancellation near d = 0)


def test_masked_points_are_not_evaluated(csd, monkeypatch):
    seen = []
    spec = maps.plan(csd, "chat_U", ["p=1/10:9/10:9", "q=1/10:9/10:9"], {"F": "1", "delta_U": "1/2"})
    fn = spec.target.payload.function()
    real = fn._vector

    def spy(*args):
        seen.append(np.broadcast_arrays(*args)[0].size)
        return real(*args)
    monkeypatch.setattr(fn, "_vector", spy)
    maps.compute(spec)
    assert seen == [36]  # q < p at 36 of the 81 points: only those are evaluated


# -- claim parts ---------------------------------------------------------------------------------
def test_claim_map_matches_exact_truth(csd):
    fixed = {"s": "1/2", "delta_U": "1/2", "cbar_J": "1/2"}
    spec = maps.plan(csd, "CSD-9", ["p=0:1:11", "q=0:1:11", "a_J=0:1:3"], fixed)
    truth = maps.compute(spec)["truth"]
    part = csd.claim_by_id("CSD-9").parts[0]
    formula, given = csd.expand(part.formula), [csd.expand(g) for g in part.given]
    sym = {n: csd.domain[n].symbol for n in csd.domain.parameters}
    checked = {targets.HOLDS: 0, targets.FAILS: 0, targets.OUTSIDE: 0}
    for idx in np.ndindex(truth.shape):
        point = {sym[ax.name]: sp.Rational(ax.value(k)) for ax, k in zip(spec.axes, idx)}
        point.update({sym[k]: sp.Rational(v) for k, v in fixed.items()})
        if not point[sym["q"]] < point[sym["p"]] or not all(bool(g.subs(point)) for g in given):
            expected = targets.OUTSIDE
        else:
            expected = targets.HOLDS if bool(formula.subs(point)) else targets.FAILS
        if truth[idx] != targets.UNDECIDED:
            assert truth[idx] == expected, (idx, point)
            checked[expected] += 1
    assert all(checked.values())  # the refuted claim fails somewhere, holds elsewhere


def test_claim_with_several_parts_needs_one(csd):
    with pytest.raises(ToolkitError, match="CSD-7 has 3 parts; name one: CSD-7:1"):
        maps.plan(csd, "CSD-7", ["p=0:1:3"], {})


# -- equilibria ----------------------------------------------------------------------------------
def test_equilibrium_map_equals_exact_sweep(cb, eq_map):
    spec, values = eq_map
    game = cb.stochastic_games["baseline"].subs({k: sp.Rational(v) for k, v in FIG1.items()})
    prof = cb.stationary_profiles["baseline:cooperative"]
    support = {k: tuple(mix) for k, mix in prof.strategy.items()}
    q_axis, d_axis = spec.axes
    j = 1  # the row d = 9/10, swept exactly along q
    rows = exact_sweep(game.subs({"d": sp.Rational(d_axis.value(j))}), "q", [sp.Rational(v) for v in q_axis.values])
    for i, eqs in enumerate(rows):
        labels = eqs.labels()
        assert values["equilibria"][i, j] == len(eqs.equilibria)
        assert values["continua"][i, j] == len(eqs.continua)
        for lab in ("full", "sporadic", "none"):
            assert values[lab][i, j] == labels.count(lab), (i, j, lab)
        assert values["labels"][i, j] == sum(targets.LABEL_BITS[lab] for lab in set(labels))
        # the cooperative profile is an MPE exactly where the exact enumeration finds it
        assert values["profile"][i, j] == int(any(e.support == support for e in eqs.equilibria))
    # the model's bounds at d = 9/10: qmin_D = 1/9 <= q <= qbar_D = 26/27, so q = 1/10 is too low
    assert values["profile"][:, j].tolist() == [0, 1, 1]
    assert (values["equilibria"] >= 1).all() and (values["resolved"] >= 0).all()


def test_equilibrium_map_masks_constraints(cb):
    fixed = dict(TWO_STATE, q="3/10", d="9/10")
    del fixed["f_D"]
    spec = maps.plan(cb, "equilibria", ["f_D=-5:-1:5"], fixed, game="two_state")
    values = maps.compute(spec)
    outside = spec.axes[0].floats() >= -3  # the constraint f_D < s_D = -3
    assert outside.sum() == 3
    assert np.all(values["equilibria"][outside] == -1) and np.all(values["equilibria"][~outside] >= 1)


def test_parquet_table_has_a_row_per_point_masked_fields_null(tmp_path, cb):
    """A Parquet map: one file per block, one row per grid point with the parameters' values; the
    fields of masked points are null; read back, it is the computed map."""
    import pyarrow.parquet as pq
    fixed = dict(TWO_STATE, d="9/10")
    del fixed["f_D"]
    spec = maps.plan(cb, "equilibria", ["f_D=-5:-1:5", "q=1/10:9/10:3"], fixed, game="two_state", chunk=4)
    out = maps.write(spec, tmp_path / "m.parquet")
    blocks = int(np.prod([-(-n // c) for n, c in zip(spec.shape, spec.chunks)]))
    assert len(list(out.glob("part-*.parquet"))) == blocks > 1
    table = pq.read_table(out).sort_by([("f_D", "ascending"), ("q", "ascending")])
    assert table.num_rows == 15 and table.column_names[:2] == ["f_D", "q"]
    assert table.column("f_D").to_pylist()[:4] == [-5.0, -5.0, -5.0, -4.0]
    outside = table.column("f_D").to_numpy() >= -3   # the constraint f_D < s_D = -3
    assert table.column("equilibria").null_count == outside.sum() == 9
    values, back = maps.compute(spec), maps.read(out)
    assert back.attrs == spec.attrs()
    for f in values:
        np.testing.assert_array_equal(back.fields[f], values[f])
    np.testing.assert_array_equal(back.axes["q"], spec.axes[1].floats())


def test_unclear_points_are_resolved_exactly_or_left_out(cb):
    fixed = {k: v for k, v in TWO_STATE.items() if k != "q"}
    grid = ["q=0:1:11", "d=1/20:19/20:10"]
    exact = maps.compute(maps.plan(cb, "equilibria", grid, fixed, game="two_state"))
    fast = maps.compute(maps.plan(cb, "equilibria", grid, fixed, game="two_state", resolve=False))
    unclear = exact["resolved"] > 0
    assert unclear.any() and np.array_equal(unclear, fast["resolved"] > 0)
    spec = maps.plan(cb, "equilibria", grid, fixed, game="two_state")
    game = cb.stochastic_games["two_state"].subs({k: sp.Rational(v) for k, v in fixed.items()})
    for i, j in np.argwhere(unclear):
        eqs = game.subs({"q": sp.Rational(spec.axes[0].value(i)), "d": sp.Rational(spec.axes[1].value(j))}).equilibria()
        assert exact["equilibria"][i, j] == len(eqs.equilibria) and exact["continua"][i, j] == len(eqs.continua)
        assert fast["equilibria"][i, j] + fast["continua"][i, j] <= len(eqs.equilibria) + len(eqs.continua)
    for f in ("equilibria", "continua", "labels"):
        np.testing.assert_array_equal(exact[f][~unclear], fast[f][~unclear])


def test_grid_sweep_needs_every_other_parameter_fixed(cb):
    from symbolic.maps.equilibria import GridSweep
    with pytest.raises(ToolkitError, match="give numbers for"):
        GridSweep(cb.stochastic_games["two_state"].subs({}), ["q"])
    with pytest.raises(ToolkitError, match="needs values for d"):
        maps.plan(cb, "equilibria", ["q=0:1:3"], {k: v for k, v in TWO_STATE.items()}, game="two_state")


def test_game_tree_map_equals_backward_induction_at_grid_points():
    m = derivations.load(str(Path(__file__).resolve().parent.parent / "examples" / "entry_deterrence.py"))
    spec = maps.plan(m, "equilibria", ["f_I=-2:2:21", "d_I=-2:2:21"], {"f_E": "1", "d_E": "-1/2"})
    values = maps.compute(spec)
    tmap, sym = m.tree_maps["entry"], {n: m.domain[n].symbol for n in m.domain.parameters}
    decided = 0
    for i, j in np.ndindex(values["holds"].shape):
        point = {sym["f_I"]: sp.Rational(spec.axes[0].value(i)), sym["d_I"]: sp.Rational(spec.axes[1].value(j)),
                 sym["f_E"]: 1, sym["d_E"]: sp.Rational(-1, 2)}
        k = tmap.branches.index(tmap.at(point))
        if values["undecided"][i, j] == 0:
            assert values["holds"][i, j] == 1 << k and values["count"][i, j] == 1
            decided += 1
        else:   # only on the boundary d_I = -f_I, where floating point cannot decide
            assert spec.axes[1].value(j) == -spec.axes[0].value(i)
    assert decided == 21 * 20 and len(spec.target.attrs["regions"]) == len(tmap.branches)
    with pytest.raises(ToolkitError, match="does not depend on m"):
        maps.plan(m, "equilibria", ["f_I=-2:2:3"], {"f_E": "1", "d_E": "1", "d_I": "1", "m": "2"})


# -- the cluster -----------------------------------------------------------------------------------
def test_two_workers_give_the_same_output_as_one_even_if_one_dies(tmp_path, csd, cb):
    """One worker and two give identical maps; so do two of which one is killed mid-map (the
    scheduler re-runs its blocks on the other and on the worker its nanny restarts)."""
    import threading
    q_spec = maps.plan(csd, "chat_U", ["p=0:1:60", "q=0:1:50"], {"F": "1/2", "delta_U": "2/5"}, chunk=500)
    e_spec = maps.plan(cb, "equilibria", ["q=0:1:12", "d=1/2:9/10:5"], TWO_STATE, game="two_state", chunk=2)
    killed = []
    for n in (1, 2):
        with maps.cluster(workers=n) as client:
            assert len(client.scheduler_info()["workers"]) == n
            maps.write(q_spec, tmp_path / f"q{n}.zarr", client)
            maps.write(q_spec, tmp_path / f"q{n}.parquet", client)
            if n == 2:
                victim = sorted(client.scheduler_info()["workers"])[0]
                pid = client.run(os.getpid, workers=[victim])[victim]   # a worker process this test started

                def kill(pid=pid):
                    time.sleep(0.3)   # the map has started: its blocks are on the workers
                    os.kill(pid, signal.SIGKILL)
                    killed.append(time.perf_counter())
                threading.Thread(target=kill).start()
            maps.write(e_spec, tmp_path / f"e{n}.zarr", client)
            done = time.perf_counter()
    assert killed and killed[0] < done   # killed while the 30 blocks of the map ran
    for name in ("q.zarr", "e.zarr", "q.parquet"):
        stem, ext = name.split(".")
        one, two = maps.read(tmp_path / f"{stem}1.{ext}"), maps.read(tmp_path / f"{stem}2.{ext}")
        assert one.attrs == two.attrs
        for f in one.fields:
            np.testing.assert_array_equal(one.fields[f], two.fields[f])
        for a in one.axes:
            np.testing.assert_array_equal(one.axes[a], two.axes[a])
    assert len(q_spec.chunks) == 2 and q_spec.size > 500   # several blocks
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


# -- output ------------------------------------------------------------------------------------------
def test_cli_writes_zarr_csv_and_figure(tmp_path, capsys):
    out = tmp_path / "m.csv"
    code, stdout, err = run(capsys, "map", "csd_signaling", "chat_U", "--grid", "p=0.5:0.9:3", "--grid",
                            "q=0.1:0.3:3", "F=0.5", "delta_U=0.4", "--out", str(out), "--workers", "1",
                            "--figure", str(tmp_path / "m.png"), "--quiet")
    assert code == 0 and err == "" and f"wrote {out}" in stdout
    lines = out.read_text().splitlines()
    assert lines[0] == "p,q,value" and len(lines) == 10
    p, q, v = (float(x) for x in lines[1].split(","))
    assert (p, q) == (0.5, 0.1) and v == pytest.approx((q + 0.5 * (p - q)) / (1 - 0.5 * 0.6))
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_failed_map_leaves_the_finished_one_in_place(tmp_path, csd, monkeypatch):
    spec = maps.plan(csd, "chat_U", ["p=0:1:30", "q=0:1:30"], {"F": "1/2", "delta_U": "2/5"}, chunk=100)
    out = tmp_path / "m.zarr"
    maps.write(spec, out)
    before = maps.read(out).fields["value"]
    calls = []

    def dies(*args):
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("worker died")
        return real(*args)
    real = targets.quantity_block
    monkeypatch.setattr(targets, "quantity_block", dies)
    spec2 = maps.plan(csd, "chat_U", ["p=0:1:30", "q=0:1:30"], {"F": "1", "delta_U": "2/5"}, chunk=100)
    with pytest.raises(RuntimeError, match="worker died"):
        maps.write(spec2, out)
    np.testing.assert_array_equal(maps.read(out).fields["value"], before)   # the old map, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zarr"]           # no partial output left
    with pytest.raises(RuntimeError):
        maps.write(spec2, tmp_path / "new.zarr")
    assert not (tmp_path / "new.zarr").exists()


# -- bad input: one line, exit 2 -----------------------------------------------------------------
BASE = ["map", "csd_signaling", "chat_U", "F=0.5", "delta_U=0.4"]
GRIDS = ["--grid", "p=0.2:0.8:3", "--grid", "q=0.1:0.3:3"]


@pytest.mark.parametrize("extra, message", [
    (["--grid", "zz=0:1:3", "--grid", "q=0:1:3"], "unknown parameter 'zz'"),
    (["--grid", "p=0:1:0", "--grid", "q=0:1:3"], "the number of points must be at least 1, got 0"),
    (["--grid", "p=0:1:-4", "--grid", "q=0:1:3"], "at least 1, got -4"),
    (["--grid", "p=0.5:0.5:3", "--grid", "q=0:1:3"], "lo=1/2 must be below hi=1/2"),
    (["--grid", "p=0.9:0.1:3", "--grid", "q=0:1:3"], "lo=9/10 must be below hi=1/10"),
    (["--grid", "p=0:2:3", "--grid", "q=0:1:3"], "p=2 lies outside its domain (0, 1)"),
    (["--grid", "p=0:1", "--grid", "q=0:1:3"], "expected name=lo:hi:n"),
    (["--grid", "p=0:x:3", "--grid", "q=0:1:3"], "'x' is not a number"),
    (["--grid", "p=0:1:3"], "chat_U needs values for q"),
    (["--grid", "p=0:1:3", "--grid", "q=0:1:3", "s=0.5"], "chat_U does not depend on s"),
    (["--grid", "p=0:1:3", "--grid", "p=0:1:4"], "--grid p is given twice"),
    (["--grid", "p=0:1:3", "--grid", "q=0:1:3", "--chunk", "0"], "--chunk must be at least 1"),
    (["--grid", "p=0:1:3", "--grid", "q=0:1:3", "--workers", "0"], "--workers must be at least 1, got 0"),
    (["--grid", "p=0:1:3", "--grid", "q=0:1:3", "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"],
     "--workers sizes the local cluster"),
    (["--grid", "p=0:1:3", "--grid", "q=0:1:3", "--figure", "f.pdf", "--field", "labels"],
     "--field applies to the target equilibria only"),
])
def test_bad_grid_one_line_exit_2(capsys, tmp_path, extra, message):
    code, out, err = run(capsys, *BASE, *extra, "--out", str(tmp_path / "m.zarr"))
    assert code == 2 and message in err and err.count("\n") == 1 and err.startswith("error: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out, message", [
    ("/proc/no/such/m.zarr", "cannot write /proc/no/such/m.zarr"),
    ("m.txt", "the output must end in .zarr"),
])
def test_unwritable_output_one_line_exit_2(capsys, out, message):
    code, _, err = run(capsys, *BASE, *GRIDS, "--out", out)
    assert code == 2 and message in err and err.count("\n") == 1


def test_output_under_a_file_one_line_exit_2(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, *BASE, *GRIDS, "--out",
                       str(tmp_path / "file" / "m.zarr"))
    assert code == 2 and "cannot write" in err and err.count("\n") == 1
    (tmp_path / "other.zarr").mkdir()
    (tmp_path / "other.zarr" / "keep.txt").write_text("x")
    code, _, err = run(capsys, *BASE, *GRIDS, "--out", str(tmp_path / "other.zarr"))
    assert code == 2 and "a directory that is not a map is in the way" in err
    assert (tmp_path / "other.zarr" / "keep.txt").exists()


def test_scheduler_that_does_not_answer_fails_fast(capsys, tmp_path):
    t = time.perf_counter()
    code, _, err = run(capsys, *BASE, *GRIDS, "--out", str(tmp_path / "m.zarr"),
                       "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2 and "no dask scheduler answers at tcp://127.0.0.1:9" in err and err.count("\n") == 1
    assert time.perf_counter() - t < 10
    assert list(tmp_path.iterdir()) == []


def test_scheduler_without_workers_fails_fast(capsys, tmp_path):
    from distributed import LocalCluster
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster:
        t = time.perf_counter()
        code, _, err = run(capsys, *BASE, *GRIDS, "--out", str(tmp_path / "m.zarr"), "--scheduler",
                           cluster.scheduler_address)
    assert code == 2 and "has no workers (start some: dask worker" in err and err.count("\n") == 1
    assert time.perf_counter() - t < 10 and list(tmp_path.iterdir()) == []


def test_figure_hook_for_reports(csd):
    fig = maps.figure(csd, "chat_U", ["p=0:1:21", "q=0:1:21"], {"F": "1/2", "delta_U": "2/5"})
    assert fig.axes[0].get_xlabel() == "p" and fig.axes[0].get_title() == "csd_signaling: chat_U"
    with pytest.raises(ToolkitError, match="one or two mapped parameters"):
        maps.figure(csd, "CSD-9", ["p=0:1:3", "q=0:1:3", "a_J=0:1:3"], {"s": "1/2", "delta_U": "1/2", "cbar_J": "1"})


def test_equilibria_needs_a_stochastic_game(capsys, tmp_path):
    code, _, err = run(capsys, "map", str(Path(__file__).resolve().parents[1] / "examples" / "audience_costs.py"), "equilibria", "--grid",
                       "w=0:1:3", "--out", str(tmp_path / "m.zarr"))
    assert code == 2 and "has no stochastic game" in err


def test_equilibria_of_a_tree_the_build_did_not_solve(capsys, tmp_path):
    """CSD declares its crisis tree without solving it in build(): map derives its equilibrium map."""
    out = tmp_path / "m.csv"
    code, _, err = run(capsys, "map", "csd_signaling", "equilibria", "--grid", "F=0:1:5", "--grid", "c_U=0.1:1.1:5",
                       "p=3/5", "q=3/10", "delta_U=2/5", "s=1/2", "a_J=1/10", "v_J=0", "c_J=1/10", "c_C=3/10",
                       "--out", str(out), "--workers", "1", "--quiet")
    assert code == 0 and err == ""
    rows = out.read_text().splitlines()
    assert len(rows) == 26 and all(int(r.split(",")[3]) == 1 for r in rows[1:])  # exactly one region everywhere


def test_figure_of_an_equilibrium_map(eq_map):
    spec, values = eq_map
    fig = maps.draw({ax.name: ax.floats() for ax in spec.axes}, values, spec.attrs())
    assert fig.axes[0].get_xlabel() == "q" and fig.axes[0].get_ylabel() == "d"
