"""Pupils to watch across the LA (queries/la_vulnerable_pupils.sql, la_early_warning.sql) on a
small register built here, answers worked by hand; and the page for the LA officer only.

Two primary schools, 10 school weeks from Monday 1 September 2025 (no holiday), 100 possible
sessions a pupil. Codes besides present:

| pupil | school | flags | marks | expected |
|---|---|---|---|---|
| CLA1 | A | looked after | 20 `I` in weeks 1-2 | vulnerable; PA (20%), not SA |
| EHC1 | B | EHCP | 50 `I` in weeks 1-5 | vulnerable; PA and SA (exactly 50%) |
| YC1 | A | young carer | 10 `O` in week 10 | vulnerable; PA (10%), at the threshold |
| MOV | A then B | child in need | 6 `O` week 4 at A, 4 `O` week 8 at B | at B: at the threshold (6 + 4, one pupil) |
| EW1 | A | - | 8 `I` in weeks 9-10 | early warning (8%, last 4 weeks 80% < 92%) |
| EW2 | A | - | 8 `I` in weeks 1-2 | not: 8% but improving |
| EW3 | A | - | 10 `I` in weeks 9-10 | not: already PA (10%) |
| EW4 | A | - | 7 `I` in weeks 9-10 | not: 7% is under 7.5% |
| RET | A | looked after | 1 `O` a week in 2 weeks from 3 June 2024 and in 6 weeks from 6 January 2025, then off roll until week 7; 1 `O` a week in weeks 7-10 | vulnerable; at the threshold: its latest 10 school weeks reach back 8 months (6 + 4); up to week 8 they reach back to June 2024 (2 + 6 + 2) |
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import dashboard_app, write_csv

import queries
from data_pipeline.load import Options, ingest_files

A, B = 300001, 300002
KEY = "watch-key"
FIRST = dt.date(2025, 9, 1)
WEEKS = [[FIRST + dt.timedelta(weeks=k, days=d) for d in range(5)] for k in range(10)]
# (urn, pupil): (flags, weeks on roll, {week: [(code, sessions)]})
PLAN = {
    (A, "CLA1"): ("cla", range(1, 11), {1: [("I", 10)], 2: [("I", 10)]}),
    (B, "EHC1"): ("ehcp", range(1, 11), {w: [("I", 10)] for w in range(1, 6)}),
    (A, "YC1"): ("young_carer", range(1, 11), {10: [("O", 10)]}),
    (A, "MOV"): ("cin", range(1, 6), {4: [("O", 6)]}),
    (B, "MOV"): ("cin", range(6, 11), {8: [("O", 4)]}),
    (A, "EW1"): ("", range(1, 11), {9: [("I", 4)], 10: [("I", 4)]}),
    (A, "EW2"): ("", range(1, 11), {1: [("I", 4)], 2: [("I", 4)]}),
    (A, "EW3"): ("", range(1, 11), {9: [("I", 5)], 10: [("I", 5)]}),
    (A, "EW4"): ("", range(1, 11), {9: [("I", 4)], 10: [("I", 3)]}),
    (A, "RET"): ("cla", range(7, 11), {w: [("O", 1)] for w in range(7, 11)}),
}
# RET's earlier school weeks, in the academic year before: 6 weeks from Monday 6 January 2025;
# and in the year before that, 2 weeks from Monday 3 June 2024
RET_EARLIER = [[dt.date(2025, 1, 6) + dt.timedelta(weeks=k, days=d) for d in range(5)] for k in range(6)]
RET_OLDER = [[dt.date(2024, 6, 3) + dt.timedelta(weeks=k, days=d) for d in range(5)] for k in range(2)]
LA = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")
HEAD_A = queries.Scope(schools=(A,), pupil_rows_allowed=True, role="school_staff", user="a@test.invalid")


@pytest.fixture(scope="module")
def watch_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("watch")
    write_csv(d / "schools.csv", ["urn", "school_name", "phase"], [[A, "A", "Primary"], [B, "B", "Primary"]])
    flags = ["cla", "cin", "young_carer"]
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "sen_provision", *flags, "effective_date"],
        [
            [u, p, 5, "E" if f == "ehcp" else "N", *[int(f == x) for x in flags], "2025-09-01"]
            for (u, p), (f, _, _) in PLAN.items()
        ],
    )
    rows = []
    for (urn, pupil), (_, on_roll, plan) in PLAN.items():
        for w in on_roll:
            codes = [c for c, n in plan.get(w, []) for _ in range(n)]
            k = 0
            for day in WEEKS[w - 1]:
                for session in ("AM", "PM"):
                    rows.append([urn, pupil, day.isoformat(), session, codes[k] if k < len(codes) else "/"])
                    k += 1
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    for name, weeks in (("marks_2024.csv", RET_EARLIER), ("marks_2023.csv", RET_OLDER)):
        earlier = [
            [A, "RET", day.isoformat(), session, "O" if i == 0 and session == "AM" else "/"]
            for week in weeks
            for i, day in enumerate(week)
            for session in ("AM", "PM")
        ]
        write_csv(d / name, ["urn", "pupil_id", "date", "session", "code"], earlier)
    db = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks_2023.csv", d / "marks_2024.csv", d / "marks.csv"],
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Watch"}),
    )
    return db


@pytest.fixture()
def period(watch_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(watch_db))
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", KEY)
    return queries.resolve_period(queries.execute("school_calendar_parts"), 2025, "Year to date")


def _rows(name, period, scope=LA) -> dict:
    df = queries.execute(name, scope, year=2025, **period.params())
    back = {queries.pseudonym(u, p, KEY): (u, p) for u, p in PLAN}
    return {back[r]: row for r, row in zip(df["pupil_ref"], df.to_dict("records"))}


def test_vulnerable_cohorts_across_schools(period):
    got = _rows("la_vulnerable_pupils", period)
    assert set(got) == {(A, "CLA1"), (B, "EHC1"), (A, "YC1"), (A, "MOV"), (B, "MOV"), (A, "RET")}
    cla = got[(A, "CLA1")]
    assert cla["circumstances"] == "Looked after"
    assert cla["overall_absence_rate"] == pytest.approx(20.0) and cla["days_lost"] == 10
    assert cla["persistently_absent"] and not cla["severely_absent"]
    ehc = got[(B, "EHC1")]
    assert ehc["severely_absent"] and ehc["circumstances"] == "EHCP"
    yc = got[(A, "YC1")]
    assert (
        yc["persistently_absent"] and yc["at_threshold"] and yc["unauthorised_latest_10_school_weeks"] == 10
    )
    # MOV: one pupil across the LA: 6 at A and 4 at B within their latest 10 school weeks
    assert got[(B, "MOV")]["at_threshold"] and got[(A, "MOV")]["at_threshold"]
    assert got[(B, "MOV")]["overall_absence_rate"] == pytest.approx(8.0)  # per enrolment: 4 of 50
    # RET's latest 10 school weeks: 4 this term and 6 last January, read that far back
    assert got[(A, "RET")]["unauthorised_latest_10_school_weeks"] == 10 and got[(A, "RET")]["at_threshold"]
    # sorted by need: most days missed first
    assert list(got)[0] == (B, "EHC1")


def test_the_threshold_reaches_back_across_years_over_part_of_a_year(watch_db, monkeypatch):
    """Over weeks 2 to 8 (not the year to date), RET's latest 10 school weeks up to week 8 are 2
    this term, 6 last January and the 2 of June 2024: read from the 26 weeks before week 8,
    from the rest of the academic year those weeks begin in, and from the year before that."""
    monkeypatch.setenv("ATTENDANCE_DB", str(watch_db))
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", KEY)
    ret = _rows("la_vulnerable_pupils", _weeks(2, 8))[(A, "RET")]
    assert ret["unauthorised_latest_10_school_weeks"] == 10 and ret["at_threshold"]


def _weeks(first: int, last: int) -> queries.Period:
    week_from, week_to = WEEKS[first - 1][0], WEEKS[last - 1][0]
    year_before = dt.timedelta(weeks=52)
    return queries.Period(
        2025,
        f"weeks {first} to {last}",
        week_from,
        week_to,
        week_from - year_before,
        week_to - year_before,
        "custom",
    )


def test_the_last_weeks_are_the_periods_own(watch_db, monkeypatch):
    """Over weeks 7 and 8 alone, EHC1's last school weeks are those 2 (present throughout): its
    recent change is none, though its 10 `I` of week 5 are within 4 school weeks of week 8."""
    monkeypatch.setenv("ATTENDANCE_DB", str(watch_db))
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", KEY)
    ehc = _rows("la_vulnerable_pupils", _weeks(7, 8))[(B, "EHC1")]
    assert ehc["overall_absence_rate"] == 0 and ehc["recent_change"] == pytest.approx(0)


def _threshold_of_one_pupil(tmp_path, monkeypatch, weeks, first, last) -> dict:
    """la_vulnerable_pupils' row for one looked-after pupil at school A, on roll in `weeks` (lists
    of dates) with 1 `O` on each week's first morning, over the school weeks from `first` to
    `last` (Mondays) of the academic year of `last`."""
    rows = [
        [A, "ONE", day.isoformat(), session, "O" if i == 0 and session == "AM" else "/"]
        for week in weeks
        for i, day in enumerate(week)
        for session in ("AM", "PM")
    ]
    write_csv(tmp_path / "schools.csv", ["urn", "school_name", "phase"], [[A, "A", "Primary"]])
    write_csv(
        tmp_path / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "cla", "effective_date"],
        [[A, "ONE", 5, 1, "2023-09-01"]],
    )
    files = [tmp_path / "schools.csv", tmp_path / "pupils.csv"]
    # a file holds one academic year's marks
    for year in sorted({d.year - (d.month < 9) for w in weeks for d in w}):
        files.append(
            write_csv(
                tmp_path / f"marks_{year}.csv",
                ["urn", "pupil_id", "date", "session", "code"],
                [
                    r
                    for r in rows
                    if dt.date(year, 9, 1).isoformat() <= r[2] < dt.date(year + 1, 9, 1).isoformat()
                ],
            )
        )
    db = tmp_path / "attendance.duckdb"
    ingest_files(
        files,
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Watch"}),
    )
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", KEY)
    year = last.year - (last.month < 9)
    before = dt.timedelta(weeks=52)
    period = queries.Period(year, "custom weeks", first, last, first - before, last - before, "custom")
    df = queries.execute("la_vulnerable_pupils", LA, year=year, **period.params())
    return df[df["pupil_ref"] == queries.pseudonym(A, "ONE", KEY)].iloc[0].to_dict()


def _school_weeks(monday: dt.date, n: int) -> list[list[dt.date]]:
    return [[monday + dt.timedelta(weeks=k, days=d) for d in range(5)] for k in range(n)]


def test_a_week_from_august_into_september_is_one_school_week_of_the_threshold(tmp_path, monkeypatch):
    """1 `O` on Monday 31 August 2026 (academic year 2025/26), present Tuesday to Friday of that
    week (2026/27): one school week, kept as a row in each year. Over 7 September to 26 October
    2026 (1 `O` a week), the latest 10 school weeks up to 26 October are those 8, the week of 31
    August and the week of 29 June 2026 (1 `O`): 10, at the threshold. Counting the week of 31
    August twice would push 29 June out (9)."""
    autumn = _school_weeks(dt.date(2026, 9, 7), 8)
    weeks = _school_weeks(dt.date(2026, 6, 8), 4) + _school_weeks(dt.date(2026, 8, 31), 1) + autumn
    got = _threshold_of_one_pupil(tmp_path, monkeypatch, weeks, autumn[0][0], autumn[-1][0])
    assert got["unauthorised_latest_10_school_weeks"] == 10 and got["at_threshold"]


def test_the_threshold_reaches_back_before_the_26_weeks_and_the_year(tmp_path, monkeypatch):
    """On roll 3 weeks from 7 September 2025, off roll until 4 May 2026, then 4 weeks (1 `O` a
    week throughout). Over 4 to 25 May 2026, the latest 10 school weeks are those 4, the 3 of
    September (before the 26 weeks up to 25 May, in the same academic year) and the last 3 of
    2024/25, from 16 June 2025: 10, at the threshold."""
    may = _school_weeks(dt.date(2026, 5, 4), 4)
    weeks = _school_weeks(dt.date(2025, 6, 2), 5) + _school_weeks(dt.date(2025, 9, 8), 3) + may
    got = _threshold_of_one_pupil(tmp_path, monkeypatch, weeks, may[0][0], may[-1][0])
    assert got["unauthorised_latest_10_school_weeks"] == 10 and got["at_threshold"]


def test_a_school_sees_its_own_sessions_only(period):
    got = _rows("la_vulnerable_pupils", period, HEAD_A)
    assert {u for u, _ in got} == {A}
    assert not got[(A, "MOV")]["at_threshold"]  # A's 6 sessions only


def test_early_warning(period):
    got = _rows("la_early_warning", period)
    # MOV at B (8%, falling) has only 5 school weeks there: too few for a trend
    assert set(got) == {(A, "EW1")}
    ew = got[(A, "EW1")]
    assert ew["overall_absence_rate"] == pytest.approx(8.0)
    assert ew["recent_change"] == pytest.approx(80.0 - 92.0)


def test_the_page_is_for_the_la_officer(demo_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(240)
    at.query_params["demo_role"] = "LA officer"
    at.run()
    at.switch_page("pages/pupils_to_watch.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Pupils to watch across the LA"]
    headers = [h.value for h in at.header]
    assert headers[0] == "Vulnerable cohorts" and headers[1].startswith("Early warning")
    assert len(at.dataframe) >= 3
    # the threshold is counted up to the period's end, and says so (not "now")
    assert any("latest 10 school weeks to " in m.value for m in at.markdown)
    for role in ("School staff (headteacher, attendance lead)", "Governor", "Administrator"):
        other = dashboard_app(240)
        other.query_params["demo_role"] = role
        other.run()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            other.switch_page("pages/pupils_to_watch.py")


# The rule written out plainly: every pupil's weeks, windows over all of them, no bounds. The
# queries read only the last 10 (recent change) and 26 (threshold) weeks for most pupils and
# go further back for the rest; on the demo LA's two years they must agree with this for every
# pupil, at period ends across the Christmas, Easter and summer holidays.
PLAIN = """
with pupils as (
    select urn, pupil_id, cla or cin or cpp or sen_provision = 'E' or young_carer as vulnerable
    from pupil_year where academic_year = $year and compulsory_age
),
weeks as (
    select w.urn, w.pupil_id, w.possible, w.present + w.aea as attending,
        w.authorised + w.unauthorised as absent,
        row_number() over (partition by w.urn, w.pupil_id order by w.week_start desc) as back
    from pupil_week w join pupils using (urn, pupil_id)
    where w.academic_year = $year and w.week_start between $week_from and $week_to and w.possible > 0
),
totals as (
    select urn, pupil_id, sum(possible) as possible, sum(absent) as absent, count(*) as school_weeks,
        pct(sum(attending) filter (where back <= 4), sum(possible) filter (where back <= 4))
            - pct(sum(attending), sum(possible)) as recent_change
    from weeks group by urn, pupil_id
),
threshold as (
    select pupil_id, sum(unauthorised) filter (where back <= 10) as latest_10
    from (
        select pupil_id, sum(unauthorised) as unauthorised,
            row_number() over (partition by pupil_id order by week_start desc) as back
        from pupil_week
        where pupil_id in (select pupil_id from pupils) and week_start <= $week_to and possible > 0
        group by pupil_id, week_start
    )
    group by pupil_id
)
select p.urn, p.pupil_id, p.vulnerable, t.recent_change, coalesce(h.latest_10, 0) as latest_10,
    pct(t.absent, t.possible) as overall_absence_rate,
    not is_persistent_absentee(t.absent, t.possible) and pct(t.absent, t.possible) >= 7.5
        and t.recent_change < 0 and t.school_weeks >= 6 as early_warning
