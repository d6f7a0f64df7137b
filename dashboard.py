"""Attendance dashboard: the router and frame. Run with `streamlit run dashboard.py`.

Every page gets the same header (LA, period, data freshness, synthetic-data label) and
the same sidebar filters; the filters live in st.session_state and in the URL, so a
view can be bookmarked and shared.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

import queries
import ui
from access import ADMIN, EVERYONE, LA_PUPILS, LA_WIDE, MEETINGS, PUPIL_LEVEL, ROLES, SCHOOL_LEVEL, scope_for
from auth import audit
from auth import session as auth_session
from data_pipeline import build
from data_pipeline.codes import format_year
from ui import school as sui
from ui.context import Context, set_context

FAVICON = Path(__file__).resolve().parent / "ui" / "favicon.png"  # the register's present mark, '/'
PERIOD_KINDS = ["Year to date", "Term", "Half term", "Custom dates"]
ALL_PHASES = "All phases"


def _page(name: str, title: str, icon: str) -> st.Page:
    """pages/<name>.py at the address /<name>. The path is absolute so that the frame runs the
    same from any main script (the tests' AppTest launcher, tests/conftest.py)."""
    return st.Page(ui.page_file(name), title=title, icon=f":material/{icon}:")


# Each page with the roles it is offered to (access: EVERYONE, LA_WIDE = LA officer and
# admin, PUPIL_LEVEL = LA officer and school staff, LA_PUPILS = LA officer, SCHOOL_LEVEL =
# those and governors, ADMIN).
# This only decides what navigation offers: the query layer enforces each viewer's scope on
# every query whatever the page. A bare st.Page (no roles) is offered to the LA officer only.
# A role's first page here is its home page, at "/" (pages_for); don't mark one default=True.
# The pages about one school: the chosen school goes with the viewer between them.
SCHOOL_PAGES = {"school", "pupil", "governors", "meeting"}
PAGES = [
    (_page("la_overview", "LA overview", "dashboard"), LA_WIDE),
    (_page("benchmarking", "Benchmarking", "leaderboard"), LA_WIDE),
    (_page("cohorts", "Cohorts", "groups"), LA_WIDE),
    (_page("neighbourhoods", "Neighbourhoods", "map"), LA_WIDE),
    (_page("schools", "Schools", "domain"), LA_WIDE),
    (_page("school", "School", "school"), PUPIL_LEVEL),
    (_page("pupil", "Pupil", "person"), PUPIL_LEVEL),
    (_page("pupils_to_watch", "Pupils to watch", "visibility"), LA_PUPILS),
    (_page("governors", "Governors' view", "account_balance"), SCHOOL_LEVEL),
    (_page("meeting", "Targeting Support Meeting", "handshake"), MEETINGS),
    (_page("support_impact", "Impact of support", "trending_up"), MEETINGS),
    (_page("technical_notes", "Technical notes", "menu_book"), EVERYONE),
    (_page("accessibility", "Accessibility statement", "accessibility_new"), EVERYONE),
    (_page("audit_log", "Audit log", "policy"), ADMIN),
]


# Filters a page cannot use are not offered on it (issue 13): the phase on the pages about one
# school (its own phase is used) and on the notes; no filter at all on pages without figures
# for the sidebar's period (the meeting reviews the term it chooses; Impact of support, every
# action recorded), nor the period in the header above them. A filter left out keeps its value
# for the next page (persist_state).
NO_PHASE = {"school", "pupil", "governors", "technical_notes", "accessibility", "audit_log"}
NO_FILTERS = {"accessibility", "audit_log", "meeting", "support_impact"}
# Pages of DfE's published figures (a year's, by collection): the academic year chooses which,
# but a term or half term would change none of them, so neither is offered nor named above them.
YEAR_ONLY = {"benchmarking"}
PAGE_NAMES = {page.title: page.url_path for page, _ in PAGES}


def _sidebar_filters(
    calendar, phases: list[str], page_name: str | None = None
) -> tuple[queries.Period | None, str | None]:
    if page_name in NO_FILTERS:
        return None, None
    years = sorted(calendar["academic_year"].unique().tolist(), reverse=True)
    sb = st.sidebar
    sb.header("Filters")
    year = sb.selectbox(
        "Academic year",
        years,
        format_func=format_year,
        key="year",
        bind="query-params",
        persist_state="session",
    )
    kind = (
        "Year to date"
        if page_name in YEAR_ONLY
        else sb.selectbox("Period", PERIOD_KINDS, key="period", bind="query-params", persist_state="session")
    )
    this = calendar[calendar["academic_year"] == year]
    part, custom = None, None
    if kind == "Term":
        part = sb.selectbox(
            "Term",
            list(dict.fromkeys(this["term"])),
            key="term",
            bind="query-params",
            persist_state="session",
        )
    elif kind == "Half term":
        part = sb.selectbox(
            "Half term",
            this["half_term"].tolist(),
            key="half_term",
            bind="query-params",
            persist_state="session",
        )
    elif kind == "Custom dates":
        first, last = this["first_date"].min().date(), this["last_date"].max().date()
        picked = sb.date_input(
            "Dates",
            value=(first, last),
            min_value=first,
            max_value=last,
            key="dates",
            persist_state="session",
            format="DD/MM/YYYY",
        )
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            custom = (picked[0], picked[1])
        else:
            sb.info("Pick an end date too.")
            custom = (picked[0] if picked else first, last)
        sb.caption(
            "Custom dates are snapped to whole school weeks (Monday to Friday): "
            "a week counts if its Monday falls in the range."
        )
    period = queries.resolve_period(calendar, year, kind, part, custom)
    if page_name in NO_PHASE:
        return period, None
    phase = sb.selectbox(
        "Phase", [ALL_PHASES, *phases], key="phase", bind="query-params", persist_state="session"
    )
    return period, None if phase == ALL_PHASES else phase


def _header(
    meta: dict,
    period: queries.Period | None,
    phase: str | None,
    phase_applies: bool = True,
    weeks_apply: bool = True,
) -> None:
    la = meta.get("la_name", "Local authority")
    bits = [f"**{la}**"]
    if period is not None and not weeks_apply:
        bits.append(f"{format_year(period.academic_year)}: DfE's published figures")
    elif period is not None:
        end = period.week_to + dt.timedelta(days=4)
        bits.append(f"{period.label} (school weeks {period.week_from:%d %b %Y} to {end:%d %b %Y})")
    if phase_applies:
        bits.append(phase or "all phases")
    if meta.get("data_up_to"):
        bits.append(f"data up to {dt.date.fromisoformat(meta['data_up_to']):%d %B %Y}")
    st.markdown(" · ".join(bits))
    ui.synthetic_banner(meta)


def pages_for(role: str) -> list:
    """The pages navigation offers a role, in PAGES order, the first of them at "/".

    Streamlit serves the default page at "/" only: its own address (`/governors` for a
    governor, `/la_overview`) would open a "Page not found" dialog, so a bookmarked or
    shared link to a role's first page would not work. The first page is therefore
    registered twice, from the same file: visible and default at "/" (url_path "home"),
    and hidden at its own address.
    """
    out = [page for page, roles in PAGES if role in roles]
    if not out:
        return out
    first = out[0]
    name = first.url_path  # PAGES take their address from their file name (no default=True)
    path, title, icon = ui.page_file(name), first.title, first.icon
    home = st.Page(path, title=title, icon=icon, url_path="home", default=True)
    alias = st.Page(path, title=title, icon=icon, url_path=name, visibility="hidden")
    return [home, *out[1:], alias]


def _sidebar_nav(pages: list) -> None:
    """The role's pages as links at the top of the sidebar. Streamlit's own sidebar navigation is
    switched off (.streamlit/config.toml, client.showSidebarNavigation): with a pages/ folder
    beside dashboard.py it would first draw every file in the folder, before sign-in too."""
    nav = st.sidebar.container(key="page_nav")
    urn = sui.chosen_school()
    for page in pages:
        if page.visibility != "hidden":
            carry = {"urn": str(urn)} if urn is not None and page.url_path in SCHOOL_PAGES else None
            nav.page_link(page, label=page.title, icon=page.icon or None, query_params=carry)


def _sidebar_user(user, how: str, scope: queries.Scope) -> None:
    sb = st.sidebar
    role = ROLES[user.role]
    if how == "demo":
        sb.caption(f"Viewing as the demo {role.label.lower()}.")
    else:
        sb.markdown(f"Signed in as **{user.label}**  \n{role.label}")
        if sb.button("Sign out", icon=":material/logout:", key="sign_out"):
            auth_session.sign_out(user, how, scope)
    if scope.schools is not None:
        sb.caption("Schools (URN): " + ", ".join(map(str, scope.schools)))


def _role_banner(user, how: str) -> None:
    role = ROLES[user.role]
    if how == "demo":
        st.info(
            f"**Demo mode** (no sign-in): you are seeing what the **{role.label}** role sees: "
            f"{role.description}. Switch role in the sidebar.",
            icon=":material/visibility:",
        )


def run() -> None:
    # The favicon is a file shipped here: a Material icon would be fetched by every browser
    # from fonts.gstatic.com, a third party (and not at all offline).
    st.set_page_config(page_title="School attendance", page_icon=str(FAVICON), layout="wide")
    try:
        meta, missing = dict(queries.run("warehouse_meta").values.tolist()), None
    except FileNotFoundError as exc:
        meta, missing = {}, str(exc)
    if meta.get("marts_sql") not in (None, build.marts_digest()):
        # An update changed how the marts are built: their columns may not be what the pages ask
        # for. Said before sign-in too: it names no data, and the person starting it needs it.
        st.title("School attendance")
        st.error(
            "The warehouse's tables were built by an earlier version of this dashboard. Rebuild them "
            "once with `python -m data_pipeline build` (the next load also does it); the data is unchanged."
        )
        st.stop()
    # No route into the data without signing in (demo mode: the synthetic warehouse only).
    user, how = auth_session.current_user(synthetic=ui.is_synthetic(meta))
    if user is None:
        st.navigation(
            [
                st.Page(
                    auth_session.sign_in_page, title="Sign in", icon=":material/login:", url_path="sign-in"
                )
            ],
            position="hidden",
        ).run()
        return
    scope = scope_for(user)
    pages = pages_for(user.role)
    page = st.navigation(pages, position="hidden")
    # every page its own browser title (WCAG 2.4.2)
    st.set_page_config(page_title=f"{page.title} · School attendance")
    st.markdown(ui.APP_CSS, unsafe_allow_html=True)  # the app's one stylesheet
    audit.set_current_page(page.title)
    _sidebar_nav(pages)
    _sidebar_user(user, how, scope)
    if missing:
        st.title("School attendance")
        st.error(missing)
        st.stop()
    calendar = queries.run("school_calendar_parts")
    phases = queries.run("school_phases")["phase"].tolist()
    if calendar.empty:
        st.title("School attendance")
        st.info(
            "The warehouse holds no attendance marks yet. Load school returns with "
            "`python -m data_pipeline ingest`, or build the demo LA with "
            "`python -m data_pipeline demo`."
        )
        st.stop()
    name = PAGE_NAMES.get(page.title)
    period, phase = _sidebar_filters(calendar, phases, name)
    _header(
        meta,
        period,
        phase,
        phase_applies=name not in NO_PHASE | NO_FILTERS,
        weeks_apply=name not in YEAR_ONLY,
    )
    _role_banner(user, how)
    year = period.academic_year if period is not None else None
    set_context(
        Context(
            meta=meta, period=period, phase=phase, scope=scope, school_year=ui.school_year(calendar, year)
        )
    )
    page.run()


if __name__ == "__main__":
    run()
