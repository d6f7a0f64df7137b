"""Browser tier: a whole Targeting Support Meeting in Debian's Chromium on the demo LA (demo
mode, LA officer): open a school's meeting, review the actions agreed last term (seeded in the
app store), record a new action through the form, prepare and download the meeting pack and
read the PDF back. Screenshots: tests/screenshots/meeting_*.png (look at them)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader
from test_browser_pages import CHROMIUM, SHOTS, server, wait_until_done  # noqa: F401  (server: fixture)

import queries
from actions import agenda, store

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
OFFICER = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="la.officer@demo.invalid")


@pytest.fixture(scope="module")
def seeded(demo_db):
    """Last term's meeting at the demo's first school: two pupil actions and a cohort action."""
    import os

    os.environ["ATTENDANCE_DB"] = str(demo_db)
    urn = 990001
    terms = agenda.terms()
    key, prev = terms.iloc[-1]["term_key"], terms.iloc[-2]["term_key"]
    con = duckdb.connect(str(demo_db), read_only=True)
    pupils = [
        p
        for (p,) in con.execute(
            "select distinct pupil_id from enrolment_year where urn = ? and persistent_absentee order by pupil_id limit 2",
            [urn],
        ).fetchall()
    ]
    con.close()
    day = agenda.term(prev).period.week_from
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=prev,
        pupil_id=pupils[0],
        strategy_id="meeting_in_school",
        stage="Listen and understand",
        action_date=day,
        status="done",
        owner="Attendance lead",
        outcome="Anxiety about maths; plan agreed",
    )
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=prev,
        pupil_id=pupils[1],
        strategy_id="penalty_notice",
        stage="Enforce",
        action_date=day,
        status="planned",
        owner="Head",
    )
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=prev,
        cohort="Eligible for FSM",
        strategy_id="poverty_support",
        stage="Facilitate support",
        action_date=day,
        status="done",
    )
    return urn, key, prev, [queries.pseudonym(urn, p) for p in pupils]


def _choose(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.click()
    page.keyboard.type(text)
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)


def _open_tab(page, name: str) -> None:
    """One step of the agenda: its tab clicked, drawn when opened (ui.section_tabs)."""
    page.get_by_role("tab", name=name, exact=True).click()
    wait_until_done(page, 120)
    assert page.get_by_role("tab", name=name, exact=True).get_attribute("aria-selected") == "true"


def test_a_whole_meeting(browser, server, seeded, tmp_path):  # noqa: F811
    urn, key, prev, refs = seeded
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Open the dashboard, then the meeting page from the navigation. (A deep link such as
    # /meeting?urn=... in a fresh session currently runs the page without the frame: Streamlit
    # treats pages/ as a v1 pages folder on a session's first run; the same happens to /school.)
    page.goto(server)
    wait_until_done(page, 120)
    page.locator(".st-key-page_nav a", has_text="Targeting Support Meeting").click()
    wait_until_done(page, 120)
    _choose(page, "School", str(urn))
    wait_until_done(page, 180)
    assert f"urn={urn}" in page.url and f"meeting={key}" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("h1").count() == 1 and "Targeting Support Meeting" in page.locator("h1").inner_text()
    assert page.get_by_text("Synthetic demo data", exact=False).count() >= 1
    page.screenshot(path=str(SHOTS / "meeting_1_agenda.png"), full_page=True)

    # review last term's actions
    _open_tab(page, "2. Since the last meeting")
    last = page.get_by_role("heading", name="Actions agreed at the last meeting")
    last.scroll_into_view_if_needed()
    body = page.inner_text("body")
    assert "3 actions agreed at the" in body
    assert (
        "formal step 'Penalty notice issued'" in body
    )  # the planned penalty notice has no support before it
    page.screenshot(path=str(SHOTS / "meeting_2_last_actions.png"), full_page=True)

    # record a new action
    _open_tab(page, "4. This meeting and its actions")
    page.get_by_role("heading", name="Record an action").scroll_into_view_if_needed()
    _choose(page, "Pupil (pseudonymous reference)", refs[1])
    _choose(page, "Strategy (the support checklist)", "Phone call to parent")
    page.get_by_label("Owner", exact=True).fill("Attendance lead")
    page.get_by_label("Outcome", exact=True).fill("Call booked for Monday")
    page.get_by_role("button", name="Record the action").click()
    page.wait_for_timeout(1000)
    wait_until_done(page, 120)
    assert page.get_by_text("Recorded action", exact=False).count() >= 1, page.inner_text("body")[-3000:]
    acts = store.list_actions(OFFICER, urn=urn, meeting_term=key)
    assert (acts["pupil_ref"] == refs[1]).any() and (acts["strategy_id"] == "phone_parents").any()
    page.get_by_role("heading", name="Actions agreed at this meeting").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "meeting_3_recorded.png"), full_page=True)

    # export the pack
    _open_tab(page, "5. Evidence and the pack")
    page.get_by_role("button", name="Prepare the meeting pack").click()
    page.wait_for_timeout(1000)
    wait_until_done(page, 180)
    with page.expect_download(timeout=60000) as dl:
        page.get_by_role("button", name="Download the pack (PDF").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.name == f"meeting_pack_{urn}_{key}.pdf"
    text = " ".join(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split()
    )
    assert "Targeting Support Meeting" in text and "SYNTHETIC DEMO DATA" in text
    assert "Call booked for Monday" in text and refs[1] in text
    assert "Anxiety about maths; plan agreed" in text  # last meeting's action
    wait_until_done(page, 60)  # the download's click reruns the page
    page.screenshot(path=str(SHOTS / "meeting_4_pack.png"), full_page=True)
    time.sleep(0.5)
    from auth import audit

    log = audit.read_log(action="export")
    assert (log["query"] == "meeting_pack_pdf").any()
    assert not errors, errors
    page.close()
