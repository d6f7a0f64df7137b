"""The Governors' view and report: the school against the LA and England (like for like, each
comparator named), the school's strategy statement (written by its staff, read by governors),
and a report that is one A4 page."""

from __future__ import annotations

import io

import duckdb
import pytest
from conftest import dashboard_app
from pypdf import PdfReader

import queries
from actions import exports, meetings
from ui import governors as gov

GOVERNOR = "Governor"
STAFF = "School staff (headteacher, attendance lead)"


@pytest.fixture()
def demo(demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(tmp_path / "store.sqlite"))
    con = duckdb.connect(str(demo_db), read_only=True)
    urn = con.execute("select min(urn) from schools where phase = 'Primary'").fetchall()[0][0]
    con.close()
    return int(urn)


def _period():
    cal = queries.execute("school_calendar_parts")
    return queries.resolve_period(cal, int(cal["academic_year"].max()), "Year to date")


def test_headline_names_each_comparator_and_follows_the_daily_rule(demo):
    p = _period()
    governor = queries.Scope(schools=(demo,), role="governor", user="g@test.invalid")
    t = gov.headline_table(governor, demo, "Primary", p)
    assert list(t["comparison"][:2]) == [f"This school, {p.label}", f"The LA's primary schools, {p.label}"]
    assert t["comparison"].iloc[2].startswith("England")
    officer = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="o@test.invalid")
    head = queries.execute(
        "school_headline", officer, urn=demo, year=p.academic_year, week_hours=32.5, **p.params()
    )
    me = head.set_index("comparison").loc["This school"]
    # PA by the daily collection's rule, as England's: not the census rule's column
    assert t["persistent_absence_rate"].iloc[0] == pytest.approx(me["persistent_absence_rate_daily_rule"])


def test_staff_write_the_statement_governors_read_it(demo):
    staff = queries.Scope(
        schools=(demo,), pupil_rows_allowed=True, role="school_staff", user="s@test.invalid"
    )
    governor = queries.Scope(schools=(demo,), role="governor", user="g@test.invalid")
    assert meetings.statement(governor, demo) is None
    meetings.set_statement(staff, demo, "Daily calls on the first day of absence; a breakfast club.")
    assert meetings.statement(governor, demo)["statement"].startswith("Daily calls")
    with pytest.raises(queries.AccessDenied):
        meetings.set_statement(governor, demo, "governors cannot write this")


def test_the_report_is_one_page_with_the_comparators_and_statement(demo):
    staff = queries.Scope(
        schools=(demo,), pupil_rows_allowed=True, role="school_staff", user="s@test.invalid"
    )
    meetings.set_statement(staff, demo, "First-day calls to every family; attendance mentors for Year 6.")
    governor = queries.Scope(schools=(demo,), role="governor", user="g@test.invalid")
    pdf = PdfReader(
        io.BytesIO(exports.governors_report_pdf(governor, demo, _period(), {"synthetic": "true"}))
    )
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "Against the LA and England" in text and "England" in text and "primary schools" in text
    assert "attendance mentors for Year 6" in text


def _page(role: str, urn: int):
    at = dashboard_app(240)
    at.query_params["demo_role"] = role
    at.query_params["urn"] = str(urn)
    at.run()
    at.switch_page("pages/governors.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_shows_the_headline_and_statement(demo, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = _page(STAFF, demo)
    headers = [h.value for h in at.header]
    assert headers[0] == "The school against the LA and England"
    assert "The school's attendance strategy" in headers
    assert any("few sentences for governors" in a.label for a in at.text_area)
    at.text_area(key="strategy_text").set_value("We call every family on the first day of absence.")
    at.button[[b.label for b in at.button].index("Save the statement")].click().run()
    gov_at = _page(GOVERNOR, demo)
    assert any("first day of absence" in m.value for m in gov_at.markdown)
    assert not gov_at.text_area  # governors read it; they cannot edit it
