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
}
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
    db = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks.csv"],
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
    assert set(got) == {(A, "CLA1"), (B, "EHC1"), (A, "YC1"), (A, "MOV"), (B, "MOV")}
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
    # sorted by need: most days missed first
    assert list(got)[0] == (B, "EHC1")


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
    for role in ("School staff (headteacher, attendance lead)", "Governor", "Administrator"):
        other = dashboard_app(240)
        other.query_params["demo_role"] = role
        other.run()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            other.switch_page("pages/pupils_to_watch.py")
