"""Meetings, page tier (AppTest on the demo LA): the Targeting Support Meeting page and the
Impact of support page render for each role that is offered them, with one h1; an action
recorded through the form is stored and listed; roles without pupil-level access see why
the pupil lists are absent and no pupil reference."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from conftest import dashboard_app
from streamlit.testing.v1 import AppTest

from actions import store

ROOT = Path(__file__).resolve().parents[1]
PSEUDONYM = re.compile(r"P-[0-9A-F]{8}")


def _app(db, monkeypatch, page: str, role: str, **params) -> AppTest:
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(240)
    at.query_params["demo_role"] = role
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1
    return at


def _texts(at) -> str:
    out = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "header", "title", "metric"):
        for el in getattr(at, kind):
            out.append(str(getattr(el, "value", "")) + " " + str(getattr(el, "label", "")))
    for df in at.dataframe:
        out.append(df.value.to_string())
    return "\n".join(out)


def _urn(db) -> int:
    con = duckdb.connect(str(db), read_only=True)
    urn = con.execute("select min(urn) from schools where phase = 'Primary'").fetchall()[0][0]
    con.close()
    return int(urn)


AGENDA = {
    "1. Figures": [
        "Figures against the LA, England, similar schools and the last meeting",
        "Cohorts of concern",
    ],
    "2. Since the last meeting": ["Since the last meeting", "Actions agreed at the last meeting"],
    "3. Pupils who may need support": [
        "Pupils who may need support",
        "Lead practitioners for severely absent pupils",
    ],
    "4. This meeting and its actions": ["This meeting", "Record an action", "Actions agreed at this meeting"],
    "5. Evidence and the pack": ["Evidence of support for a pupil", "The meeting pack"],
}


def test_meeting_page_records_an_action(demo_db, monkeypatch):
    urn = _urn(demo_db)
    at = _app(demo_db, monkeypatch, "pages/meeting.py", "LA officer", urn=urn)
    assert len(at.metric) >= 4
    # the agenda, a tab a step, each drawn when opened
    for tab, headers in AGENDA.items():
        at.open_tab(tab, "meeting_section")
        assert not at.exception, [e.value for e in at.exception]
        assert [h.value for h in at.header if h.value in headers] == headers
    at.open_tab("4. This meeting and its actions", "meeting_section")
    pupil = at.selectbox(key="action_pupil")
    ref = pupil.options[0].split(" ")[0]
    pupil.set_value(ref)
    at.selectbox(key="action_strategy").set_value("phone_parents")
    at.text_input(key="action_owner").input("Attendance lead")
    at.text_area(key="action_outcome").input("Agreed a morning call")
    submit = next(b for b in at.button if "Record the action" in str(b.label))
    submit.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [s.value for s in at.success] + [t.value for t in at.toast]
    assert any("Recorded action" in v for v in shown), (shown, [e.value for e in at.error])
    acts = store.list_actions(store_scope(), urn=urn)
    mine = acts[(acts["pupil_ref"] == ref) & (acts["strategy_id"] == "phone_parents")]
    assert len(mine) == 1 and mine.iloc[0]["owner"] == "Attendance lead"
    assert mine.iloc[0]["stage"] == "Listen and understand"  # the strategy's usual stage
    assert "Agreed a morning call" in _texts(at)


def store_scope():
    import queries

    return queries.Scope(pupil_rows_allowed=True, role="la_officer", user="test")


@pytest.mark.parametrize("role", ["Administrator", "School staff (headteacher, attendance lead)"])
def test_meeting_page_for_other_roles(demo_db, monkeypatch, role):
    urn = _urn(demo_db)
    at = _app(demo_db, monkeypatch, "pages/meeting.py", role, urn=urn)
    text = ""
    for tab in AGENDA:
        at.open_tab(tab, "meeting_section")
        assert not at.exception, [e.value for e in at.exception]
        text += _texts(at)
    if role == "Administrator":
        assert "figures for groups of pupils only" in text
        assert not PSEUDONYM.search(text)
        assert "cannot record actions" in text
    else:
        assert at.selectbox(key="urn").options == [
            f"{at.selectbox(key='urn').options[0]}"
        ]  # only their school
        at.open_tab("4. This meeting and its actions", "meeting_section")
        assert "Record the action" in " ".join(str(b.label) for b in at.button)


def test_impact_page(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch, "pages/support_impact.py", "LA officer")
    text = _texts(at)
    assert "not a controlled comparison" in text


def test_the_pack_is_prepared_and_offered_for_download(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch, "pages/meeting.py", "LA officer", urn=_urn(demo_db))
    at.open_tab("5. Evidence and the pack", "meeting_section")
    next(b for b in at.button if b.key == "pack_prepare").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [d.proto.label for d in at.get("download_button")]
    assert any(label.startswith("Download the pack (PDF, ") for label in labels), labels
    assert any(label.startswith("Download the pack (Excel, ") for label in labels), labels


def test_the_chosen_school_goes_with_the_viewer(demo_db, monkeypatch):
    """School -> Meeting -> Pupil keeps the school: its selector defaults to the one last chosen,
    and the sidebar's links to the school pages carry it."""
    urn = _urn(demo_db)
    at = _app(demo_db, monkeypatch, "pages/school.py", "LA officer", urn=urn)
    links = {p.label: p for p in at.get("page_link")}
    assert f"urn={urn}" in str(links["Targeting Support Meeting"].proto), links[
        "Targeting Support Meeting"
    ].proto
    assert "urn=" not in str(links["LA overview"].proto)
    del at.query_params["urn"]
    for page in ("pages/meeting.py", "pages/pupil.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox(key="urn").value == urn, page
