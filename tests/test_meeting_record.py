"""The meeting as a record that carries over (actions.meetings) and the demo's synthetic cycle
(data_pipeline.demo_meetings): a meeting's date, officer, attendees and shortlist, review
dates, lead practitioners; scoped and append-only; the next term's agenda opens with them;
the demo's meetings make the meeting page, the evidence view and Impact of support full."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import duckdb
import pytest
from conftest import dashboard_app

import queries
from actions import agenda, evidence, impact, meetings, store
from data_pipeline import demo_meetings

OFFICER = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")


@pytest.fixture()
def fresh_store(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(path))
    return path


@pytest.fixture()
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    return demo_db


def _school_and_pupils(db, n=3):
    con = duckdb.connect(str(db), read_only=True)
    urn = con.execute("select min(urn) from schools where phase = 'Primary'").fetchall()[0][0]
    pupils = [
        r[0]
        for r in con.execute(
            "select pupil_id from pupil_year where urn = ? order by pupil_id limit ?", [urn, n]
        ).fetchall()
    ]
    con.close()
    return int(urn), pupils


def test_a_meeting_record_with_shortlist_and_lead_practitioner(demo, fresh_store):
    urn, pupils = _school_and_pupils(demo)
    mid = meetings.save_meeting(
        OFFICER,
        urn=urn,
        meeting_term="2025-Spring",
        meeting_date=dt.date(2026, 3, 25),
        la_officer="Sam Okafor",
        attendees=[{"name": "R. Hughes", "role": "Headteacher"}, {"name": "", "role": "ignored: no name"}],
    )
    meetings.set_shortlist(OFFICER, mid, {pupils[0]: "Persistent absence", pupils[1]: "Severe absence"})
    rec = meetings.meeting(OFFICER, urn, "2025-Spring")
    assert rec["la_officer"] == "Sam Okafor" and rec["attendees"] == [
        {"name": "R. Hughes", "role": "Headteacher"}
    ]
    assert rec["meeting_date"] == dt.date(2026, 3, 25) and not rec["synthetic"]
    sl = meetings.shortlist(OFFICER, mid)
    assert set(sl["pupil_ref"]) == {queries.pseudonym(urn, p) for p in pupils[:2]}
    # saving again updates the one meeting of that term, and a new shortlist replaces the old
    assert (
        meetings.save_meeting(
            OFFICER,
            urn=urn,
            meeting_term="2025-Spring",
            meeting_date="2026-03-26",
            la_officer="P. Shah",
            attendees=[],
        )
        == mid
    )
    meetings.set_shortlist(OFFICER, mid, {pupils[2]: "Emerging"})
    assert list(meetings.shortlist(OFFICER, mid)["from_list"]) == ["Emerging"]
    meetings.set_lead_practitioner(OFFICER, urn, pupils[0], "P. Kaur", "SENCo", dt.date(2026, 3, 25))
    lead = meetings.lead_practitioners(OFFICER, urn)
    assert lead.iloc[0]["name"] == "P. Kaur" and lead.iloc[0]["pupil_ref"] == queries.pseudonym(
        urn, pupils[0]
    )
    # the history is append-only and holds pseudonyms, never pupil ids
    with closing(sqlite3.connect(fresh_store)) as db:
        rows = db.execute("select kind, record from meeting_record_history order by id").fetchall()
        assert [k for k, _ in rows] == ["meeting", "shortlist", "meeting", "shortlist", "lead practitioner"]
        assert not any(p in rec for _, rec in rows for p in pupils)
        with pytest.raises(sqlite3.DatabaseError):
            db.execute("delete from meeting_record_history")


def test_the_record_is_scoped(demo, fresh_store):
    urn, pupils = _school_and_pupils(demo)
    other = urn + 1
    head = queries.Scope(
        schools=(other,), pupil_rows_allowed=True, role="school_staff", user="h@test.invalid"
    )
    governor = queries.Scope(schools=(urn,), role="governor", user="g@test.invalid")
    mid = meetings.save_meeting(
        OFFICER,
        urn=urn,
        meeting_term="2025-Spring",
        meeting_date="2026-03-25",
        la_officer="S. O",
        attendees=[],
    )
    meetings.set_shortlist(OFFICER, mid, {pupils[0]: "Persistent absence"})
    with pytest.raises(queries.AccessDenied):
        meetings.meeting(head, urn, "2025-Spring")
    with pytest.raises(queries.AccessDenied):
        meetings.save_meeting(
            head, urn=urn, meeting_term="2025-Summer", meeting_date="2026-07-01", la_officer="x", attendees=[]
        )
    with pytest.raises(queries.AccessDenied):
        meetings.set_lead_practitioner(governor, urn, pupils[0], "x")
    assert meetings.shortlist(governor, mid).empty  # no pupil rows for governors
    assert meetings.lead_practitioners(governor, urn).empty
    with pytest.raises(store.ActionError):
        meetings.save_meeting(
            OFFICER,
            urn=urn,
            meeting_term="2025-Spring",
            meeting_date="2026-03-25",
            la_officer=" ",
            attendees=[],
        )


def test_review_dates_on_actions(demo, fresh_store):
    urn, pupils = _school_and_pupils(demo)
    aid = store.add_action(
        OFFICER,
        urn=urn,
        meeting_term="2025-Spring",
        pupil_id=pupils[0],
        strategy_id="phone_parents",
        stage="Listen and understand",
        action_date="2026-04-01",
        review_date="2026-05-13",
    )
    got = store.list_actions(OFFICER, urn=urn)
    assert got.set_index("action_id").loc[aid, "review_date"] == dt.date(2026, 5, 13)
    with pytest.raises(store.ActionError, match="review date is before"):
        store.update_action(OFFICER, aid, review_date="2026-03-01")
    assert store.update_action(OFFICER, aid, review_date="")
    assert store.list_actions(OFFICER, urn=urn).set_index("action_id")["review_date"].isna().all()


def test_an_old_store_gains_review_dates(fresh_store):
    with closing(sqlite3.connect(fresh_store)) as db:
        db.executescript(store.SCHEMA.replace("    review_date text not null default '',", ""))
        assert "review_date" not in {r[1] for r in db.execute("pragma table_info(meeting_actions)")}
    with closing(store.connect()) as db:
        assert "review_date" in {r[1] for r in db.execute("pragma table_info(meeting_actions)")}


def test_demo_meetings_make_the_cycle_visible(demo, fresh_store):
    counts = demo_meetings.seed(demo, fresh_store)
    assert counts["meetings"] >= 8 and counts["actions"] > counts["meetings"] * 3
    assert counts["formal_steps"] >= 2 and counts["lead_practitioners"] >= 1
    with pytest.raises(demo_meetings.StoreNotEmpty):
        demo_meetings.seed(demo, fresh_store)
    with closing(meetings.connect()) as db:
        urn, term = db.execute(
            "select urn, meeting_term from meetings where meeting_term like '%Spring' order by urn limit 1"
        ).fetchone()
        assert db.execute("select min(synthetic) from meetings").fetchone()[0] == 1
        # every meeting is dated on the demo's calendar, not today's
        assert db.execute("select max(meeting_date) from meetings").fetchone()[0] < "2026-07-22"
    terms = agenda.terms()
    latest = terms[terms["previous_term_key"] == term]["term_key"].iloc[0]
    ag = agenda.build(OFFICER, urn, latest)
    assert ag.last_meeting is not None and ag.last_meeting["synthetic"]
    assert len(ag.last_shortlist) >= 1
    assert ag.last_actions["attendance_after"].notna().any()  # "attendance after" on first open
    assert set(ag.last_actions["status"]) >= {"done", "planned"}
    # some formal steps are evidenced (support done first), some are not: the warning catches those
    every = store.list_actions(OFFICER, subject="pupil")
    formal = every[every["formal_step"]]
    warned = evidence.formal_warnings(every)
    assert 0 < len(warned) < len(formal)
    # Impact of support has strategies with pupils before and after
    assert not impact.strategy_impact(OFFICER, 6).empty


def test_meeting_page_opens_with_the_last_meeting(demo, fresh_store, monkeypatch):
    demo_meetings.seed(demo, fresh_store)
    with closing(meetings.connect()) as db:
        urn = db.execute("select min(urn) from meetings").fetchone()[0]
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(240)
    at.query_params["demo_role"] = "LA officer"
    at.query_params["urn"] = str(urn)
    at.run()
    at.switch_page("pages/meeting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    tabs = [t.label for t in at.tabs]
    assert tabs.index("2. Since the last meeting") < tabs.index("4. This meeting and its actions")
    at.open_tab("2. Since the last meeting", "meeting_section")
    assert "Since the last meeting" in [h.value for h in at.header]
    text = "\n".join(m.value for m in at.markdown)
    assert "Spring 2026 meeting" in text and "LA officer" in text
    assert "No meeting is recorded" not in text
    at.open_tab("3. Pupils who may need support", "meeting_section")
    assert "Lead practitioners for severely absent pupils" in [h.value for h in at.header]


def test_the_pack_opens_with_a_one_page_summary(demo, fresh_store):
    import io
    import re

    import openpyxl
    from pypdf import PdfReader

    from actions import exports

    demo_meetings.seed(demo, fresh_store)
    with closing(meetings.connect()) as db:
        urn, term = db.execute(
            "select urn, meeting_term from meetings where meeting_term like '%Spring' order by urn limit 1"
        ).fetchone()
    ag = agenda.build(OFFICER, urn, term)
    meta = {"la_name": "Demo LA", "synthetic": "true"}
    pages = [
        p.extract_text() for p in PdfReader(io.BytesIO(exports.meeting_pack_pdf(ag, OFFICER, meta))).pages
    ]
    first = pages[0]
    assert "At a glance" in first and "Pupils discussed" in first and "Actions still planned" in first
    assert "England" in first and "Data quality at" in first
    for ref in ag.shortlist["pupil_ref"]:
        assert ref in first
    rest = "\n".join(pages[1:])
    assert "LA officer" in rest and "Evidence of support for the pupils discussed" in rest
    # no word broken across two lines: a line's last fragment and the next line's first never
    # make one word of the pack's vocabulary unless the first fragment is a word itself
    vocab = {
        w.lower() for t in [*strategies_text(), *exports.PLAIN.values()] for w in re.findall(r"[A-Za-z]+", t)
    }
    lines = [ln for p in pages for ln in p.splitlines()]
    broken = []
    for a, b in zip(lines, lines[1:]):
        tail, head = re.findall(r"[A-Za-z]+$", a), re.findall(r"^[A-Za-z]+", b)
        if tail and head and (tail[0] + head[0]).lower() in vocab and tail[0].lower() not in vocab:
            broken.append(tail[0] + "|" + head[0])
    assert not broken, broken
    wb = openpyxl.load_workbook(io.BytesIO(exports.meeting_pack_xlsx(ag, OFFICER, meta)))
    ws = wb["Headline figures"]
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref.startswith("A4:")
    rates = [c for c in ws[5] if isinstance(c.value, float)]
    assert rates and all(c.number_format == "0.0" for c in rates)
    assert "Shortlist" in wb.sheetnames and "Evidence" in wb.sheetnames
    assert wb["Shortlist"].max_row == 4 + len(ag.shortlist)


def strategies_text() -> list[str]:
    from actions import strategies

    return strategies.strategies()["strategy"].tolist()


def test_the_demo_command_seeds_meetings_beside_its_warehouse(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT

    db = tmp_path / "demo.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "ATTENDANCE_APP_STORE"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_pipeline",
            "demo",
            "--db",
            str(db),
            "--pupils",
            "3000",
            "--seed",
            "7",
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    store_file = tmp_path / "demo_app_store.sqlite"
    assert "synthetic meetings" in run.stdout and str(store_file) in run.stdout
    with closing(sqlite3.connect(store_file)) as db_:
        assert db_.execute("select count(*), min(synthetic) from meetings").fetchone()[0] >= 8
