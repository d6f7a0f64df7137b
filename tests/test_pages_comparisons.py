"""Every figure set beside another names it and is like for like (issue 15, items 2, 3, 6).

Registers are built here where the rules or periods differ, and the pages' text and figures are
checked against the rule and period they name."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import dashboard_app, school_days, write_csv
from streamlit.testing.v1 import AppTest

import queries
from auth import users
from data_pipeline.load import ingest_files, set_meta

LA_OFFICER = ("la.officer@demo.invalid", "demo-la-officer")


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    """A small warehouse of (made-up) returns that is not the demo: Birmingham's code, so its
    published census series runs from 2006/07."""
    d = tmp_path_factory.mktemp("real")
    write_csv(
        d / "schools.csv",
        ["URN", "EstablishmentName", "LA (code)", "PhaseOfEducation (name)"],
        [[400001, "Alpha Primary", "330", "Primary"], [400002, "Beta Primary", "330", "Primary"]],
    )
    pupils = [[400001 + i % 2, f"R{i:03d}", "2025-09-01", 3, "2018-01-01"] for i in range(12)]
    write_csv(d / "pupils.csv", ["urn", "pupil_id", "effective_date", "ncyear", "dob"], pupils)
    marks = []
    for urn, pid, *_ in pupils:
        n_absent = int(pid[1:]) % 4 * 3
        k = 0
        for day in school_days(dt.date(2025, 9, 1), 15):
            for s in ("AM", "PM"):
                marks.append([urn, pid, day.isoformat(), s, "I" if k < n_absent else "/"])
                k += 1
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], marks)
    db = d / "attendance.duckdb"
    ingest_files([d / "schools.csv", d / "pupils.csv", d / "marks.csv"], db, progress=False)
    set_meta(db, {"la_code": "E08000025", "la_name": "Birmingham"})
    return db


def _signed_in(db, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_USERS", str(users.DEMO_USERS))
    monkeypatch.delenv("ATTENDANCE_DEMO_MODE", raising=False)
    at = dashboard_app(120).run()
    at.text_input(key="sign_in_email").input(LA_OFFICER[0])
    at.text_input(key="sign_in_password").input(LA_OFFICER[1])
    at.button[-1].click()
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.caption, *at.info])


def test_census_trend_marks_its_breaks_and_reads_only_since_the_last(real_db, monkeypatch):
    at = _signed_in(real_db, monkeypatch, "pages/benchmarking.py")
    at.selectbox(key="collection").set_value("census")
    at.selectbox(key="measure").set_value("overall_absence_rate")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert "School census absence (2006/07 on) only: Birmingham's overall absence went from" in text
    # The trend is read from the last break on (2021/22), never from 2006/07 across three breaks.
    assert "in 2021/22 to" in text and "the years since the last break in the series, 2021/22" in text
    assert "from about 300 to about 350" in text and "did not collect absence for 2019/20" in text
    trend = next(df.value for df in at.dataframe if "series_note" in df.value.columns)
    notes = dict(zip(trend["period_label"], trend["series_note"]))
    assert notes["2012/13"].startswith("2012/13: whole year from here")
    assert notes["2020/21"].startswith("2020/21: autumn and spring only")


def test_demo_la_has_no_census_series_of_real_dudley(demo_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(120).run()
    at.switch_page("pages/benchmarking.py")
    at.run()
    at.selectbox(key="collection").set_value("census")
    at.run()
    assert not at.exception
    assert "The synthetic demo LA has no figures in the School census absence" in _texts(at)
    at.selectbox(key="collection").set_value("daily")
    at.run()
    text = _texts(at)
    # Its daily series is its own synthetic years only: no real Dudley year joins it.
    trend = next(df.value for df in at.dataframe if "series_note" in df.value.columns)
    mine = trend[trend["area_type"] == "LA"]
    assert mine["source_file"].str.startswith("Demo LA").all()
    assert "Dudley (synthetic demo) (demo LA)" in text or "(demo LA)" in text


def _demo_app(demo_db, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(120)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pa_by_rule(db, min_possible: int, term: str | None = None) -> float:
    """2025/26 PA over enrolments with at least min_possible possible sessions, from the marts
    (not the app's SQL)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """
        select sum(w.possible) p, sum(w.authorised + w.unauthorised) a
        from pupil_week w join pupil_year y using (academic_year, urn, pupil_id)
        join (select distinct week_start, term from school_calendar) c on c.week_start = w.week_start
        where w.academic_year = 2025 and y.compulsory_age and (? is null or c.term = ?)
        group by w.urn, w.pupil_id having sum(w.possible) >= ?
        """,
        [term, term, min_possible],
    ).fetchall()
    con.close()
    return 100 * sum(1 for p, a in rows if a * 10 >= p) / len(rows)


def test_overview_year_to_date_sets_pa_beside_england_by_englands_rule(demo_db, monkeypatch):
    at = _demo_app(demo_db, monkeypatch, year=2025)
    table = next(df.value for df in at.dataframe if "measure" in df.value.columns)
    pa = table[table["measure"] == "Persistent absence (PA)"].iloc[0]
    eng_col = next(c for c in table.columns if c.startswith("England (all phases), 2025/26 year to date"))
    assert eng_col.endswith("daily attendance collection %")
    assert pa[eng_col] == pytest.approx(18.78, abs=0.01)  # DOMAIN.md: England 2025/26 PA
    rule_col = next(c for c in table.columns if "daily collection rule" in c)
    assert pa[rule_col] == pytest.approx(_pa_by_rule(demo_db, 11), abs=0.005)
    assert pa["gap to England (points, same rule)"] == pytest.approx(pa[rule_col] - pa[eng_col], abs=0.01)
    assert pa["2025/26 year to date %"] == pytest.approx(_pa_by_rule(demo_db, 1), abs=0.005)
    text = _texts(at)
    assert (
        "Counted as DfE's daily collection counts it (enrolments with more than 10 possible sessions" in text
    )


def test_overview_term_has_no_full_year_england_beside_it(demo_db, monkeypatch):
    at = _demo_app(demo_db, monkeypatch, year=2025, period="Term", term="Summer")
    text = _texts(at)
    assert "England 18.8" not in text
    assert (
        "No England comparison: DfE publishes England's daily attendance collection for the whole year "
        "to date only, not for Summer 2025/26" in text
    )
    table = next(df.value for df in at.dataframe if "measure" in df.value.columns)
    eng_cols = [c for c in table.columns if c.startswith("England")]
    assert all(table[c].isna().all() for c in eng_cols)
    # the term is set beside the same term last year, named as that term (not "the same weeks")
    assert "Change is on Summer 2024/25" in text
    reasons = next(df.value for df in at.dataframe if "reason" in df.value.columns)
    assert reasons["england_rate"].isna().all()


def test_days_lost_are_not_compared_with_a_term_of_another_length(demo_db, monkeypatch):
    """The demo's Spring 2025/26 runs 12 weeks, Spring 2024/25 13: the rates are compared, but the
    days lost (a count) are not, and the card says why, naming last year's term."""
    at = _demo_app(demo_db, monkeypatch, year=2025, period="Term", term="Spring")
    p = queries.resolve_period(queries.execute("school_calendar_parts"), 2025, "Term", "Spring")
    assert not p.same_length_as_last_year and p.ly_label == "Spring 2024/25"
    days = next(m for m in at.metric if m.label == "School days lost")
    assert days.delta is None or days.delta == ""
    text = _texts(at)
    assert "not compared with Spring 2024/25, a span of another length" in text
    pa = next(m for m in at.metric if m.label.startswith("Persistent absence"))
    assert pa.delta  # the rate is compared
    # the year to date spans the same weeks both years: its days lost are compared
    ytd = _demo_app(demo_db, monkeypatch, year=2025, period="Year to date")
    assert next(m for m in ytd.metric if m.label == "School days lost").delta


def _school_of(db, phase: str) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    urn = con.execute("select min(urn) from schools where phase = ?", [phase]).fetchall()[0][0]
    con.close()
    return int(urn)


def test_school_page_names_the_la_comparator_and_takes_england_by_its_rule(demo_db, monkeypatch):
    """The probe's case: a school's PA 'against 13.5% in the LA' was the LA's schools of its
    phase; now said so. England beside it by the daily collection's rule."""
    urn = _school_of(demo_db, "Primary")
    at = _demo_app(demo_db, monkeypatch, year=2025)
    at.switch_page("pages/school.py")
    at.run()
    at.selectbox(key="urn").set_value(urn)
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "in the LA." not in text
    assert "for the LA's primary schools (both over every enrolment)" in text
    assert (
        "counted as DfE's daily collection counts it (enrolments with more than 10 possible sessions" in text
    )
    head = next(df.value for df in at.dataframe if "comparison" in df.value.columns)
    eng = head[head["comparison"].str.startswith("England (primary schools), 2025/26 year to date")]
    assert len(eng) == 1 and eng["persistent_absence_rate"].isna().all()
    assert eng["persistent_absence_rate_daily_rule"].notna().all()


def test_school_term_and_meeting_pack_say_why_england_is_absent(demo_db, monkeypatch):
    urn = _school_of(demo_db, "Primary")
    at = _demo_app(demo_db, monkeypatch, year=2025, period="Term", term="Spring")
    at.switch_page("pages/school.py")
    at.run()
    at.selectbox(key="urn").set_value(urn)
    at.run()
    text = _texts(at)
    assert "for the whole year to date only, not for Spring 2025/26" in text
    head = next(df.value for df in at.dataframe if "comparison" in df.value.columns)
    eng = head[head["comparison"].str.startswith("England")]
    assert eng[["overall_absence_rate", "persistent_absence_rate_daily_rule"]].isna().all().all()

    from actions import agenda, exports

    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    terms = agenda.terms()
    key = terms[terms["academic_year"] == 2025]["term_key"].iloc[-1]
    ag = agenda.build(queries_scope(), urn, key)
    assert ag is not None
    table = exports.headline_table(ag, queries_scope())
    assert table["comparison"].str.startswith("The LA's primary schools").any()
    assert table.loc[table["comparison"].str.startswith("England"), "note"].str.contains("not for").all()


def queries_scope():
    import queries

    return queries.Scope(pupil_rows_allowed=True, role="la_officer", user="test")


def test_cohorts_never_set_census_cohorts_beside_this_years_registers(demo_db, monkeypatch):
    """The probe's case: England's 2022/23 census FSM figures against 2025/26 daily figures, and a
    'widest gap' claimed from them. Now published context only, named, with nothing of ours."""
    at = _demo_app(demo_db, monkeypatch, year=2025)
    at.switch_page("pages/cohorts.py")
    at.run()
    assert not at.exception
    text = _texts(at)
    assert "widest gap" not in text.lower()
    assert "only in the school census absence, latest 2022/23" in text
    assert "beside nothing of ours" in text
    published = next(df.value for df in at.dataframe if "england_pa" in df.value.columns)
    assert not {"persistent_absence_rate", "gap_to_england_pa", "enrolments"} & set(published.columns)


def test_one_school_year_length_from_the_calendar(demo_db, monkeypatch):
    """Days in a year: 184 on the overview, 190 in the notes, 191 on the pupil page, before.
    Now the days the LA's schools met in the year, from its calendar, everywhere."""
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    days = con.execute(
        "select count(distinct date) from school_calendar where academic_year = 2025"
    ).fetchall()[0][0]
    absence = con.execute(
        "select 100.0 * sum(authorised + unauthorised) / sum(possible) from pupil_year "
        "where academic_year = 2025 and compulsory_age"
    ).fetchall()[0][0]
    con.close()
    at = _demo_app(demo_db, monkeypatch, year=2025)
    assert f"about {absence * days / 100:.0f} school days a year" in _texts(at)
    at.switch_page("pages/technical_notes.py")
    at.run()
    notes = _texts(at)
    assert f"Overall absence % × {days} ÷ 100" in notes
    assert f"a school year here is the {days} days schools met in 2025/26" in notes
