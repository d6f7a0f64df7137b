"""Query tier: hand-computed expectations on a tiny warehouse loaded through the real ingest path.

Two schools (A primary, B secondary), three pupils, ten school days (20 sessions) in two weeks:
- pupil 1 at A misses 2 sessions (illness) in week 1: exactly 10%, so persistent absence (PA)
- pupil 2 at A misses nothing
- pupil 3 at B misses 10 sessions (other unauthorised) in week 1: 50%, so PA and severe absence
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import school_days, write_csv

import queries
from data_pipeline.load import Options, ingest_files

A, B = 100001, 100002
DAYS = school_days(dt.date(2025, 9, 8), 10)


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    write_csv(
        d / "schools.csv",
        ["urn", "school_name", "phase"],
        [[A, "School A", "Primary"], [B, "School B", "Secondary"]],
    )
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "fsm", "sen_provision", "effective_date"],
        [
            [A, "P1", 3, 1, "N", "2025-09-01"],
            [A, "P2", 4, 0, "N", "2025-09-01"],
            [B, "P3", 8, 1, "K", "2025-09-01"],
        ],
    )
    marks = []
    for urn, pupil, absent_code, n_absent in [(A, "P1", "I", 2), (A, "P2", None, 0), (B, "P3", "O", 10)]:
        k = 0
        for day in DAYS:
            for session in ("AM", "PM"):
                code = absent_code if k < n_absent else ("/" if session == "AM" else "\\")
                marks.append([urn, pupil, day.isoformat(), session, code])
                k += 1
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], marks)
    db = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks.csv"],
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Tiny"}),
    )
    return db


@pytest.fixture()
def env(tiny_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(tiny_db))
    cal = queries.execute("school_calendar_parts")
    period = queries.resolve_period(cal, 2025, "Year to date")
    return period


def _headline(period, scope=queries.WHOLE_LA, phase=None):
    df = queries.execute("la_headline_measures", scope, year=2025, phase=phase, **period.params())
    return df.set_index("period").loc["selected"]


def test_period_is_whole_school_weeks(env):
    assert env.week_from == dt.date(2025, 9, 8)
    assert env.week_to == dt.date(2025, 9, 15)


def test_headline_measures_whole_la(env):
    h = _headline(env)
    assert h["enrolments"] == 3
    assert h["possible_sessions"] == 60
    assert h["absence_sessions"] == 12
    assert h["attendance_rate"] == pytest.approx(80.0)
    assert h["overall_absence_rate"] == pytest.approx(20.0)
    assert h["authorised_absence_rate"] == pytest.approx(100 * 2 / 60)
    assert h["unauthorised_absence_rate"] == pytest.approx(100 * 10 / 60)
    # pupil 1 at exactly 10% is persistently absent; pupil 3 at 50% is severely absent
    assert h["pa_enrolments"] == 2
    assert h["persistent_absence_rate"] == pytest.approx(100 * 2 / 3)
    assert h["sa_enrolments"] == 1
    assert h["days_lost"] == pytest.approx(6.0)


def test_phase_filter(env):
    h = _headline(env, phase="Secondary")
    assert h["enrolments"] == 1
    assert h["persistent_absence_rate"] == pytest.approx(100.0)


def test_scope_to_school_a_never_returns_school_b(env):
    scope = queries.Scope(schools=(A,), suppression_threshold=1)
    h = _headline(env, scope)
    assert h["enrolments"] == 2
    assert h["persistent_absence_rate"] == pytest.approx(50.0)
    assert h["sa_enrolments"] == 0
    schools = queries.execute("pa_focus_schools", scope, year=2025, phase=None, **env.params())
    assert schools["urn"].tolist() == [A]
    everyone = queries.execute(
        "pa_focus_schools", queries.Scope(suppression_threshold=1), year=2025, phase=None, **env.params()
    )
    assert set(everyone["urn"]) == {A, B}
    # each school beside the LA's schools of its own phase (A primary: 1 of 2; B secondary: 1 of
    # 1), not beside every phase's pupils (2 of 3)
    by_urn = everyone.set_index("urn")
    assert by_urn.loc[A, "la_pa_rate"] == pytest.approx(50.0)
    assert by_urn.loc[B, "la_pa_rate"] == pytest.approx(100.0) and by_urn.loc[B, "gap_to_la"] == 0
    assert by_urn.loc[B, "la_group"] == "the LA's secondary schools"


def test_suppression_hides_small_groups(env):
    # default threshold 5: no school has 5 pupils
    assert queries.execute("pa_focus_schools", queries.WHOLE_LA, year=2025, phase=None, **env.params()).empty


def test_weekly_trend(env):
    w = queries.execute("la_weekly_absence", queries.WHOLE_LA, year=2025, phase=None, bench_phase="Total")
    this = w[w["series"] == "This year"].sort_values("week_of_year")
    assert this["week_of_year"].tolist() == [1, 2]
    assert this["overall_absence_rate"].tolist() == pytest.approx([40.0, 0.0])  # 12/30, 0/30


def test_reasons(env):
    def reasons(with_england):
        return queries.execute(
            "la_absence_reasons",
            queries.WHOLE_LA,
            year=2025,
            phase=None,
            bench_phase="Total",
            with_england=with_england,
            **env.params(),
        ).set_index("reason")

    r = reasons(True)
    assert r.loc["illness", "england_rate"] == pytest.approx(3.6, abs=1.5)  # England 2025/26, published
    assert reasons(False)["england_rate"].isna().all()  # a period England's figure does not cover
    assert r.loc["illness", "sessions"] == 2
    assert r.loc["other_unauthorised", "rate"] == pytest.approx(100 * 10 / 60)
    assert r.loc["other_unauthorised", "share_of_absence"] == pytest.approx(100 * 10 / 12)


def test_cohorts(env):
    c = queries.execute(
        "pa_focus_cohorts", queries.Scope(suppression_threshold=1), year=2025, phase=None, **env.params()
    ).set_index("cohort")
    assert c.loc["Eligible for free school meals", "persistent_absence_rate"] == pytest.approx(100.0)
    assert c.loc["Not eligible for free school meals", "pa_enrolments"] == 0


def test_every_pupil_query_takes_the_scope():
    for path in queries.QUERY_DIR.glob("*.sql"):
        queries.check_scoped(path.stem)  # raises if a pupil-level query ignores $scope_urns


def test_loader_refuses_unscoped_pupil_query(monkeypatch):
    queries.sql_text.cache_clear()
    queries.parameters.cache_clear()
    monkeypatch.setattr(queries, "sql_text", lambda name: "select count(*) from pupil_week")
    with pytest.raises(queries.QueryError):
        queries.check_scoped("anything")


def test_values_are_bound_not_pasted(env):
    # a hostile phase string is just a value that matches nothing
    h = _headline(env, phase="Primary' or 1=1 --")
    assert h["enrolments"] == 0


def test_benchmark_uses_own_figures_for_demo_la(env):
    d = queries.execute(
        "bench_measure_all_areas",
        queries.WHOLE_LA,
        collection="daily",
        bench_phase="Total",
        measure="overall_absence_rate",
        la_code="E08000027",
        use_own_figures=True,
        low_is_good=True,
    )
    me = d[(d["area_type"] == "LA") & (d["time_period"] == 2025)].iloc[0]
    assert me["value"] == pytest.approx(20.0)
    assert me["source_file"].startswith("Demo LA")
    assert me["rank"] == me["n_ranked"]  # 20% absence: the worst in England
    # Real Dudley's published years never join the synthetic series.
    assert d.loc[d["area_type"] == "LA", "time_period"].tolist() == [2025]
