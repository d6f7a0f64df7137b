"""Incremental loads (issue 14, part 1).

A load rebuilds only the marts' rows for the schools and weeks its files touch (build.Changes);
after any sequence of loads, every mart must equal, row for row, a full rebuild from the same
core tables. And a marks file with a few bad lines stays on the fast path: only those lines are
checked one by one and quarantined, each with its line and reason.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import school_days, write_csv

from data_pipeline import build, warehouse
from data_pipeline.load import Options, ingest_files

TODAY = dt.date(2026, 11, 25)
HEADER = ["urn", "pupil_id", "date", "session", "code"]
CODES = ["/", "\\", "L", "I", "M", "O", "G", "U", "N", "C", "C2", "B", "K", "#"]
SCHOOLS = {100001: ("Alpha Primary", "Primary", "P"), 100002: ("Beta Academy", "Secondary", "S")}
PUPILS = 5


def schools_file(folder):
    return write_csv(
        folder / "schools.csv",
        ["URN", "EstablishmentName", "PhaseOfEducation (name)"],
        [[urn, name, phase] for urn, (name, phase, _) in SCHOOLS.items()],
    )


def pupils_file(folder, name="pupils.csv", fsm_flip=False, urns=tuple(SCHOOLS)):
    return write_csv(
        folder / name,
        ["urn", "pupil_id", "ncyear", "gender", "sen_provision", "fsm"],
        [
            [urn, f"{SCHOOLS[urn][2]}{i}", 3 + i, "F" if i % 2 else "M", "N", (i % 2) ^ fsm_flip]
            for urn in urns
            for i in range(PUPILS + 1)
        ],
    )


def marks(days, urns=tuple(SCHOOLS), salt=0, pupils=range(PUPILS)):
    rows = []
    for urn in urns:
        prefix = SCHOOLS[urn][2]
        for i in pupils:
            for d in days:
                for k, s in enumerate(("AM", "PM")):
                    code = CODES[(i * 7 + d.toordinal() * 3 + k + salt) % len(CODES)]
                    rows.append([urn, f"{prefix}{i}", d.isoformat(), s, code])
    return rows


def marts(db) -> dict[str, list]:
    con = warehouse.connect(db, read_only=True)
    try:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in build.MART_TABLES}
    finally:
        con.close()


def full_rebuild(db, tmp_path):
    copy = tmp_path / "full.duckdb"
    shutil.copyfile(db, copy)
    with warehouse.writer(copy) as con:
        assert build.build(con) == "full"
    return marts(copy)


@pytest.fixture
def builds(monkeypatch):
    """How each load's marts were built ("full" or "incremental")."""
    seen: list[str] = []
    original = build.build

    def spy(con, changes=None):
        how = original(con, changes)
        seen.append(how)
        return how

    monkeypatch.setattr(build, "build", spy)
    return seen


def load(db, folder, files, **kw):
    results = ingest_files(files, db, progress=False, today=TODAY, **kw)
    for r in results:
        assert r.status == "loaded", (r.file_name, r.status, r.message)
        assert r.rows_read == r.rows_loaded + r.rows_quarantined
    return results


def first_load(tmp_path, name, days):
    """A new warehouse holding the schools, the pupils and a file `name` of every school's marks
    on `days`."""
    db = tmp_path / "w.duckdb"
    load(
        db,
        tmp_path,
        [schools_file(tmp_path), pupils_file(tmp_path), write_csv(tmp_path / name, HEADER, marks(days))],
    )
    return db


def assert_same_as_full(db, tmp_path):
    incremental = marts(db)
    full = full_rebuild(db, tmp_path)
    for table in build.MART_TABLES:
        assert incremental[table] == full[table], f"{table} differs from a full rebuild"
        assert incremental[table], f"{table} is empty"


def test_adding_days_rebuilds_only_what_they_touch_and_equals_a_full_rebuild(tmp_path, builds):
    days = school_days(dt.date(2025, 9, 8), 12)
    db = first_load(tmp_path, "d0.csv", days[:3])
    # one day at a time, the next day inside the same week, then a day starting a new week
    for i in (3, 4, 5):
        load(db, tmp_path, [write_csv(tmp_path / f"d{i}.csv", HEADER, marks([days[i]]))])
    # one school only, for the rest of the next week
    load(db, tmp_path, [write_csv(tmp_path / "d6.csv", HEADER, marks(days[6:10], urns=[100002]))])
    # a new pupil joins (on the pupils file already) in the middle of a week
    load(
        db,
        tmp_path,
        [write_csv(tmp_path / "d10.csv", HEADER, marks(days[6:10], urns=[100001], pupils=[PUPILS]))],
    )
    # characteristics change (free school meals flipped at one school): every year of its enrolments
    load(db, tmp_path, [pupils_file(tmp_path, "pupils2.csv", fsm_flip=True, urns=[100001])])
    assert builds == ["full"] + ["incremental"] * 6
    assert_same_as_full(db, tmp_path)
    con = warehouse.connect(db, read_only=True)
    try:
        n = con.execute("select count(*) from marks").fetchall()[0][0]
    finally:
        con.close()
    assert n == 2 * PUPILS * 2 * 6 + PUPILS * 2 * 4 + 2 * 4


