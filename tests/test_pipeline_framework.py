"""The national framework's threshold and the data-quality command, on a register worked by hand
(issue 12, items 1 and 3, the command line).

Calendar: school weeks Mon 2 Jun to Fri 18 Jul 2025 (7 weeks, academic year 2024/25), the summer
holiday, then Mon 1 Sep to Fri 17 Oct 2025 (7 weeks, 2025/26). Every pupil on roll is marked
every session of their school. As of Fri 17 Oct 2025, a pupil's 10 school weeks are the weeks of
30 Jun, 7 Jul, 14 Jul and the seven of the autumn: the holiday is skipped and the window runs
back across the summer into last academic year.

- P1 (school A): 2 unauthorised sessions in the week of 23 Jun (outside the window), 4 in the
  weeks of 7 and 14 Jul, and 6 on 13-15 Oct: 10 in the window, first reached on 15 Oct.
- P2 (A): 9 unauthorised (O) in the window, and late L, illness I and medical M besides: no.
- P3 moves from A (July: 5 unauthorised) to B (October: 5): one pupil, 10; school B, both listed.
- P4 (A) left in July with 12 unauthorised: not on roll in a window ending 17 Oct.
- P5 (A): 10 unauthorised in July, none since: still 10 in the window; this year, at the
  threshold from their first school day, 1 Sep.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from conftest import dashboard_app, school_days, write_csv

from data_pipeline.__main__ import main as cli
from data_pipeline.load import ingest_files

A, B = 600001, 600002
SUMMER = school_days(dt.date(2025, 6, 2), 35)  # 2 Jun - 18 Jul
AUTUMN = school_days(dt.date(2025, 9, 1), 35)  # 1 Sep - 17 Oct
AS_OF = dt.date(2025, 10, 17)
HEADER = ["urn", "pupil_id", "date", "session", "code"]


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# pupil -> (school by term, {(date, session): code}); everything else present
REGISTER = {
    "P1": (
        {"summer": A, "autumn": A},
        {
            **{(d("2025-06-23"), s): "O" for s in ("AM", "PM")},
            **{(d("2025-07-07"), s): "G" for s in ("AM", "PM")},
            **{(d("2025-07-14"), s): "N" for s in ("AM", "PM")},
            **{
                (d(day), s): "U" if s == "AM" else "O"
                for day in ("2025-10-13", "2025-10-14", "2025-10-15")
                for s in ("AM", "PM")
            },
        },
    ),
    "P2": (
        {"summer": A, "autumn": A},
        {
            **{(d("2025-07-08"), s): "O" for s in ("AM", "PM")},
            **{(day, "AM"): "O" for day in AUTUMN[:7]},
            **{(day, "PM"): "L" for day in AUTUMN[:20]},
            **{(day, "AM"): "I" for day in AUTUMN[20:30]},
            **{(day, "PM"): "M" for day in AUTUMN[25:35]},
        },
    ),
    "P3": (
        {"summer": A, "autumn": B},
        {
            **{(day, "AM"): "O" for day in SUMMER[25:30]},
            **{(day, "PM"): "G" for day in AUTUMN[30:35]},
        },
    ),
    "P4": ({"summer": A, "autumn": None}, {(day, s): "O" for day in SUMMER[25:31] for s in ("AM", "PM")}),
    "P5": ({"summer": A, "autumn": A}, {(day, "AM"): "O" for day in SUMMER[25:35]}),
}


def _marks(term: str, days) -> list[list]:
    rows = []
    for pupil, (schools, absences) in REGISTER.items():
        urn = schools[term]
        if urn is None:
            continue
        for day in days:
            for s in ("AM", "PM"):
                rows.append(
                    [urn, pupil, day.isoformat(), s, absences.get((day, s), "/" if s == "AM" else "\\")]
                )
    # a pupil only at B in the summer, so that B is open then too
    if term == "summer":
        rows += [
            [B, "B1", day.isoformat(), s, "/" if s == "AM" else "\\"] for day in days for s in ("AM", "PM")
        ]
    else:
        rows += [
            [B, "B1", day.isoformat(), s, "/" if s == "AM" else "\\"] for day in days for s in ("AM", "PM")
        ]
    return rows


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    t = tmp_path_factory.mktemp("framework")
    summer = write_csv(t / "marks_2024.csv", HEADER, _marks("summer", SUMMER))
    autumn = write_csv(t / "marks_2025.csv", HEADER, _marks("autumn", AUTUMN))
    path = t / "w.duckdb"
    ingest_files([summer, autumn], path, progress=False, today=dt.date(2026, 1, 1))
    return path


def _threshold(db, capsys, *extra) -> dict[str, dict]:
    assert cli(["threshold", "--db", str(db), "--format", "json", *extra]) == 0
    return {r["pupil_id"]: r for r in json.loads(capsys.readouterr().out)}


def test_threshold_as_worked_by_hand(db, capsys):
    got = _threshold(db, capsys)  # --as-of defaults to the latest date: 17 Oct 2025
    assert set(got) == {"P1", "P3", "P5"}
    p1 = got["P1"]
    assert p1 == {
        "pupil_id": "P1",
        "urn": A,
        "urns": [A],
        "unauthorised_sessions": 10,
        "window_start": "2025-06-30",
        "window_end": "2025-10-17",
        "first_reached": "2025-10-15",
    }
    assert (got["P3"]["urn"], got["P3"]["urns"], got["P3"]["unauthorised_sessions"]) == (B, [A, B], 10)
    assert got["P5"]["unauthorised_sessions"] == 10 and got["P5"]["first_reached"] == "2025-09-01"


def test_nine_sessions_and_codes_that_do_not_count(db, capsys):
    """P2 has 9 unauthorised sessions, 20 late L (present), 10 illness and 10 medical: not listed
    by the day before P1's 10th session either (P1 then had 8)."""
    got = _threshold(db, capsys, "--as-of", "2025-10-14")
    assert "P2" not in got and "P1" not in got


