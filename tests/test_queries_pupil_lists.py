"""Query tier: the lists of pupils who may need support, on a small register built here and
loaded through the real ingest path, with hand-computed expectations.

School A (primary) has 15 school weeks in autumn 2025: 7 weeks from Monday 1 September, a
two-week half term (20 and 27 October: no marks), then 8 weeks from 3 November to 22 December.
Every pupil has 150 possible sessions. School week 10 is w/c 17 November (11 calendar weeks
after week 1, so a rolling window of 10 *calendar* weeks would not hold both).

| pupil | marks (besides present) | on which lists |
|---|---|---|
| U10 | 5 `O` in school week 1, 5 `O` in school week 10 | 10 in 10 school weeks (across half term) |
| U9  | 4 `O` in week 1, 5 `O` in week 10 | none (9) |
| U11W | 5 `O` in week 1, 5 `O` in week 11 | none: 11 school weeks apart |
| PA10 | 15 `I` (10.0%) | PA (exactly 10%) |
| PA9 | 14 `I` (9.3%) | none |
| SA50 | 75 `I` (50%) | PA and SA (exactly 50%) |
| SA49 | 74 `I` | PA, not SA; illness (37 days) |
| ILL30 | 30 `I` | PA, illness 15 days (exactly 30 sessions) |
| ILL29 | 29 `I` | PA, not illness |
| C2 | 10 `C2` in weeks 14-15 | C2; emerging (93.3% and falling) |
| EMG | 12 `I` in the last 4 school weeks | emerging (92% and falling) |
| RISE | 12 `I` in the first 4 school weeks | none: 92% but rising |

School B has one pupil, B20, with 20 `O` in week 1: on B's lists, never on A's.
MOV moves from B (school weeks 1-8, 6 `O` in week 7) to A (weeks 9-15, 4 `O` in week 9): one
pupil across the LA, at the threshold in week 9 at A (6 + 4 within 10 school weeks). The LA
sees MOV on A's list, not on B's (MOV had left); A's staff see A's 4 sessions only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import write_csv

import queries
from data_pipeline.load import Options, ingest_files

A, B = 200001, 200002
KEY = "test-pseudonym-key"
FIRST = dt.date(2025, 9, 1)


def _school_weeks() -> list[list[dt.date]]:
    """15 school weeks of 5 days: 7, then a two-week half term, then 8."""
    weeks = []
    for k in range(17):
        if k in (7, 8):  # half term: w/c 20 and 27 October
            continue
        monday = FIRST + dt.timedelta(weeks=k)
        weeks.append([monday + dt.timedelta(days=d) for d in range(5)])
    return weeks


WEEKS = _school_weeks()
# pupil -> {school week number (1-based): [(code, sessions)]}
PLAN = {
    (A, "U10"): {1: [("O", 5)], 10: [("O", 5)]},
    (A, "U9"): {1: [("O", 4)], 10: [("O", 5)]},
    (A, "U11W"): {1: [("O", 5)], 11: [("O", 5)]},
    (A, "PA10"): {1: [("I", 10)], 2: [("I", 5)]},
    (A, "PA9"): {1: [("I", 10)], 2: [("I", 4)]},
    (A, "SA50"): {w: [("I", 10)] for w in range(1, 8)} | {8: [("I", 5)]},
    (A, "SA49"): {w: [("I", 10)] for w in range(1, 8)} | {8: [("I", 4)]},
    (A, "ILL30"): {1: [("I", 10)], 2: [("I", 10)], 3: [("I", 10)]},
    (A, "ILL29"): {1: [("I", 10)], 2: [("I", 10)], 3: [("I", 9)]},
    (A, "C2"): {14: [("C2", 5)], 15: [("C2", 5)]},
    (A, "EMG"): {12: [("I", 3)], 13: [("I", 3)], 14: [("I", 3)], 15: [("I", 3)]},
    (A, "RISE"): {1: [("I", 3)], 2: [("I", 3)], 3: [("I", 3)], 4: [("I", 3)]},
    (B, "B20"): {1: [("O", 10)], 2: [("O", 10)]},
    (B, "MOV"): {7: [("O", 6)]},
    (A, "MOV"): {9: [("O", 4)]},
}
# school weeks on roll, where not every week
ON_ROLL = {(B, "MOV"): range(1, 9), (A, "MOV"): range(9, 16)}


def _marks() -> list[list]:
    rows = []
    for (urn, pupil), plan in PLAN.items():
        for w, days in enumerate(WEEKS, start=1):
            if w not in ON_ROLL.get((urn, pupil), range(1, 16)):
                continue
            codes = [c for c, n in plan.get(w, []) for _ in range(n)]
            k = 0
            for day in days:
                for session in ("AM", "PM"):
                    code = codes[k] if k < len(codes) else ("/" if session == "AM" else "\\")
                    rows.append([urn, pupil, day.isoformat(), session, code])
                    k += 1
    return rows


@pytest.fixture(scope="module")
def lists_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("lists")
    write_csv(
        d / "schools.csv",
        ["urn", "school_name", "phase"],
        [[A, "School A", "Primary"], [B, "School B", "Primary"]],
    )
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "fsm", "sen_provision", "eal", "effective_date"],
        [
            [urn, pupil, 5, 1 if pupil == "EMG" else 0, "K" if pupil == "EMG" else "N", 0, "2025-09-01"]
            for urn, pupil in PLAN
        ],
    )
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], _marks())
    db = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks.csv"],
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Lists"}),
    )
    return db


STAFF_A = queries.Scope(
    schools=(A,), pupil_rows_allowed=True, role="school_staff", user="staff.a@test.invalid"
)
LA = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")
LISTS = [
    "pupil_persistent_absence_list",
    "pupil_severe_absence_list",
    "pupil_emerging_absence_list",
    "pupil_unauthorised_10_list",
    "pupil_illness_15_days_list",
    "pupil_part_time_list",
]
PUPIL_QUERIES = sorted(p.stem for p in queries.QUERY_DIR.glob("pupil_*.sql"))


@pytest.fixture()
def period(lists_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(lists_db))
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", KEY)
    cal = queries.execute("school_calendar_parts")
    return queries.resolve_period(cal, 2025, "Year to date")


def ref(urn, pupil):
    return queries.pseudonym(urn, pupil, KEY)


def on_list(name, period, urn=A, scope=STAFF_A) -> dict:
    df = queries.execute(name, scope, urn=urn, year=2025, **period.params())
    return {r: row for r, row in zip(df["pupil_ref"], df.to_dict("records"))}


def names(listed: dict, urn=A) -> set[str]:
    back = {ref(u, p): p for u, p in PLAN}
    return {back[r] for r in listed}


def test_register_shape(period):
    assert period.week_from == dt.date(2025, 9, 1) and period.week_to == dt.date(2025, 12, 22)
    assert WEEKS[9][0] == dt.date(2025, 11, 17)  # school week 10, 11 calendar weeks after week 1


def test_ten_unauthorised_in_ten_school_weeks(period):
    listed = on_list("pupil_unauthorised_10_list", period)
    # U10: 5 + 5 within school weeks 1..10, across the two-week half term (12 calendar weeks)
    # U9: only 9; U11W: 10 but 11 school weeks apart
    assert names(listed) == {"U10"}
    row = listed[ref(A, "U10")]
    assert row["most_in_10_school_weeks"] == 10
    assert row["first_reached_week"].date() == dt.date(2025, 11, 17)
    assert row["unauthorised_last_10_school_weeks"] == 5  # weeks 6..15 hold only week 10's five
    assert row["days_lost"] == pytest.approx(5.0)


def test_persistent_absence_at_exactly_ten_percent(period):
    listed = on_list("pupil_persistent_absence_list", period)
    assert {"PA10", "SA50", "SA49", "ILL30", "ILL29"} <= names(listed)
    assert "PA9" not in names(listed)
    assert listed[ref(A, "PA10")]["overall_absence_rate"] == pytest.approx(10.0)
    assert listed[ref(A, "PA10")]["attendance_rate"] == pytest.approx(90.0)
    assert listed[ref(A, "SA50")]["also_severely_absent"]
    assert not listed[ref(A, "SA49")]["also_severely_absent"]


def test_severe_absence_at_exactly_fifty_percent(period):
    assert names(on_list("pupil_severe_absence_list", period)) == {"SA50"}


def test_illness_fifteen_days(period):
    listed = on_list("pupil_illness_15_days_list", period)
    assert names(listed) == {"ILL30", "SA50", "SA49"}  # 30, 75 and 74 illness sessions; ILL29 not
    assert listed[ref(A, "ILL30")]["illness_sessions_this_year"] == 30
    assert listed[ref(A, "ILL30")]["illness_days_this_year"] == pytest.approx(15.0)
    assert "illness (30)" in listed[ref(A, "ILL30")]["main_reasons"]


def test_emerging_persistent_absence(period):
    listed = on_list("pupil_emerging_absence_list", period)
    # EMG: 92% over the period, 100% before the last 4 school weeks and 70% in them.
    # RISE: 92% but improving. C2: 10 C2 sessions in weeks 14-15: 93.3% and falling.
    # PA10 (exactly 90%) is already persistently absent; PA9 (90.7%) fell before, not lately.
    assert names(listed) == {"EMG", "C2"}
    row = listed[ref(A, "EMG")]
    assert row["attendance_rate"] == pytest.approx(92.0)
    assert row["attendance_last_4_weeks"] == pytest.approx(70.0)
    assert row["attendance_before_last_4_weeks"] == pytest.approx(100.0)
    assert row["cohort_flags"] == "FSM · SEN support"


def test_part_time_timetables(period):
    listed = on_list("pupil_part_time_list", period)
    assert names(listed) == {"C2"}
    row = listed[ref(A, "C2")]
    assert row["c2_sessions"] == 10
    assert row["c2_in_latest_school_week"]
    assert row["c2_first_week"].date() == dt.date(2025, 12, 15)


def test_sparkline_is_weekly_attendance(period):
    row = on_list("pupil_emerging_absence_list", period)[ref(A, "EMG")]
    assert list(row["weekly_attendance"]) == [100.0] * 11 + [70.0] * 4


def test_lists_never_show_pupil_ids_or_other_schools(period):
    for name in LISTS:
        df = queries.execute(name, STAFF_A, urn=A, year=2025, **period.params())
        assert "pupil_id" not in df.columns
        assert set(df["urn"]) <= {A}
        assert ref(B, "B20") not in set(df["pupil_ref"])
    # the LA sees school B's pupil on B's list
    assert names(on_list("pupil_unauthorised_10_list", period, urn=B, scope=LA)) == {"B20"}


def test_threshold_follows_a_pupil_who_moves_school(period):
    la = on_list("pupil_unauthorised_10_list", period, urn=A, scope=LA)
    assert names(la) == {"U10", "MOV"}
    row = la[ref(A, "MOV")]
    assert row["most_in_10_school_weeks"] == 10  # 6 at B in week 7 + 4 at A in week 9
    assert row["first_reached_week"].date() == WEEKS[8][0]
    assert row["unauthorised_last_10_school_weeks"] == 10  # weeks 6-15 hold weeks 7 and 9
    # A's staff see A's sessions only: 4
    assert "MOV" not in names(on_list("pupil_unauthorised_10_list", period))


def test_threshold_list_is_chosen_on_the_period(period):
    # from school week 11 on, U10's windows (ending week 11 or later) hold 5 at most; MOV's
    # (weeks 2-11 to 6-15) still hold weeks 7 and 9
    later = period.params() | {"week_from": WEEKS[10][0]}
    df = queries.execute("pupil_unauthorised_10_list", LA, urn=A, year=2025, **later)
    assert names(dict.fromkeys(df["pupil_ref"])) == {"MOV"}


def test_lists_are_sorted_by_need(period):
    df = queries.execute("pupil_persistent_absence_list", STAFF_A, urn=A, year=2025, **period.params())
    back = {ref(A, p): p for _, p in PLAN}
    assert [back[r] for r in df["pupil_ref"]] == ["SA50", "SA49", "ILL30", "ILL29", "PA10"]
    assert list(df["days_lost"]) == sorted(df["days_lost"], reverse=True)


def test_scope_filter_in_sql(period):
    # even if the loader's URN check were bypassed, $scope_urns keeps school B's rows out
    df = queries._execute(
        "pupil_unauthorised_10_list",
        STAFF_A,
        None,
        dict(urn=B, year=2025, **period.params(), pseudonym_key=KEY),
    )
    assert df.empty


def test_another_schools_urn_is_refused(period):
    with pytest.raises(queries.AccessDenied):
        queries.execute("pupil_persistent_absence_list", STAFF_A, urn=B, year=2025, **period.params())


@pytest.mark.parametrize("name", PUPIL_QUERIES)
def test_every_pupil_query_is_marked_and_refused_without_pupil_rows(name, period):
    assert queries.sql_text(name).splitlines()[0] == "-- returns: pupil rows"
    governor = queries.Scope(schools=(A,), pupil_rows_allowed=False, role="governor", user="gov@test.invalid")
    with pytest.raises(queries.AccessDenied):
        queries.execute(name, governor, urn=A, year=2025, pupil_ref="P-00000000", **period.params())


def test_list_files_share_one_tail():
    """The shared columns block is identical in every list file (they are kept in step)."""
    tails = {n: queries.sql_text(n).split("-- ---- shared tail")[1] for n in LISTS}
    assert len(set(tails.values())) == 1


def test_the_school_page_shows_the_lists_by_their_rules(lists_db, monkeypatch):
    from conftest import dashboard_app

    monkeypatch.setenv("ATTENDANCE_DB", str(lists_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(240)
    at.query_params["demo_role"] = "LA officer"
    at.query_params["urn"] = str(A)
    at.run()
    at.switch_page("pages/school.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.open_tab("Pupils who may need support", "school_section")
    tabs = [t.label for t in at.tabs]
    # the LA officer sees the mover on A's threshold list (6 at B + 4 at A), U10 too
    assert "10 unauthorised in 10 weeks (2)" in tabs
    assert "Persistent absence (5)" in tabs and "Illness 15+ days (3)" in tabs
    text = "\n".join(m.value for m in at.markdown)
    assert "10 or more sessions of unauthorised absence (G, N, O, U) within 10 school weeks" in text
    assert "illness for 15 days (30 sessions) or more" in text
