"""Meetings, export tier on the demo LA: the meeting pack as PDF (read back with pypdf) and
Excel (openpyxl), and the governors' termly report PDF. Figures equal the warehouse's,
computed here independently; action rows are present; the synthetic label is there; scope
is respected (a school's staff get only their school, a governor's and an admin's exports
hold no pupil rows)."""

from __future__ import annotations

import io
import re

import duckdb
import openpyxl
import pytest
from pypdf import PdfReader

import queries
from actions import agenda, exports, store

PSEUDONYM = re.compile(r"P-[0-9A-F]{8}")
OFFICER = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _sheets(xlsx: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.fixture()
def demo(demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(tmp_path / "app_store.sqlite"))
    # one key for every test: query results are cached per warehouse, not per app store
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", "test-meeting-exports")
    queries._cached.clear()
    terms = agenda.terms()
    key, prev = terms.iloc[-1]["term_key"], terms.iloc[-2]["term_key"]
    meta = dict(queries.execute("warehouse_meta").values.tolist())
    con = duckdb.connect(str(demo_db), read_only=True)
    urns = [
        u
        for (u,) in con.execute(
            "select urn from schools where phase = 'Primary' order by urn limit 2"
        ).fetchall()
    ]
    con.close()
    yield demo_db, key, prev, meta, urns
    # results are cached per warehouse, not per pseudonym key: drop the ones made with this test's key
    queries._cached.clear()


def _term_figures(db, urn, term) -> tuple[float, int, int]:
    """Attendance % and PA enrolments / enrolments for the school over the term, from pupil_week."""
    year, name = term.split("-")
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute(
        """
        with t as (select min(week_start) f, max(week_start) l from school_calendar
                   where academic_year = ? and term = ?),
        e as (
            select w.pupil_id, sum(w.possible) p, sum(w.present + w.aea) a, sum(w.authorised + w.unauthorised) x
            from pupil_week w join pupil_year y using (academic_year, urn, pupil_id), t
            where w.urn = ? and w.academic_year = ? and w.week_start between t.f and t.l and y.compulsory_age
            group by all having sum(w.possible) > 0)
        select 100.0 * sum(a) / sum(p), count(*) filter (where 10 * x >= p), count(*) from e
        """,
        [int(year), name, urn, int(year)],
    ).fetchall()[0]
    con.close()
    return row


def test_meeting_pack_for_the_la_officer(demo):
    db, key, prev, meta, (urn, _) = demo
    lists = agenda.pupil_lists(OFFICER, urn, agenda.term(key).period)
    ref = lists["pupil_persistent_absence_list"]["pupil_ref"].iloc[0]
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=prev,
        pupil_ref=ref,
        strategy_id="penalty_notice",
        stage="Enforce",
        action_date=agenda.term(prev).period.week_from,
        status="done",
    )
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=key,
        pupil_ref=ref,
        strategy_id="home_visit",
        stage="Facilitate support",
        action_date=agenda.term(key).period.week_from,
        owner="EWO Smith",
        outcome="Family needs transport help",
    )
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=key,
        cohort="Eligible for FSM",
        strategy_id="poverty_support",
        stage="Facilitate support",
        action_date=agenda.term(key).period.week_from,
        status="not tried",
        reason_not_tried="Budget agreed next term",
    )
    ag = agenda.build(OFFICER, urn, key)
    attendance, pa, enrolments = _term_figures(db, urn, key)

    text = _text(exports.meeting_pack_pdf(ag, OFFICER, meta))
    flat = " ".join(text.split())
    assert "Targeting Support Meeting" in flat and ag.school_name in flat and f"URN {urn}" in flat
    assert ag.term.label in flat
    assert "SYNTHETIC DEMO DATA" in flat and exports.SYNTHETIC_LABEL in flat
    assert f"attendance was {attendance:.1f}%" in flat
    assert f"({pa} of {enrolments})" in flat
    assert "EWO Smith" in flat and "Family needs transport help" in flat
    assert "Cohort: Eligible for FSM" in flat and "Budget agreed next term" in flat
    assert ref in flat  # pupil lists and actions: pseudonymous references
    assert "Warning:" in flat and "Penalty notice issued" in flat  # formal step with no support before it

    sheets = _sheets(exports.meeting_pack_xlsx(ag, OFFICER, meta))
    assert {
        "About",
        "Headline figures",
        "Cohorts",
        "Persistent absence",
        "Severe absence",
        "Emerging",
        "Last meeting actions",
        "Actions this meeting",
        "Formal step warnings",
    } <= set(sheets)
    about = dict((r[0], r[1]) for r in sheets["About"])
    assert about["URN"] == urn and about["Term"] == ag.term.label and about["Data"] == exports.SYNTHETIC_LABEL
    head = sheets["Headline figures"]
    cols = list(head[3])
    me = next(r for r in head[4:] if str(r[0]).startswith("This school") and "last meeting" not in r[0])
    assert me[cols.index("Attendance %")] == pytest.approx(attendance)
    assert me[cols.index("PA pupils")] == pa and me[cols.index("Pupils")] == enrolments
    assert exports.SYNTHETIC_LABEL in head[1][0]
    actions = sheets["Actions this meeting"]
    acols = list(actions[3])
    rows = [dict(zip(acols, r)) for r in actions[4:]]
    assert {r["Strategy"] for r in rows} == {
        "Home visit or doorstep visit",
        "Additional support in school for poverty-related barriers",
    }
    assert any(r["For"] == ref and r["Owner"] == "EWO Smith" for r in rows)
    pa_sheet = sheets["Persistent absence"]
    assert len(pa_sheet) - 4 == len(lists["pupil_persistent_absence_list"])
    last = [dict(zip(pa_sheet[3], r)) for r in sheets["Last meeting actions"][4:]]
    assert len(last) == 1


