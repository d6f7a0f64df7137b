"""Loads that cannot lose data, and a demo that cannot reach real data (issue 16, items 1 and 3).

Each test here failed before its fix: a two-row file wiped a school's year, two loads at once
kept one, `demo` merged into a warehouse of real returns, and a real file loaded into a demo
warehouse kept demo mode (no sign-in) switched on.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT, dashboard_app, school_days, write_csv

import queries
from data_pipeline import warehouse
from data_pipeline.__main__ import main as cli
from data_pipeline.load import LoadRefused, Options, ingest_files, set_meta

TODAY = dt.date(2026, 11, 25)
HEADER = ["urn", "pupil_id", "date", "session", "code"]
DAYS = school_days(dt.date(2025, 9, 8), 10)


def marks_rows(urn, pupils, code="/", days=DAYS):
    return [[urn, p, d.isoformat(), s, code] for p in pupils for d in days for s in ("AM", "PM")]


def marks_by_pupil(db):
    con = warehouse.connect(db, read_only=True)
    try:
        rows = con.execute("select urn, pupil_id, code, count(*) from marks group by all").fetchall()
    finally:
        con.close()
    return {(u, p, c): n for u, p, c, n in rows}


def meta_synthetic(db, monkeypatch) -> str:
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    meta = dict(queries.run("warehouse_meta").values.tolist())
    return meta["synthetic"]


# --- a re-send replaces exactly what it covers -------------------------------------------


def test_two_row_file_cannot_wipe_a_school(tmp_path, capsys):
    """The probe's case: one pupil's first and last day of the period, two rows."""
    db = tmp_path / "w.duckdb"
    full = write_csv(tmp_path / "full.csv", HEADER, marks_rows(1, ["a", "b", "c"]))
    ingest_files([full], db, progress=False, today=TODAY)
    before = marks_by_pupil(db)
    tiny = write_csv(
        tmp_path / "tiny.csv",
        HEADER,
        [[1, "a", DAYS[0].isoformat(), "AM", "I"], [1, "a", DAYS[-1].isoformat(), "PM", "I"]],
    )
    with pytest.raises(LoadRefused, match="replace 20 marks of earlier files .* with only 2"):
        ingest_files([tiny], db, progress=False, today=TODAY)
    assert marks_by_pupil(db) == before
    # The command line says so and exits non-zero.
    assert cli(["ingest", "--db", str(db), "--quiet", str(tiny)]) == 2
    assert "--allow-shrink" in capsys.readouterr().err
    assert marks_by_pupil(db) == before


def test_allow_shrink_replaces_only_that_pupils_dates(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "full.csv", HEADER, marks_rows(1, ["a", "b", "c"]))],
        db,
        progress=False,
        today=TODAY,
    )
    tiny = write_csv(
        tmp_path / "tiny.csv",
        HEADER,
        [[1, "a", DAYS[0].isoformat(), "AM", "I"], [1, "a", DAYS[-1].isoformat(), "PM", "I"]],
    )
    (r,) = ingest_files([tiny], db, progress=False, today=TODAY, options=Options(allow_shrink=True))
    assert r.replaced == 20
    assert "replaced 20 marks of earlier files for 1 pupils at 1 school(s)" in r.message
    assert marks_by_pupil(db) == {(1, "a", "I"): 2, (1, "b", "/"): 20, (1, "c", "/"): 20}


def test_resend_of_one_pupils_week_reports_what_it_replaced(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "full.csv", HEADER, marks_rows(1, ["a", "b"]))],
        db,
        progress=False,
        today=TODAY,
    )
    fix = write_csv(tmp_path / "fix.csv", HEADER, marks_rows(1, ["b"], "I", days=DAYS[5:]))
    (r,) = ingest_files([fix], db, progress=False, today=TODAY)
    assert r.status == "loaded" and r.replaced == 10
    assert "10 marks of earlier files for 1 pupils at 1 school(s), 15 Sep 2025 to 19 Sep 2025" in r.message
    assert marks_by_pupil(db) == {(1, "a", "/"): 20, (1, "b", "/"): 10, (1, "b", "I"): 10}


def test_whole_school_return_replaces_pupils_it_leaves_out(tmp_path):
    """A whole-school return (--whole-school) is the school's register: a pupil missing from it
    over its dates was not on roll, so their earlier marks there go."""
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "full.csv", HEADER, marks_rows(1, ["a", "b"]) + marks_rows(2, ["z"]))],
        db,
        progress=False,
        today=TODAY,
    )
    fix = write_csv(tmp_path / "fix.csv", HEADER, marks_rows(1, ["a"], "O", days=DAYS[5:]))
    with pytest.raises(LoadRefused):  # 20 marks out (a's and b's second week), 10 in
        ingest_files([fix], db, progress=False, today=TODAY, options=Options(whole_school=True))
    assert cli(["ingest", "--db", str(db), "--quiet", "--whole-school", "--allow-shrink", str(fix)]) == 0
    assert marks_by_pupil(db) == {(1, "a", "/"): 10, (1, "a", "O"): 10, (1, "b", "/"): 10, (2, "z", "/"): 20}


# --- loads are serialised ------------------------------------------------------------------


def test_two_loads_at_once_both_land(tmp_path):
    """Two ingest processes started together for different schools: both in the warehouse."""
    db = tmp_path / "w.duckdb"
    files = [
        write_csv(tmp_path / f"school{u}.csv", HEADER, marks_rows(u, [f"p{u}{i}" for i in range(40)]))
        for u in (1, 2, 3)
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "data_pipeline", "ingest", "--quiet", "--db", str(db), str(f)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    con = warehouse.connect(db, read_only=True)
    per_school = dict(con.execute("select urn, count(*) from marks group by urn").fetchall())
    n_files = con.execute("select count(*) from load_files where status = 'loaded'").fetchall()[0][0]
    con.close()
    assert per_school == {1: 800, 2: 800, 3: 800}
    assert n_files == 3


def test_a_load_that_cannot_get_the_lock_fails_loudly(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    f = write_csv(tmp_path / "m.csv", HEADER, marks_rows(1, ["a"]))
    holding, release = threading.Event(), threading.Event()

    def hold():
        with warehouse.load_lock(db):
            holding.set()
            release.wait(30)

    # flock is per open file: a second process (here, a child) is what a real second load is.
    t = threading.Thread(target=hold)
    t.start()
    holding.wait(10)
    try:
        env = {**os.environ, "ATTENDANCE_LOAD_WAIT": "0.5", "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-m", "data_pipeline", "ingest", "--quiet", "--db", str(db), str(f)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        release.set()
        t.join()
    assert out.returncode == 2
    assert "another load of" in out.stderr and "nothing was loaded" in out.stderr
    assert not db.exists()


def test_next_load_cleans_what_a_killed_load_left(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "a.csv", HEADER, marks_rows(1, ["a"]))], db, progress=False, today=TODAY
    )
    # What a load killed mid-way leaves: its copy of the warehouse, its WAL, its work folder.
    copy = tmp_path / f".{db.name}.deadbeef.tmp"
    copy.write_bytes(b"x" * 1000)
    (tmp_path / f".{db.name}.deadbeef.tmp.wal").write_bytes(b"x")
    work = tmp_path / f".{db.name}.work.abc123"
    work.mkdir()
    (work / "raw.csv").write_text("x")
    ingest_files(
        [write_csv(tmp_path / "b.csv", HEADER, marks_rows(2, ["b"]))], db, progress=False, today=TODAY
    )
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".{db.name}."))
    assert leftovers == [f".{db.name}.lock"]


def test_killed_load_leaves_the_warehouse_and_the_next_load_works(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "a.csv", HEADER, marks_rows(1, ["a"]))], db, progress=False, today=TODAY
    )
    before = marks_by_pupil(db)
    big = write_csv(
        tmp_path / "big.csv",
        HEADER,
        marks_rows(2, [f"p{i}" for i in range(3000)], days=school_days(DAYS[0], 60)),
    )
    p = subprocess.Popen(
        [sys.executable, "-m", "data_pipeline", "ingest", "--quiet", "--db", str(db), str(big)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(f".{db.name}.*.tmp")):
        time.sleep(0.05)
    p.kill()
    p.wait()
    assert marks_by_pupil(db) == before
    ingest_files(
        [write_csv(tmp_path / "c.csv", HEADER, marks_rows(3, ["c"]))], db, progress=False, today=TODAY
    )
    assert not list(tmp_path.glob(f".{db.name}.*.tmp*"))
    assert marks_by_pupil(db) == {**before, (3, "c", "/"): 20}


# --- the demo never mixes with real data -----------------------------------------------------


def test_demo_refuses_a_warehouse_that_holds_returns(tmp_path, capsys):
    db = tmp_path / "real.duckdb"
    ingest_files(
        [write_csv(tmp_path / "m.csv", HEADER, marks_rows(1, ["a"]))], db, progress=False, today=TODAY
    )
    before = marks_by_pupil(db)
    assert cli(["demo", "--db", str(db), "--quiet", "--pupils", "300"]) == 2
    assert "never mixed with other data" in capsys.readouterr().err
    assert marks_by_pupil(db) == before


def test_demo_and_ingest_have_different_default_warehouses(monkeypatch):
    from data_pipeline import config

    monkeypatch.delenv("ATTENDANCE_DB", raising=False)
    monkeypatch.delenv("ATTENDANCE_DEMO_DB", raising=False)
    assert config.default_db().name == "attendance.duckdb"
    assert config.default_demo_db().name == "demo.duckdb"


def test_real_file_into_demo_warehouse_clears_synthetic_for_good(tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    demo_file = write_csv(tmp_path / "demo.csv", HEADER, marks_rows(1, ["a"]))
    ingest_files([demo_file], db, progress=False, today=TODAY, options=Options(synthetic=True))
    assert meta_synthetic(db, monkeypatch) == "true"
    real = write_csv(tmp_path / "real.csv", HEADER, marks_rows(2, ["b"]))
    ingest_files([real], db, progress=False, today=TODAY)
    assert meta_synthetic(db, monkeypatch) == "false"
    con = warehouse.connect(db, read_only=True)
    meta = warehouse.get_meta(con)
    con.close()
    assert meta["synthetic"] == "false" and "real.csv" in meta["synthetic_cleared"]
    # Nothing can set it back: not set_meta, not another demo build.
    with pytest.raises(ValueError):
        set_meta(db, {"synthetic": "true"})
    with pytest.raises(LoadRefused):
        ingest_files(
            [write_csv(tmp_path / "demo2.csv", HEADER, marks_rows(3, ["c"]))],
            db,
            progress=False,
            today=TODAY,
            options=Options(synthetic=True),
        )
    assert meta_synthetic(db, monkeypatch) == "false"


def test_demo_mode_refused_when_meta_says_synthetic_but_files_are_not_the_demos(tmp_path, monkeypatch):
    """Even a warehouse whose meta was edited by hand: demo mode needs every file to be the demo's."""
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "m.csv", HEADER, marks_rows(1, ["a"]))], db, progress=False, today=TODAY
    )
    con = warehouse.connect(db)
    warehouse.put_meta(con, {"synthetic": "true"})
    con.close()
    assert meta_synthetic(db, monkeypatch) == "false"