@pytest.mark.parametrize("whole_school", [False, True], ids=["per pupil", "whole school"])
def test_a_resent_week_replaces_it_once_and_equals_a_full_rebuild(tmp_path, builds, whole_school):
    days = school_days(dt.date(2025, 9, 8), 15)
    db = first_load(tmp_path, "m.csv", days)
    # week 2 re-sent for one school, with other codes, and without pupil 4 (whose marks are
    # kept per pupil, removed for the whole school)
    week2 = days[5:10]
    resend = marks(week2, urns=[100001], salt=5, pupils=range(PUPILS - 1))
    options = Options(whole_school=whole_school, allow_shrink=whole_school)
    (r,) = load(db, tmp_path, [write_csv(tmp_path / "week2.csv", HEADER, resend)], options=options)
    assert r.replaced == (PUPILS if whole_school else PUPILS - 1) * 10
    # the same file again: already loaded, nothing changes
    again = ingest_files([tmp_path / "week2.csv"], db, progress=False, today=TODAY, options=options)
    assert again[0].status == "unchanged"
    assert builds == ["full", "incremental"]
    assert_same_as_full(db, tmp_path)
    con = warehouse.connect(db, read_only=True)
    try:
        week = con.execute(
            "select pupil_id, count(*) from marks where urn = 100001 and date between ? and ? group by all order by 1",
            [week2[0], week2[-1]],
        ).fetchall()
    finally:
        con.close()
    expected = [(f"P{i}", 10) for i in range(PUPILS - 1)] + ([] if whole_school else [("P4", 10)])
    assert week == expected  # replaced exactly once: no mark twice, none lost


def test_a_day_that_joins_two_half_terms_moves_every_schools_weeks(tmp_path, builds):
    """The calendar is the LA's: one school's week in what was a holiday joins the half terms
    either side, so the other school's later weeks, with no new mark, move to the first half term
    (and the second half term's rows go); its rows must equal a full rebuild."""
    days = school_days(dt.date(2025, 9, 8), 25)
    before, gap, after = days[:10], days[10:15], days[15:]
    db = first_load(tmp_path, "m.csv", before + after)
    con = warehouse.connect(db, read_only=True)
    try:
        assert con.execute("select count(distinct half_term_no) from pupil_half_term").fetchall() == [(2,)]
    finally:
        con.close()
    load(db, tmp_path, [write_csv(tmp_path / "gap.csv", HEADER, marks(gap, urns=[100002]))])
    assert builds == ["full", "incremental"]
    assert_same_as_full(db, tmp_path)
    con = warehouse.connect(db, read_only=True)
    try:
        assert con.execute("select distinct half_term_no from pupil_half_term").fetchall() == [(1,)]
    finally:
        con.close()


def test_files_of_one_load_that_overlap_equal_a_full_rebuild(tmp_path, builds):
    """Two returns in one load, the second re-sending a week of the first for one school: each
    mark once, and the marts as a full rebuild makes them (the first file's counts from its
    checks no longer hold once the second replaces some of its rows)."""
    days = school_days(dt.date(2025, 9, 8), 15)
    db = tmp_path / "w.duckdb"
    load(db, tmp_path, [schools_file(tmp_path), pupils_file(tmp_path)])
    first = write_csv(tmp_path / "a_weeks1-2.csv", HEADER, marks(days[:10]))
    second = write_csv(
        tmp_path / "b_week2-3.csv", HEADER, marks(days[5:10], urns=[100001], salt=3) + marks(days[10:])
    )
    results = load(db, tmp_path, [first, second])
    assert [r.reader for r in results] == ["fast", "fast"]
    assert results[1].replaced == PUPILS * 10
    assert builds == ["full", "incremental"]
    assert_same_as_full(db, tmp_path)
    con = warehouse.connect(db, read_only=True)
    try:
        per_session = con.execute(
            "select max(n) from (select count(*) as n from marks group by urn, pupil_id, date, session)"
        ).fetchall()[0][0]
        n = con.execute("select count(*) from marks").fetchall()[0][0]
    finally:
        con.close()
    assert (per_session, n) == (1, 2 * PUPILS * 2 * 15)


