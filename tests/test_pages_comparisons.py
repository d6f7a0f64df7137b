"""Every figure set beside another names it and is like for like (issue 15, items 2, 3, 6).

Registers are built here where the rules or periods differ, and the pages' text and figures are
checked against the rule and period they name."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT, school_days, write_csv
from streamlit.testing.v1 import AppTest

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
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
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
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
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
