"""Running it as a service: the watcher (`watch DIR --once`) loads a file that lands in the
inbox once, skips one already loaded, moves a bad one to failed/ with its reason and leaves the
warehouse as it was; backup and restore bring back the same figures and the same actions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from contextlib import closing

import duckdb
from conftest import school_days, write_csv

from data_pipeline import watch
from data_pipeline.__main__ import main

URN = 400001
DAYS = school_days(dt.date(2025, 9, 8), 5)  # Mon 8 to Fri 12 September 2025


def _marks(path, pupils: dict[str, list[str]]):
    """pupils: {pupil_id: one code per session, AM then PM, day by day}."""
    rows = []
    for pupil, codes in pupils.items():
        sessions = [(d, s) for d in DAYS for s in ("AM", "PM")]
        for (day, session), code in zip(sessions, codes):
            rows.append([URN, pupil, day.isoformat(), session, code])
    return write_csv(path, ["urn", "pupil_id", "date", "session", "code"], rows)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _summary(db, capsys) -> dict:
    capsys.readouterr()
    assert main(["summary", "--db", str(db), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _report(path) -> dict:
    return json.loads(path.with_name(path.name + ".report.json").read_text())


def test_watcher_loads_skips_and_fails_leaving_the_warehouse_unchanged(tmp_path, capsys):
    root, db = tmp_path / "drop", tmp_path / "attendance.duckdb"
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    good = _marks(inbox / "marks_week1.csv", {"P1": ["/"] * 9 + ["I"], "P2": ["/"] * 10})
    (inbox / ".hidden.csv").write_text("ignored")
    (inbox / "half_copied.csv.part").write_text("ignored")

    # a file still being written (changed within the settle time) waits for the next pass
    assert watch.run_once(root, db, settle=3600, log=lambda *_: None) == []
    assert good.exists()

    assert main(["watch", str(root), "--db", str(db), "--once", "--settle", "0"]) == 0
    done = sorted((root / "done").glob("*-marks_week1.csv"))
    assert len(done) == 1 and not good.exists()
    report = _report(done[0])
    assert report["status"] == "loaded" and report["result"]["rows_loaded"] == 20
    assert (inbox / ".hidden.csv").exists() and (inbox / "half_copied.csv.part").exists()
    before = _summary(db, capsys)
    assert before["enrolments"] == 2 and before["possible_sessions"] == 20
    assert before["authorised_sessions"] == 1

    # the same bytes again, under another name: skipped, the warehouse not touched
    sha = _sha(db)
    shutil.copyfile(done[0], inbox / "marks_again.csv")
    outcomes = watch.run_once(root, db, settle=0, log=lambda *_: None)
    assert [o.status for o in outcomes] == ["skipped"]
    assert "already loaded" in _report(next((root / "done").glob("*-marks_again.csv")))["message"]
    assert _sha(db) == sha

    # a load that fails (a re-send that would remove more marks than it brings): failed/, the
    # warehouse byte for byte as it was, the reason in the report and in the admin's list
    (inbox / "shrinking.csv").write_text(
        "urn,pupil_id,date,session,code\n"
        f"{URN},P1,{DAYS[0].isoformat()},AM,/\n{URN},P1,{DAYS[-1].isoformat()},PM,/\n"
    )
    assert main(["watch", str(root), "--db", str(db), "--once", "--settle", "0"]) == 1
    failed = next((root / "failed").glob("*-shrinking.csv"))
    report = _report(failed)
    assert report["status"] == "failed"
    assert "shrinking.csv" in report["message"] and "warehouse is unchanged" in report["message"]
    assert _sha(db) == sha

    # an unusable file: failed/ with the reason; no figure changes
    (inbox / "garbage.csv").write_text("this,is,not\na,return,file\n")
    outcomes = watch.run_once(root, db, settle=0, log=lambda *_: None)
    assert [o.status for o in outcomes] == ["failed"]
    report = _report(next((root / "failed").glob("*-garbage.csv")))
    assert "garbage.csv" in report["message"] and "no row was loaded" in report["message"]
    assert _summary(db, capsys) == before

    runs = watch.load_runs("failed")
    assert {"shrinking.csv", "garbage.csv"} <= set(runs["file_name"])
    assert sorted(p.name for p in inbox.iterdir()) == [".hidden.csv", "half_copied.csv.part"]


def test_a_second_watcher_on_the_same_folder_does_nothing(tmp_path):
    root = tmp_path / "drop"
    root.mkdir()
    _marks(root / "m.csv", {"P1": ["/"] * 10})
    with watch._watch_lock(root):
        assert watch.watch(root, tmp_path / "w.duckdb", once=True, settle=0) == 0
    assert (root / "m.csv").exists()  # DIR itself is the inbox when there is no inbox/


def test_backup_and_restore_bring_back_the_figures_and_the_actions(demo_db, tmp_path, monkeypatch, capsys):
    import access
    from actions import store as actions

    live = tmp_path / "live"
    live.mkdir()
    store, users = live / "app_store.sqlite", live / "users.json"
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(store))
    monkeypatch.setenv("ATTENDANCE_USERS", str(users))
    db = live / "attendance.duckdb"
    shutil.copyfile(demo_db, db)
    assert main(["users", "add", "officer@council.gov.uk", "--role", "la_officer", "--no-password"]) == 0
    officer = access.Scope(role="la_officer", user="officer@council.gov.uk", pupil_rows_allowed=True)
    actions.add_action(
        officer,
        urn=990001,
        meeting_term="2025-Autumn",
        cohort="Year 9",
        strategy_id="pupil_voice",
        stage="Listen and understand",
        action_date=dt.date(2025, 10, 1),
        owner="Attendance lead",
    )

    def recorded(path) -> dict:
        with closing(sqlite3.connect(path)) as con:
            return {
                t: con.execute(f"select * from {t} order by 1").fetchall()  # table names: constants
                for t in ("meeting_actions", "meeting_action_history", "settings")
            }

    figures, kept = _summary(db, capsys), recorded(store)
    assert kept["meeting_actions"]

    assert main(["backup", "--db", str(db), "--to", str(tmp_path / "backup")]) == 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert set(manifest["files"]) == {"attendance.duckdb", "app_store.sqlite", "users.json"}
    # a backup is never written over another
    assert main(["backup", "--db", str(db), "--to", str(tmp_path / "backup")]) == 2

    fresh = tmp_path / "fresh"
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(fresh / "app_store.sqlite"))
    monkeypatch.setenv("ATTENDANCE_USERS", str(fresh / "users.json"))
    new_db = fresh / "attendance.duckdb"
    assert main(["restore", "--from", str(tmp_path / "backup"), "--db", str(new_db)]) == 0
    assert _summary(new_db, capsys) == figures
    assert recorded(fresh / "app_store.sqlite") == kept
    assert json.loads((fresh / "users.json").read_text()) == json.loads(users.read_text())
    listed = actions.list_actions(officer, urn=990001)
    assert list(listed["owner"]) == ["Attendance lead"]

    # restore refuses to overwrite unless told to; a damaged backup is refused by name
    assert main(["restore", "--from", str(tmp_path / "backup"), "--db", str(new_db)]) == 2
    assert "--force" in capsys.readouterr().err
    with (tmp_path / "backup" / "app_store.sqlite").open("ab") as fh:
        fh.write(b"x")
    assert main(["restore", "--from", str(tmp_path / "backup"), "--db", str(new_db), "--force"]) == 2
    assert "app_store.sqlite: differs from the manifest" in capsys.readouterr().err


def test_the_admin_sees_failed_loads(demo_db, tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from auth import users

    root = tmp_path / "drop"
    root.mkdir()
    (root / "broken_return.csv").write_text("nothing,useful\n1,2\n")
    copy = tmp_path / "attendance.duckdb"
    shutil.copyfile(demo_db, copy)
    assert [o.status for o in watch.run_once(root, copy, settle=0, log=lambda *_: None)] == ["failed"]

    monkeypatch.setenv("ATTENDANCE_DB", str(copy))
    monkeypatch.setenv("ATTENDANCE_USERS", str(users.DEMO_USERS))
    monkeypatch.delenv("ATTENDANCE_DEMO_MODE", raising=False)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=120)
    at.run()
    at.text_input(key="sign_in_email").input("admin@demo.invalid")
    at.text_input(key="sign_in_password").input("demo-administrator")
    at.button[-1].click()
    at.run()
    at.switch_page("pages/audit_log.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(h.value == "Loads that failed" for h in at.header)
    failed = at.dataframe[-1].value
    assert "broken_return.csv" in set(failed["file_name"])
    assert failed.loc[failed["file_name"] == "broken_return.csv", "message"].str.contains("no row").all()


def test_stores_from_before_content_hashes_keep_working(tmp_path, monkeypatch):
    """The file hash was SHA-256 in a column named for it; a warehouse and an app store made then
    take a new load and a new outcome, and name the column for what it now holds."""
    db, store = tmp_path / "w.duckdb", tmp_path / "app_store.sqlite"
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(store))
    first = _marks(tmp_path / "m1.csv", {"P1": ["/"] * 10})
    assert main(["ingest", "--quiet", "--db", str(db), str(first)]) == 0
    con = duckdb.connect(str(db))
    con.execute("alter table load_files rename column content_hash to sha256")
    con.close()
    with closing(sqlite3.connect(store)) as con:
        con.execute(
            "create table load_runs (id integer primary key autoincrement, at text not null, "
            "file_name text not null, sha256 text, status text not null, message text not null default '', "
            "rows_read integer, rows_loaded integer, rows_quarantined integer, moved_to text, warehouse text)"
        )
        con.execute(
            "insert into load_runs (at, file_name, sha256, status) values ('2026-01-05', 'old.csv', 'ab', 'failed')"
        )
        con.commit()

    root = tmp_path / "drop"
    root.mkdir()
    _marks(root / "m2.csv", {"P2": ["/"] * 9 + ["O"]})
    (root / "bad.csv").write_text("this,is,not\na,return,file\n")
    assert watch.run_once(root, db, settle=0, log=lambda *_: None)
    con = duckdb.connect(str(db), read_only=True)
    files = dict(con.execute("select file_name, content_hash from load_files").fetchall())
    assert set(files) == {"m1.csv", "m2.csv", "bad.csv"}
    assert len(files["m2.csv"]) == 32  # XXH3-128, 128 bits in hex
    assert con.execute("select count(distinct pupil_id) from marks").fetchall()[0][0] == 2
    con.close()
    assert set(watch.load_runs("failed")["file_name"]) == {"old.csv", "bad.csv"}
