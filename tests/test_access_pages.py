"""Access tier, pages: Streamlit AppTest for each role.

Navigation offers each role only its pages; a governor's session never shows a pupil
table; with demo mode off there is nothing but the sign-in form until a user signs in;
demo mode is refused on a warehouse that is not the synthetic demo; SQL-like and
HTML/script strings in ingested school and pupil fields and in text inputs are shown as
text and change no query.
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from conftest import ROOT, dashboard_app, school_days, write_csv
from streamlit.testing.v1 import AppTest

from auth import users

DEMO = {  # the documented demo accounts
    "la_officer": ("la.officer@demo.invalid", "demo-la-officer"),
    "school_staff": ("head.990001@demo.invalid", "demo-headteacher"),
    "governor": ("governor.990001@demo.invalid", "demo-governor"),
    "admin": ("admin@demo.invalid", "demo-administrator"),
}
NEVER = {  # pages a role must never be offered
    "la_officer": {"audit_log"},
    "school_staff": {"audit_log", "la_overview", "schools", "cohorts", "neighbourhoods"},
    "governor": {"audit_log", "la_overview", "schools", "cohorts", "neighbourhoods", "pupil", "school"},
    "admin": {"pupil", "school"},
}
PUPIL_COLUMNS = {"pupil_ref", "pupil_id", "upn", "surname", "forename", "dob"}


def _app(db, monkeypatch, demo: bool, users_file=users.DEMO_USERS, **query) -> AppTest:
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_USERS", str(users_file))
    if demo:
        monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    else:
        monkeypatch.delenv("ATTENDANCE_DEMO_MODE", raising=False)
    at = dashboard_app(120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    at.button[-1].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _offered(at: AppTest) -> set[str]:
    return {
        str(info.get("script_path", "")).rsplit("/", 1)[-1].removesuffix(".py")
        or str(info.get("url_pathname"))
        for info in at._registered_pages.values()
    }


def _declared(role: str) -> set[str]:
    """The pages dashboard.PAGES gives this role, read from its source."""
    import re

    import access as roles

    src = (ROOT / "dashboard.py").read_text()
    out = set()
    for page, group in re.findall(r'\(_page\("(\w+)",.*\), (\w+)\),', src):
        if role in getattr(roles, group):
            out.add(page)
    return out


def _assert_no_data(at: AppTest) -> None:
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart") and not at.get("vega_lite_chart")
    assert not at.sidebar.selectbox  # no filters: the frame did not run
    assert _offered(at) <= {"sign-in", ""}


def test_no_data_without_sign_in(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch, demo=False)
    _assert_no_data(at)
    for page in ("pages/la_overview.py", "pages/pupil.py", "pages/audit_log.py"):
        with pytest.raises(ValueError):  # not registered: no route to it
            at.switch_page(page)
    # a bookmarked URL with filters or a demo role does not get in either
    at = _app(demo_db, monkeypatch, demo=False, year="2025", demo_role="la_officer")
    _assert_no_data(at)
    _sign_in(at, DEMO["la_officer"][0], "wrong password here")
    _assert_no_data(at)
    assert any("do not match" in e.value for e in at.error)


def test_demo_mode_refused_on_real_data(demo_db, monkeypatch, tmp_path):
    real = tmp_path / "real.duckdb"
    shutil.copy(demo_db, real)
    con = duckdb.connect(str(real))
    con.execute("update meta set value = 'false' where key = 'synthetic'")
    con.close()
    at = _app(real, monkeypatch, demo=True)
    _assert_no_data(at)


@pytest.mark.parametrize("role", list(DEMO))
@pytest.mark.parametrize("how", ["sign_in", "demo"])
def test_each_role_is_offered_only_its_pages(demo_db, monkeypatch, role, how):
    if how == "demo":
        from access import ROLES

        at = _app(demo_db, monkeypatch, demo=True, demo_role=ROLES[role].label)  # the URL holds the label
        assert any("Demo mode" in i.value for i in at.info)
    else:
        at = _sign_in(_app(demo_db, monkeypatch, demo=False), *DEMO[role])
    offered = _offered(at)
    assert offered == _declared(role), offered
    assert not offered & NEVER[role], offered & NEVER[role]
    assert "technical_notes" in offered
    for page in NEVER[role] & {"pupil", "audit_log", "school"}:
        with pytest.raises(ValueError):
            at.switch_page(f"pages/{page}.py")


@pytest.mark.parametrize(
    ("asked", "role", "warned"),
    [
        ("School staff", "school_staff", False),  # the start of the label, as people share it
        ("school  STAFF", "school_staff", False),
        ("governor", "governor", False),
        ("Headteacher", "la_officer", True),  # names no role: the first role, and a warning
    ],
)
def test_a_demo_role_named_in_short_in_the_url(demo_db, monkeypatch, asked, role, warned):
    at = _app(demo_db, monkeypatch, demo=True, demo_role=asked)
    assert not at.exception, [e.value for e in at.exception]
    assert _offered(at) == _declared(role), _offered(at)
    warnings = [w.value for w in at.sidebar.warning if "No demo role" in w.value]
    assert bool(warnings) == warned, warnings
    if warned:
        assert f"“{asked}”" in warnings[0] and "“Governor”" in warnings[0]


def _pages(at: AppTest) -> list[str]:
    return sorted(str(i["script_path"]) for i in at._registered_pages.values() if i.get("script_path"))


def test_governor_never_sees_a_pupil_table(demo_db, monkeypatch):
    at = _sign_in(_app(demo_db, monkeypatch, demo=False), *DEMO["governor"])
    for path in _pages(at):
        at.switch_page(path)
        at.run()
        assert not at.exception, (path, [e.value for e in at.exception])
        for df in at.dataframe:
            cols = {str(c).lower() for c in df.value.columns}
            assert not cols & PUPIL_COLUMNS, (path, cols)


def test_admin_sees_the_audit_log(demo_db, monkeypatch):
    at = _sign_in(_app(demo_db, monkeypatch, demo=False), *DEMO["admin"])
    at.switch_page("pages/audit_log.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    log = at.dataframe[0].value
    assert {"at", "user", "role", "scope", "action", "query", "params"} <= set(log.columns)
    assert (log["action"] == "sign_in").any()
    # SQL-like text in the filter is a literal filter value: no error, no match
    at.text_input(key="audit_text").input("x' or '1'='1'; drop table audit_log; --")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("0" in m.value and "entries" in m.value for m in at.markdown)


# ------------------------------------------------------------------ injection
EVIL_SCHOOL = "<script>alert(1)</script>'; drop table marks; --"
EVIL_PUPIL = "O'Brien \"); drop table pupil_week; --"


@pytest.fixture(scope="module")
def evil_db(tmp_path_factory):
    from data_pipeline.load import ingest_files

    d = tmp_path_factory.mktemp("evil")
    schools = write_csv(
        d / "schools.csv",
        ["URN", "EstablishmentName", "PhaseOfEducation (name)"],
        [[990001, EVIL_SCHOOL, "Primary"], [990002, "Plain Primary", "Primary"]],
    )
    pupils = write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "gender", "dob"],
        [
            [990001, EVIL_PUPIL, 3, "Female", "2017-01-10"],
            [990001, "<img src=x onerror=alert(2)>", 4, "Male", "2016-02-11"],
            [990002, "B1", 3, "Male", "2017-03-12"],
        ],
    )
    rows = []
    for i, day in enumerate(school_days(dt.date(2025, 9, 8), 30)):
        for session in ("AM", "PM"):
            rows.append([990001, EVIL_PUPIL, day.isoformat(), session, "I" if i % 3 == 0 else "/"])
            rows.append([990001, "<img src=x onerror=alert(2)>", day.isoformat(), session, "/"])
            rows.append([990002, "B1", day.isoformat(), session, "O" if i % 2 else "/"])
    marks = write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    db = d / "attendance.duckdb"
    ingest_files([schools, pupils, marks], db, progress=False)
    users.add_user("officer@evil.invalid", "la_officer", password="officer password", path=d / "users.json")
    return db, d / "users.json"


def test_injected_strings_are_shown_as_text(evil_db, monkeypatch):
    db, users_file = evil_db
    at = _sign_in(
        _app(db, monkeypatch, demo=False, users_file=users_file), "officer@evil.invalid", "officer password"
    )
    seen_evil = False
    for path in _pages(at):
        at.switch_page(path)
        at.run()
        assert not at.exception, (path, [e.value for e in at.exception])
        for m in at.markdown:
            if m.proto.allow_html:
                assert "<script>" not in m.value and "onerror" not in m.value, path
        seen_evil |= any(
            EVIL_SCHOOL in str(v) for df in at.dataframe for v in df.value.astype(str).values.ravel()
        )
        seen_evil |= any(EVIL_SCHOOL in str(o) for sb in at.selectbox for o in sb.options)
    assert not at.get("html")  # st.html is never used
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from marks").fetchall()[0][0] == 30 * 2 * 3
    assert con.execute("select school_name from schools where urn = 990001").fetchall()[0][0] == EVIL_SCHOOL
    con.close()
    assert seen_evil, "the school's name was not shown anywhere (as text)"