def test_demo_mode_does_not_open_a_real_warehouse(tmp_path, monkeypatch):
    """With ATTENDANCE_DEMO_MODE=1 on a warehouse of real returns, the dashboard asks for sign-in."""
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "m.csv", HEADER, marks_rows(1, ["a"]))], db, progress=False, today=TODAY
    )
    con = warehouse.connect(db)
    warehouse.put_meta(con, {"synthetic": "true", "demo_file_ids": ""})
    con.close()
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(60).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert any("does not hold the synthetic demo data" in w.value for w in at.warning)


# --- smaller items: a column given twice, binary bytes in a header --------------------------


def test_a_file_giving_one_column_twice_is_refused_not_read_from_the_first(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    f = tmp_path / "twice.csv"
    f.write_text("urn,pupil_id,date,session,code,mark\n1,a,2025-09-08,AM,/,O\n")
    assert cli(["ingest", "--db", str(db), "--quiet", str(f)]) == 1
    out = capsys.readouterr().out
    assert "line 1: columns 'code' and 'mark' both give code" in out
    con = warehouse.connect(db, read_only=True)
    assert con.execute("select count(*) from marks").fetchall()[0][0] == 0
    assert con.execute("select rows_read, rows_quarantined from load_files").fetchall() == [(1, 1)]
    con.close()


def test_error_messages_show_no_binary_bytes(tmp_path, capsys):
    f = tmp_path / "binary.csv"
    f.write_bytes(b"\x00\x01\x1b[31mevil\x07,\xff\xfe\x00x\n1,2\n")
    cli(["ingest", "--db", str(tmp_path / "w.duckdb"), "--quiet", str(f)])
    out = capsys.readouterr().out
    assert "cannot tell what kind of file" in out
    assert not any(ord(c) < 32 and c not in "\n" for c in out), repr(out)
    assert "\x1b" not in out
