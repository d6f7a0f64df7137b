"""The fast path for marks (read straight into the warehouse) and the exact path
(line by line) must leave the same warehouse for any file: a clean file takes the
fast path; any file with a row the fast path cannot vouch for falls back, and the
quarantine then names every bad line exactly as the exact path alone would."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import school_days, write_csv

from data_pipeline import warehouse
from data_pipeline.load import ingest_files

TODAY = dt.date(2026, 11, 25)
DAYS = school_days(dt.date(2025, 9, 8), 10)
MARKS_HEADER = ["urn", "pupil_id", "date", "session", "code"]
CODES = ["/", "\\", "L", "I", "M", "O", "G", "U", "N", "C", "C2", "B", "K", "X", "Z", "#"]


def schools_file(tmp_path):
    return write_csv(
        tmp_path / "schools.csv",
        ["URN", "EstablishmentName", "PhaseOfEducation (name)"],
        [[100001, "Alpha Primary", "Primary"], [100002, "Beta Academy", "Secondary"]],
    )


def pupils_file(tmp_path):
    return write_csv(
        tmp_path / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "gender", "sen_provision", "fsm"],
        [[100001, f"P{i}", 3, "F", "N", i % 2] for i in range(6)]
        + [[100002, f"S{i}", 8, "M", "K", 0] for i in range(6)],
    )


def clean_rows():
    rows = []
    for urn, prefix in ((100001, "P"), (100002, "S")):
        for i in range(6):
            for j, d in enumerate(DAYS):
                for k, s in enumerate(("AM", "PM")):
                    rows.append(
                        [urn, f"{prefix}{i}", d.isoformat(), s, CODES[(i * 7 + j * 3 + k) % len(CODES)]]
                    )
    return rows


def load(tmp_path, name, marks_rows, exact):
    folder = tmp_path / name
    folder.mkdir()
    marks = write_csv(folder / "marks.csv", MARKS_HEADER, marks_rows)
    db = folder / "w.duckdb"
    results = ingest_files(
        [schools_file(folder), pupils_file(folder), marks], db, progress=False, today=TODAY, exact=exact
    )
    return db, {r.kind: r for r in results}


def snapshot(db):
    con = warehouse.connect(db, read_only=True)
    try:
        return {
            "marks": con.execute(
                "select urn, pupil_id, date, session, code from marks order by all"
            ).fetchall(),
            "quarantine": con.execute(
                "select line, column_name, value, reason from quarantine order by all"
            ).fetchall(),
            "pupil_week": con.execute("select * exclude (ekey) from pupil_week order by all").fetchall(),
            "pupil_year": con.execute("select * exclude (ekey) from pupil_year order by all").fetchall(),
        }
    finally:
        con.close()


def test_clean_file_takes_the_fast_path_and_matches_the_exact_path(tmp_path):
    fast_db, fast = load(tmp_path, "fast", clean_rows(), exact=False)
    exact_db, exact = load(tmp_path, "exact", clean_rows(), exact=True)
    assert fast["marks"].reader == "fast" and exact["marks"].reader == "exact"
    n = len(clean_rows())
    assert (fast["marks"].rows_read, fast["marks"].rows_loaded, fast["marks"].rows_quarantined) == (n, n, 0)
    assert snapshot(fast_db) == snapshot(exact_db)
    assert len(snapshot(fast_db)["marks"]) == n


def _with(change):
    rows = clean_rows()
    change(rows)
    return rows


def _set(row, col, value):
    def change(rows):
        rows[row][col] = value

    return change


BAD_FILES = {
    "exact duplicate": lambda rows: rows.insert(5, list(rows[4])),
    "conflicting duplicate": lambda rows: rows.insert(5, rows[4][:4] + ["I" if rows[4][4] != "I" else "M"]),
    "lower-case code": _set(3, 4, "i"),
    "unknown code": _set(3, 4, "A"),
    "code from the old set": _set(3, 4, "F"),
    "weekend": _set(3, 2, "2025-09-13"),
    "future date": _set(3, 2, "2027-01-04"),
    "another academic year": _set(3, 2, "2024-09-09"),
    "UK date": _set(3, 2, "08/09/2025"),
    "session spelt out": _set(3, 3, "am"),
    "unknown pupil": _set(3, 1, "NOBODY"),
    "unknown school": _set(3, 0, 999999),
    "URN not a number": _set(3, 0, "abc"),
    "empty pupil": _set(3, 1, ""),
    "padded pupil id": _set(3, 1, " P0 "),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_the_fast_path_cannot_vouch_for_loads_exactly(tmp_path, case):
    rows = _with(BAD_FILES[case])
    fast_db, fast = load(tmp_path, "fast", rows, exact=False)
    exact_db, _ = load(tmp_path, "exact", rows, exact=True)
    r = fast["marks"]
    # The fast path keeps the file and checks only its bad lines one by one (those the reader
    # cannot take, the rows that break a rule, and the lines of pupils the build finds with a
    # session twice or not known); the warehouse is the exact path's, quarantine included.
    # Not yet: a line checked one by one that, read as the exact path reads it, repeats a session
    # of the same pupil (these two cases' changed line does): the whole load is redone exactly.
    assert r.reader == ("exact" if case in {"UK date", "session spelt out"} else "fast")
    assert r.rows_read == len(rows) == r.rows_loaded + r.rows_quarantined
    assert snapshot(fast_db) == snapshot(exact_db)


def test_blank_line_falls_back_and_is_accounted_for(tmp_path):
    folder = tmp_path / "blank"
    folder.mkdir()
    marks = write_csv(folder / "marks.csv", MARKS_HEADER, clean_rows())
    text = marks.read_text().splitlines(keepends=True)
    marks.write_text("".join(text[:10] + ["\n"] + text[10:]))
    results = ingest_files(
        [schools_file(folder), pupils_file(folder), marks], folder / "w.duckdb", progress=False, today=TODAY
    )
    r = results[-1]
    assert r.reader == "exact"
    assert (r.rows_read, r.rows_quarantined) == (len(clean_rows()) + 1, 1)


def test_a_large_file_found_identical_once_hashed_leaves_the_warehouse_untouched(tmp_path, monkeypatch):
    """A large file is not waited for (its hash overlaps its read); when it proves to be bytes
    loaded before, the load ends as unchanged and the warehouse file is not replaced."""
    import hashlib

    from data_pipeline import load as load_module

    folder = tmp_path / "w"
    folder.mkdir()
    first = write_csv(folder / "m1.csv", MARKS_HEADER, clean_rows())
    db = folder / "w.duckdb"
    ingest_files([schools_file(folder), pupils_file(folder), first], db, progress=False, today=TODAY)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    monkeypatch.setattr(load_module, "WAIT_FOR_HASH_BYTES", 0)
    monkeypatch.setattr(load_module.Scans, "pending", lambda self, path: True)
    read = []
    real_open = load_module.ingest.open_file
    monkeypatch.setattr(load_module.ingest, "open_file", lambda *a, **k: read.append(1) or real_open(*a, **k))
    copy = folder / "copy_of_m1.csv"
    copy.write_bytes(first.read_bytes())
    (r,) = ingest_files([copy], db, progress=False, today=TODAY)
    assert read, "the copy was not read before its hash was known"
    assert r.status == "unchanged" and "identical to the file loaded at" in r.message
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("bad", [False, True], ids=["clean", "falls back"])
def test_a_file_loaded_before_is_unchanged_even_while_still_being_hashed(tmp_path, monkeypatch, bad):
    """A large file is read while the background scan still hashes it; the load must
    still notice, before it commits, that these bytes were loaded before."""
    from data_pipeline import load as load_module

    folder = tmp_path / "w"
    folder.mkdir()
    rows = clean_rows()
    if bad:
        rows.insert(5, list(rows[4]))  # an exact duplicate: the exact path quarantines it
    first = write_csv(folder / "m1.csv", MARKS_HEADER, rows)
    db = folder / "w.duckdb"
    ingest_files([schools_file(folder), pupils_file(folder), first], db, progress=False, today=TODAY)
    before = snapshot(db)
    monkeypatch.setattr(load_module.Scans, "pending", lambda self, path: True)
    copy = folder / "copy_of_m1.csv"
    copy.write_bytes(first.read_bytes())
    other = write_csv(folder / "m2.csv", MARKS_HEADER, [r for r in clean_rows() if r[0] == 100002])
    (r_copy, r_other) = ingest_files([copy, other], db, progress=False, today=TODAY)
    assert r_copy.status == "unchanged" and r_other.status == "loaded"
    after = snapshot(db)
    assert after["marks"] == before["marks"]  # m2 re-sends school 100002's marks unchanged
    assert after["quarantine"] == before["quarantine"]
    con = warehouse.connect(db, read_only=True)
    assert con.execute("select count(*) from load_files where file_name = 'copy_of_m1.csv'").fetchall() == [
        (0,)
    ]