def test_school_staff_pack_holds_only_their_school(demo):
    db, key, prev, meta, (urn, other) = demo
    staff = queries.Scope(
        schools=(urn,), pupil_rows_allowed=True, role="school_staff", user="head@test.invalid"
    )
    with pytest.raises(queries.AccessDenied):
        agenda.build(staff, other, key)
    store.add_action(
        OFFICER,
        urn=other,
        meeting_term=key,
        cohort="Year 3",
        strategy_id="text_parents",
        stage="Expect",
        action_date=agenda.term(key).period.week_from,
        owner="Other school's lead",
    )
    ag = agenda.build(staff, urn, key)
    flat = " ".join(_text(exports.meeting_pack_pdf(ag, staff, meta)).split())
    assert f"URN {urn}" in flat
    assert str(other) not in flat and "Other school's lead" not in flat
    sheets = _sheets(exports.meeting_pack_xlsx(ag, staff, meta))
    cells = " ".join(str(c) for rows in sheets.values() for r in rows for c in r if c is not None)
    assert str(other) not in cells and "Other school's lead" not in cells


def test_governor_and_admin_exports_hold_no_pupil_rows(demo):
    db, key, prev, meta, (urn, _) = demo
    ref = agenda.pupil_lists(OFFICER, urn, agenda.term(key).period)["pupil_persistent_absence_list"][
        "pupil_ref"
    ].iloc[0]
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=key,
        pupil_ref=ref,
        strategy_id="home_visit",
        stage="Facilitate support",
        action_date=agenda.term(key).period.week_from,
    )
    governor = queries.Scope(schools=(urn,), role="governor", user="governor@test.invalid")
    text = _text(exports.governors_report_pdf(governor, urn, agenda.term(key).period, meta))
    assert "Attendance report for governors" in text and "SYNTHETIC DEMO DATA" in text
    assert not PSEUDONYM.search(text)
    assert "No pupil-level data" in text

    admin = queries.Scope(role="admin", user="admin@test.invalid")
    ag = agenda.build(admin, urn, key)
    assert ag.pupil_lists is None and (ag.actions["subject"] != "pupil").all()
    flat = " ".join(_text(exports.meeting_pack_pdf(ag, admin, meta)).split())
    assert not PSEUDONYM.search(flat) and "Not included" in flat
    sheets = _sheets(exports.meeting_pack_xlsx(ag, admin, meta))
    assert "Persistent absence" not in sheets
    cells = " ".join(str(c) for rows in sheets.values() for r in rows for c in r if c is not None)
    assert not PSEUDONYM.search(cells)