from pupils p join totals t using (urn, pupil_id) left join threshold h using (pupil_id)
"""


def test_bounded_reads_agree_with_the_plain_rule(demo_db, monkeypatch):
    import duckdb

    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", KEY)
    con = duckdb.connect(str(demo_db), read_only=True)
    year = con.execute("select max(academic_year) from pupil_week").fetchall()[0][0]
    weeks = [
        r[0]
        for r in con.execute(
            "select distinct week_start from pupil_week where academic_year = ? order by 1", [year]
        ).fetchall()
    ]
    gaps = [i for i in range(1, len(weeks)) if (weeks[i] - weeks[i - 1]).days > 7]
    # just after each holiday (1 and 3 school weeks after), and the year's first and last weeks
    ends = sorted({weeks[min(i + k, len(weeks) - 1)] for i in gaps for k in (0, 2)} | {weeks[1], weeks[-1]})
    assert len(gaps) >= 2 and len(ends) >= 5
    periods = [(year, weeks[0], week_to) for week_to in ends]
    # and each half term and term of this year and the last, which are read as kept
    units = con.execute(
        "select academic_year, min(week_start), max(week_start) from school_calendar "
        "where academic_year >= ? - 1 group by grouping sets ((academic_year, half_term_no), "
        "(academic_year, term)) order by all",
        [year],
    ).fetchall()
    assert len(units) >= 6
    periods += units
    checked = 0
    for y, week_from, week_to in periods:
        period = dict(year=y, week_from=week_from, week_to=week_to)
        plain = con.execute(PLAIN, period).df()
        plain["pupil_ref"] = [queries.pseudonym(u, p, KEY) for u, p in zip(plain["urn"], plain["pupil_id"])]
        plain = plain.set_index("pupil_ref")
        for name, chosen in (
            ("la_vulnerable_pupils", plain["vulnerable"]),
            ("la_early_warning", plain["early_warning"].fillna(False)),
        ):
            got = queries.execute(name, LA, phase=None, **period).set_index("pupil_ref")
            want = plain[chosen.astype(bool)]
            assert sorted(got.index) == sorted(want.index), (name, y, week_from, week_to)
            assert (
                got["unauthorised_latest_10_school_weeks"].tolist()
                == want.loc[got.index, "latest_10"].tolist()
            )
            assert got["recent_change"].fillna(-999).round(9).tolist() == (
                want.loc[got.index, "recent_change"].fillna(-999).round(9).tolist()
            )
            assert got["overall_absence_rate"].round(9).tolist() == (
                want.loc[got.index, "overall_absence_rate"].round(9).tolist()
            )
            checked += len(got)
    con.close()
    assert checked > 500
