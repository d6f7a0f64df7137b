"""Loads are transactional and idempotent, and readers never see half a load."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from conftest import school_days, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_pipeline import build, warehouse
from data_pipeline.load import ingest_files
from data_pipeline.summary import summary

TODAY = dt.date(2026, 11, 25)
HEADER = ["urn", "pupil_id", "date", "session", "code"]
DAYS = school_days(dt.date(2025, 9, 8), 10)


def marks_rows(urn, pupils, code="/", days=DAYS):
    return [[urn, p, d.isoformat(), s, code] for p in pupils for d in days for s in ("AM", "PM")]


def file_hash(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(db):
    con = warehouse.connect(db, read_only=True)
    return con.execute("select count(*), count(*) filter (where code <> '/') from marks").fetchall()[0]


def test_same_file_twice_changes_nothing(tmp_path):
    f = write_csv(tmp_path / "m.csv", HEADER, marks_rows(1, ["a", "b"]))
    db = tmp_path / "w.duckdb"
    ingest_files([f], db, progress=False, today=TODAY)
    before = file_hash(db)
    (r,) = ingest_files([f], db, progress=False, today=TODAY)
    assert r.status == "unchanged"
    assert file_hash(db) == before


def test_resend_replaces_that_school_and_period_only(tmp_path):
    db = tmp_path / "w.duckdb"
    first = write_csv(tmp_path / "m1.csv", HEADER, marks_rows(1, ["a", "b"]) + marks_rows(2, ["c"]))
    ingest_files([first], db, progress=False, today=TODAY)
    # School 1 corrects its second week: pupil b was ill, pupil a's rows are re-sent unchanged.
    week2 = DAYS[5:]
    resend = write_csv(
        tmp_path / "m2.csv", HEADER, marks_rows(1, ["a"], days=week2) + marks_rows(1, ["b"], "I", days=week2)
    )
    ingest_files([resend], db, progress=False, today=TODAY)
    con = warehouse.connect(db, read_only=True)
    rows = dict(
        ((u, p, c), n)
        for u, p, c, n in con.execute(
            "select urn, pupil_id, code, count(*) from marks group by all"
        ).fetchall()
    )
    assert rows == {(1, "a", "/"): 20, (1, "b", "/"): 10, (1, "b", "I"): 10, (2, "c", "/"): 20}


def test_failed_load_leaves_warehouse_exactly_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "m1.csv", HEADER, marks_rows(1, ["a"]))], db, progress=False, today=TODAY
    )
    before = file_hash(db)

    def broken(con, changes=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "build", broken)
    with pytest.raises(RuntimeError):
        ingest_files(
            [write_csv(tmp_path / "m2.csv", HEADER, marks_rows(2, ["b"]))], db, progress=False, today=TODAY
        )
    assert file_hash(db) == before
    assert not list(tmp_path.glob(".*.tmp*"))


def test_readers_see_whole_loads_while_loading(tmp_path):
    """A reader polling throughout a series of loads sees only whole loads, and no errors."""
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "m0.csv", HEADER, marks_rows(1, [f"p{i}" for i in range(50)]))],
        db,
        progress=False,
        today=TODAY,
    )
    seen, errors, stop = set(), [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                con = warehouse.connect(db, read_only=True)
                seen.add(summary(con, population="all")["enrolments"])
                con.close()
            except Exception as exc:  # any error at all is a failure of the test
                errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    for k in range(1, 6):
        rows = marks_rows(100 + k, [f"q{i}" for i in range(10)])
        ingest_files([write_csv(tmp_path / f"m{k}.csv", HEADER, rows)], db, progress=False, today=TODAY)
    stop.set()
    t.join()
    assert not errors
    assert seen <= {50, 60, 70, 80, 90, 100}
    assert 100 in seen or len(seen) >= 1


LINE = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=40),
    st.builds(
        lambda u, p, d, s, c: f"{u},{p},{d},{s},{c}",
        st.sampled_from(["100001", "1e5", "", "-3", "99999999999"]),
        st.sampled_from(["P1", "P2", "", '"P,3"', "Zoë"]),
        st.sampled_from(["2025-09-08", "2025-09-09", "2025-09-13", "2025-02-30", "08/09/2025", "x", ""]),
        st.sampled_from(["AM", "PM", "pm", "", "XX"]),
        st.sampled_from(["/", "\\", "I", "L", "C2", "Y1", "H", "Q9", "", '"', "#"]),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(LINE, max_size=25),
    header=st.sampled_from([",".join(HEADER), "UPN,URN,Date,Session,Mark", "a,b"]),
    crlf=st.booleans(),
    cp1252=st.booleans(),
)
def test_malformed_files_never_crash_lose_rows_or_half_load(tmp_path, lines, header, crlf, cp1252):
    db = tmp_path / "w.duckdb"
    if not db.exists():
        ingest_files(
            [write_csv(tmp_path / "seed.csv", HEADER, marks_rows(7, ["s"]))], db, progress=False, today=TODAY
        )
    before = counts(db)
    nl = "\r\n" if crlf else "\n"
    text = header + nl + nl.join(lines) + (nl if lines else "")
    f = tmp_path / "fuzz.csv"
    f.write_bytes(text.encode("cp1252", errors="replace") if cp1252 else text.encode("utf-8"))
    (r,) = ingest_files([f], db, progress=False, today=TODAY)
    if r.status == "unchanged":
        return
    assert r.rows_read == r.rows_loaded + r.rows_quarantined
    if header == "a,b":
        assert r.status == "rejected" and r.rows_loaded == 0
        assert r.rows_read == len(lines)
    else:
        assert r.rows_read == len(lines)
    after = counts(db)
    con = warehouse.connect(db, read_only=True)
    q = con.execute(
        "select count(*) from quarantine where file_name = 'fuzz.csv' and file_id = (select max(file_id) from load_files)"
    ).fetchall()[0][0]
    assert q == r.rows_quarantined
    # The seed school's marks are untouched by whatever the fuzz file held.
    assert con.execute("select count(*) from marks where urn = 7").fetchall()[0][0] == 20
    assert after[0] >= 20 and before[0] >= 20


def test_build_checks_refuse_a_session_marked_twice(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_files(
        [write_csv(tmp_path / "m.csv", HEADER, marks_rows(1, ["a"]))], db, progress=False, today=TODAY
    )
    before = file_hash(db)
    with pytest.raises(RuntimeError, match="one mark per pupil"):
        with warehouse.writer(db) as con:
            con.execute("insert into marks values (1, 'a', DATE '2025-09-08', 'AM', 'I', 99)")
            build.build(con)
    assert file_hash(db) == before


def test_marts_built_by_another_version_are_named_and_rebuilt(tmp_path, monkeypatch):
    """After an update that changes how the marts are built, the dashboard says so instead of
    failing on a missing column, and `build --if-stale` rebuilds them (and only then)."""
    from conftest import dashboard_app

    from data_pipeline.__main__ import main

    f = write_csv(tmp_path / "m.csv", HEADER, marks_rows(1, ["a", "b"]))
    db = tmp_path / "w.duckdb"
    ingest_files([f], db, progress=False, today=TODAY)
    assert main(["build", "--db", str(db), "--if-stale"]) == 0
    assert not build.stale(db)
    con = warehouse.connect(db)
    con.execute("update meta set value = 'an-older-sql' where key = 'marts_sql'")
    con.close()
    assert build.stale(db)
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "0")
    at = dashboard_app(120)
    at.run()
    assert not at.exception
    assert any("built by an earlier version" in e.value for e in at.error), [e.value for e in at.error]
    assert main(["build", "--db", str(db), "--if-stale"]) == 0
    assert not build.stale(db)