def test_a_new_academic_year_equals_a_full_rebuild(tmp_path, builds):
    db = tmp_path / "w.duckdb"
    year1 = school_days(dt.date(2024, 9, 2), 10) + school_days(dt.date(2025, 6, 30), 10)
    load(
        db,
        tmp_path,
        [schools_file(tmp_path), pupils_file(tmp_path), write_csv(tmp_path / "y1.csv", HEADER, marks(year1))],
    )
    year2 = school_days(dt.date(2025, 9, 3), 12)
    load(db, tmp_path, [write_csv(tmp_path / "y2.csv", HEADER, marks(year2, salt=2))])
    # and a day more of the new year
    load(
        db,
        tmp_path,
        [write_csv(tmp_path / "y2b.csv", HEADER, marks(school_days(dt.date(2025, 9, 19), 1), salt=3))],
    )
    assert builds == ["full", "incremental", "incremental"]
    assert_same_as_full(db, tmp_path)
    con = warehouse.connect(db, read_only=True)
    try:
        years = con.execute("select distinct academic_year from pupil_year order by 1").fetchall()
    finally:
        con.close()
    assert years == [(2024,), (2025,)]


def test_a_week_from_august_into_september_counts_each_day_in_its_own_year(tmp_path, builds):
    """Tuesday 1 September 2026 starts 2026/27 in the week of Monday 31 August, which is
    2025/26's: each mark counts in its date's academic year, loaded day by day or rebuilt."""
    db = tmp_path / "w.duckdb"
    monday = dt.date(2026, 8, 31)
    year1 = school_days(dt.date(2026, 7, 6), 10) + [monday]
    load(
        db,
        tmp_path,
        [schools_file(tmp_path), pupils_file(tmp_path), write_csv(tmp_path / "y1.csv", HEADER, marks(year1))],
    )
    # the new year's first four days alone (a daily load touches only that week), then a week more
    first_days = school_days(dt.date(2026, 9, 1), 4)
    assert first_days[-1] == dt.date(2026, 9, 4)
    load(db, tmp_path, [write_csv(tmp_path / "y2.csv", HEADER, marks(first_days, salt=2))])
    assert_same_as_full(db, tmp_path)
    load(
        db,
        tmp_path,
        [write_csv(tmp_path / "y2b.csv", HEADER, marks(school_days(dt.date(2026, 9, 7), 5), salt=3))],
    )
    # (the third "full" is the rebuild the first comparison made, on its own copy)
    assert builds == ["full", "incremental", "full", "incremental"]
    assert_same_as_full(db, tmp_path)
    con = warehouse.connect(db, read_only=True)
    try:
        by_date = con.execute(
            "select academic_year, sum(possible)::integer from school_session group by 1 order by 1"
        ).fetchall()
        by_enrolment = con.execute(
            "select academic_year, sum(possible)::integer from pupil_year group by 1 order by 1"
        ).fetchall()
        weeks = con.execute(
            "select academic_year, sum(possible)::integer, count(*) from pupil_week "
            "where week_start = $m group by 1 order by 1",
            {"m": monday},
        ).fetchall()
    finally:
        con.close()
    sessions = 2 * PUPILS * len(SCHOOLS)  # one day's possible sessions if every code counted
    assert [y for y, _ in by_date] == [2025, 2026]
    assert by_enrolment == by_date
    # the week of 31 August: one row an enrolment in each year, Monday's marks in 2025/26 and
    # Tuesday's to Friday's in 2026/27
    assert [(y, n) for y, _, n in weeks] == [(2025, PUPILS * len(SCHOOLS)), (2026, PUPILS * len(SCHOOLS))]
    assert 0 < weeks[0][1] <= sessions and weeks[0][1] < weeks[1][1] <= 4 * sessions


def test_a_cohort_key_shared_by_two_sets_of_characteristics_fails_the_build(tmp_path, monkeypatch):
    """Cohort queries count enrolments by pupil_year.cohort_key (a hash of their characteristics)
    and read each key's groups from cohort_group: a key standing for two sets would put pupils in
    the wrong groups, so the build refuses it and leaves the warehouse as it was."""
    db = first_load(tmp_path, "a.csv", school_days(dt.date(2025, 9, 8), 2))
    con = warehouse.connect(db, read_only=True)
    try:
        # boys and girls, with and without FSM: several keys, one group of each dimension each
        assert con.execute("select count(distinct cohort_key) from pupil_year").fetchall()[0][0] >= 4
        per_key = con.execute(
            "select count(*) from cohort_group group by cohort_key, dimension having count(*) > 1"
        ).fetchall()
    finally:
        con.close()
    assert per_key == []
    before = db.read_bytes()
    # a collision, forced: every enrolment given the same key
    monkeypatch.setitem(build.FULL_SOURCES, "cohort_key", "0::ubigint")
    with pytest.raises(build.ChecksFailed, match="a cohort key stands for one set of characteristics"):
        with warehouse.writer(db) as con:
            build.build(con)
    assert db.read_bytes() == before