def test_as_of_a_day_in_the_holiday_and_the_school_filter(db, capsys):
    # 31 Jul: the summer's last 7 weeks and nothing before; P4 still on roll then (12 sessions)
    got = _threshold(db, capsys, "--as-of", "2025-07-31")
    assert got["P4"]["unauthorised_sessions"] == 12 and got["P4"]["window_end"] == "2025-07-31"
    assert got["P4"]["first_reached"] == "2025-07-11"  # 2 a day from Mon 7 Jul: the 10th on Fri 11
    only_b = _threshold(db, capsys, "--urn", str(B))
    assert set(only_b) == {"P3"}


def test_threshold_csv_and_table(db, capsys):
    assert cli(["threshold", "--db", str(db), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "pupil_id,urn,urns,unauthorised_sessions,window_start,window_end,first_reached"
    assert any(line.startswith(f"P3,{B},{A};{B},10,") for line in lines)


def test_quality_as_worked_by_hand(tmp_path, capsys):
    """School C: 10 school days (Mon 1 - Fri 12 Sep 2025). Q1 has an N on Mon 1 Sep (9 school days
    before as-of Fri 12: unresolved) and one on Tue 9 Sep (3 days: still in time). Q2 has no mark
    on the afternoons of 3 and 4 Sep although the school marked Q1 then: 2 missing sessions. Q3
    joined on Mon 8 Sep: the week before is not missing; nor for Q4, on roll in June too."""
    c = 700001
    days = school_days(dt.date(2025, 9, 1), 10)
    rows = []
    for day in days:
        for s in ("AM", "PM"):
            code = "N" if (day, s) in {(days[0], "AM"), (days[6], "PM")} else "/" if s == "AM" else "\\"
            rows.append([c, "Q1", day.isoformat(), s, code])
            if not (s == "PM" and day in (days[2], days[3])):
                rows.append([c, "Q2", day.isoformat(), s, "/" if s == "AM" else "\\"])
            if day >= days[5]:
                rows.append([c, "Q3", day.isoformat(), s, "/" if s == "AM" else "\\"])
                rows.append([c, "Q4", day.isoformat(), s, "/" if s == "AM" else "\\"])
    # Q4 was on roll last year too (Mon 30 Jun 2025): a span is counted within the academic year
    # of as-of, so the summer and 1-5 Sep are not missing sessions for Q4
    june = [[c, pupil, "2025-06-30", s, "/"] for pupil in ("Q1", "Q4") for s in ("AM", "PM")]
    f = write_csv(tmp_path / "m.csv", HEADER, rows)
    db = tmp_path / "w.duckdb"
    (r0, r1) = ingest_files(
        [write_csv(tmp_path / "june.csv", HEADER, june), f], db, progress=False, today=dt.date(2026, 1, 1)
    )
    assert (r0.rows_loaded, r1.rows_quarantined) == (4, 0)
    assert cli(["quality", "--db", str(db), "--format", "json"]) == 0
    (school,) = json.loads(capsys.readouterr().out)
    assert school == {"urn": c, "unresolved_n": 1, "missing_sessions": 2, "last_mark_date": "2025-09-12"}
    # as of Tue 9 Sep: the N of Mon 1 Sep is 6 school days old (unresolved); nothing after it
    assert cli(["quality", "--db", str(db), "--format", "json", "--as-of", "2025-09-09"]) == 0
    (school,) = json.loads(capsys.readouterr().out)
    assert school["unresolved_n"] == 1 and school["last_mark_date"] == "2025-09-09"
    assert school["missing_sessions"] == 2  # the week of 8 Sep counted up to the 9th only
    # as of Wed 3 Sep, mid-week: Q2's afternoon of the 3rd is missing (Q1 was marked then), the
    # 4th not yet
    assert cli(["quality", "--db", str(db), "--format", "json", "--as-of", "2025-09-03"]) == 0
    (school,) = json.loads(capsys.readouterr().out)
    assert school == {"urn": c, "unresolved_n": 0, "missing_sessions": 1, "last_mark_date": "2025-09-03"}
    assert cli(["quality", "--db", str(db), "--format", "json", "--as-of", "2025-09-08"]) == 0
    (school,) = json.loads(capsys.readouterr().out)
    assert school["unresolved_n"] == 0  # 5 school days after 1 Sep: not yet more than 5
    # marts built by another version of the code are named, not queried
    con = duckdb.connect(str(db))
    con.execute("update meta set value = 'an older build' where key = 'marts_sql'")
    con.close()
    assert cli(["quality", "--db", str(db), "--format", "json"]) == 2
    assert "build --if-stale" in capsys.readouterr().err


def test_quality_span_that_ends_before_the_as_of_week(tmp_path, capsys):
    """School D, Mon 1 - Fri 12 Sep 2025: Q6 marked every session; Q5 every session of the first
    week but Tue 2 Sep's afternoon, none on Mon 8 or Tue 9, and every one from Wed 10. As of Tue 9
    Q5's span is 1-5 Sep (its latest mark up to then is in the week before): 1 missing session,
    though its week of 8 Sep has marks (after the 9th). As of Fri 12 its span is 1-12 Sep: that
    afternoon and the four sessions of the 8th and 9th, 5 missing."""
    d = 700002
    days = school_days(dt.date(2025, 9, 1), 10)
    rows = []
    for i, day in enumerate(days):
        for s in ("AM", "PM"):
            code = "/" if s == "AM" else "\\"
            rows.append([d, "Q6", day.isoformat(), s, code])
            if (i < 5 and (i, s) != (1, "PM")) or i >= 7:
                rows.append([d, "Q5", day.isoformat(), s, code])
    db = tmp_path / "w.duckdb"
    ingest_files([write_csv(tmp_path / "m.csv", HEADER, rows)], db, progress=False, today=dt.date(2026, 1, 1))
    for as_of, missing in (("2025-09-09", 1), ("2025-09-08", 1), ("2025-09-12", 5), ("2025-09-02", 1)):
        assert cli(["quality", "--db", str(db), "--format", "json", "--as-of", as_of]) == 0
        (school,) = json.loads(capsys.readouterr().out)
        assert school["missing_sessions"] == missing, (as_of, school)


def test_schools_and_school_pages_show_the_quality_command_figures(demo_db, monkeypatch, capsys):
    assert cli(["quality", "--db", str(demo_db), "--format", "json"]) == 0
    cli_rows = {r["urn"]: r for r in json.loads(capsys.readouterr().out)}
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(120).run()
    at.switch_page("pages/schools.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "unresolved_n" in df.value.columns)
    for r in table.itertuples():
        assert (r.unresolved_n, r.missing_sessions) == (
            cli_rows[r.urn]["unresolved_n"],
            cli_rows[r.urn]["missing_sessions"],
        )
    assert any("unresolved N codes or missing sessions" in m.value for m in at.markdown)
    urn = int(table["urn"].iloc[0])
    at.switch_page("pages/school.py")
    at.run()
    at.selectbox(key="urn").set_value(urn)
    at.run()
    expected = f"{cli_rows[urn]['unresolved_n']:,} N codes (reason not yet provided) unresolved"
    assert any(expected in c.value for c in at.caption)