def test_changed_mart_sql_forces_a_full_build(tmp_path, builds, monkeypatch):
    days = school_days(dt.date(2025, 9, 8), 6)
    db = first_load(tmp_path, "a.csv", days[:3])
    monkeypatch.setattr(build, "marts_digest", lambda: "other sql")
    load(db, tmp_path, [write_csv(tmp_path / "b.csv", HEADER, marks(days[3:]))])
    assert builds == ["full", "full"]


def test_three_bad_lines_among_many_are_quarantined_alone_on_the_fast_path(tmp_path):
    days = school_days(dt.date(2025, 9, 8), 60)
    good = marks(days, pupils=range(PUPILS + 1))
    assert len(good) == 1440
    rows = [list(r) for r in good]
    # lines counted as in the file: the header is line 1, rows[i] is line i + 2
    bad = {
        40: ["1000x1", "P0", days[0].isoformat(), "AM", "/"],  # the reader cannot type it
        300: [100001, "P1", "2025-09-13", "AM", "/"],  # a Saturday: read, then fails a rule
        700: [100002, "S2", days[3].isoformat(), "AM"],  # a field short
    }
    for i, row in bad.items():
        rows.insert(i, row)
    folder = tmp_path / "fast"
    folder.mkdir()
    db = folder / "w.duckdb"
    results = ingest_files(
        [schools_file(folder), pupils_file(folder), write_csv(folder / "marks.csv", HEADER, rows)],
        db,
        progress=False,
        today=TODAY,
    )
    r = results[-1]
    assert r.reader == "fast"
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (len(rows), len(good), 3)
    con = warehouse.connect(db, read_only=True)
    try:
        quarantined = con.execute(
            "select file_name, line, column_name, value, reason from quarantine order by line"
        ).fetchall()
        loaded = con.execute(
            "select urn, pupil_id, date::varchar, session, code from marks order by all"
        ).fetchall()
    finally:
        con.close()
    assert [(f, line) for f, line, *_ in quarantined] == [("marks.csv", i + 2) for i in sorted(bad)]
    assert [q[2:] for q in quarantined] == [
        ("urn", "1000x1", "URN is not a whole number"),
        ("date", "2025-09-13", "date is a Saturday or Sunday"),
        (None, "100002,S2,2025-09-11,AM", "expected 5 fields as in the header, found 4"),
    ]
    assert loaded == sorted(tuple(x if j != 0 else int(x) for j, x in enumerate(row)) for row in good)
    # the same file through the exact path alone: the same warehouse, quarantine included
    exact_folder = tmp_path / "exact"
    exact_folder.mkdir()
    exact_db = exact_folder / "w.duckdb"
    ingest_files(
        [
            schools_file(exact_folder),
            pupils_file(exact_folder),
            write_csv(exact_folder / "marks.csv", HEADER, rows),
        ],
        exact_db,
        progress=False,
        today=TODAY,
        exact=True,
    )
    con = warehouse.connect(exact_db, read_only=True)
    try:
        assert (
            con.execute(
                "select file_name, line, column_name, value, reason from quarantine order by line"
            ).fetchall()
            == quarantined
        )
    finally:
        con.close()
    assert marts(exact_db) == marts(db)


def test_a_day_with_a_repeated_line_and_an_unknown_pupil_stays_fast_and_equals_a_full_rebuild(
    tmp_path, builds
):
    """Found only by the build (a session twice, a pupil not on any pupils file): those pupils'
    lines alone are checked again, the bad ones quarantined, and the weeks rebuilt."""
    days = school_days(dt.date(2025, 9, 8), 8)
    db = first_load(tmp_path, "a.csv", days[:6])
    rows = marks(days[6:8])
    rows.insert(10, list(rows[9]))  # line 12 repeats line 11
    rows.append([100002, "NOBODY", days[7].isoformat(), "AM", "/"])  # last line: not on the pupils file
    (r,) = load(db, tmp_path, [write_csv(tmp_path / "b.csv", HEADER, rows)])
    assert (r.reader, r.rows_read, r.rows_quarantined) == ("fast", len(rows), 2)
    con = warehouse.connect(db, read_only=True)
    try:
        quarantined = con.execute("select line, reason from quarantine order by line").fetchall()
    finally:
        con.close()
    assert quarantined == [
        (12, "exact duplicate of line 11"),
        (len(rows) + 1, "pupil not known at this school: not in any pupils file loaded for it"),
    ]
    assert builds == ["full", "incremental", "incremental"]
    assert_same_as_full(db, tmp_path)
