"""Real browser tests: Playwright drives Debian's Chromium over the running dashboard.

Each page listed in the navigation is opened on the demo LA; the test waits for
the page to finish running, fails on any Streamlit exception box, checks that
charts and maps drew, and saves a screenshot to tests/screenshots/ (look at them).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ROOT
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_dashboard(demo_db, **env_extra):
    """A new `streamlit run dashboard.py` process on the demo LA (demo mode); yields its URL."""
    port = _free_port()
    env = {**os.environ, "ATTENDANCE_DB": str(demo_db), "ATTENDANCE_DEMO_MODE": "1", **env_extra}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            raise RuntimeError("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(demo_db):
    with running_dashboard(demo_db) as url:
        yield url


# The `browser` fixture is in conftest.py: one Playwright per test session, shared by test_browser_*.


def wait_until_done(page, timeout_s: float = 60) -> None:
    """Streamlit shows a running indicator while the script runs, and grey skeletons until
    elements arrive; wait for both to settle."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    deadline = time.time() + timeout_s
    quiet_since = None
    while time.time() < deadline:
        running = (
            page.locator('[data-testid="stStatusWidget"]').count() > 0
            or page.locator('[data-testid="stSkeleton"]').count() > 0
        )
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 1.5:
            return
        time.sleep(0.25)
    raise AssertionError("page did not finish running in time")


def nav_pages(browser, server) -> list[tuple[str, str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    wait_until_done(page)
    links = page.locator(".st-key-page_nav a")
    found = [
        (links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href")) for i in range(links.count())
    ]
    page.close()
    return found


def test_every_page_renders_without_exception(browser, server):
    pages = nav_pages(browser, server)
    assert len(pages) >= 2, pages
    for title, href in pages:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(href if href.startswith("http") else server + "/" + href.lstrip("/"))
        wait_until_done(page)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, f"{title}: {exceptions.first.inner_text()[:500]}"
        assert page.locator("h1").count() == 1, f"{title}: expected exactly one h1"
        charts = page.locator(
            '[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"], [data-testid="stDeckGlJsonChart"]'
        )
        if charts.count():
            charts.first.scroll_into_view_if_needed()
            page.wait_for_selector(
                '[data-testid="stPlotlyChart"] .main-svg, [data-testid="stVegaLiteChart"] canvas, '
                '[data-testid="stVegaLiteChart"] svg, [data-testid="stDeckGlJsonChart"] canvas',
                timeout=30000,
            )
        assert page.get_by_text("Synthetic demo data", exact=False).count() >= 1, (
            f"{title}: no synthetic label"
        )
        slug = "".join(c if c.isalnum() else "_" for c in title.lower()).strip("_")
        page.screenshot(path=str(SHOTS / f"{slug}.png"), full_page=True)
        assert not errors, f"{title}: browser errors {errors}"
        page.close()


def sidebar_selectbox(page, label: str):
    """The sidebar selectbox labelled `label` (its value is in an <input>, not visible text)."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    )


def selectbox_value(page, label: str) -> str:
    box = sidebar_selectbox(page, label)
    try:
        box.first.wait_for(timeout=20000)
    except PlaywrightTimeout:
        pass
    if box.count() != 1:
        page.screenshot(path=str(SHOTS / "failed_selectbox.png"), full_page=True)
        sidebar = page.locator('[data-testid="stSidebar"]')
        text = sidebar.inner_text()[-600:] if sidebar.count() else "(no sidebar)"
        raise AssertionError(f"no single sidebar selectbox labelled {label!r}; sidebar: {text!r}")
    return box.locator("input").input_value()


def choose(page, label: str, option: str) -> None:
    """Pick `option` in a sidebar selectbox as a user would (the list opens on a click or, when
    the click only focuses the box, on the down arrow)."""
    box = sidebar_selectbox(page, label).locator("input")
    box.click()
    try:
        page.get_by_role("option").first.wait_for(timeout=3000)
    except PlaywrightTimeout:
        box.press("ArrowDown")
    page.get_by_role("option", name=option, exact=True).click()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_filters_live_in_the_url(browser, server):
    """A view can be bookmarked and shared: the URL sets the filters, and changing a filter
    in the browser changes the URL."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/?phase=Secondary&period=Term&term=Spring")
    wait_until_done(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert selectbox_value(page, "Phase") == "Secondary"
    assert selectbox_value(page, "Period") == "Term"
    assert selectbox_value(page, "Term") == "Spring"
    assert page.locator('[data-testid="stMain"]').get_by_text("Spring 20", exact=False).count() >= 1  # header
    choose(page, "Phase", "Primary")
    page.wait_for_url(lambda url: query_of(url).get("phase") == ["Primary"], timeout=30000)
    wait_until_done(page)
    assert selectbox_value(page, "Phase") == "Primary"
    q = query_of(page.url)
    assert q.get("period") == ["Term"] and q.get("term") == ["Spring"], page.url
    # the updated URL, opened afresh (a bookmark), shows the same view
    shared = page.url
    page.close()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(shared)
    wait_until_done(page)
    assert (
        selectbox_value(page, "Phase"),
        selectbox_value(page, "Period"),
        selectbox_value(page, "Term"),
    ) == (
        "Primary",
        "Term",
        "Spring",
    )
    page.close()


def _dialogs_while_loading(page, seconds: float = 8) -> list[str]:
    """Texts of any modal dialog seen while the page loads (Streamlit's "Page not found")."""
    seen: list[str] = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        for d in page.locator('[role="dialog"]').all():
            try:
                seen.append(d.inner_text()[:200])
            except Exception:  # the dialog went away while being read
                pass
        time.sleep(0.2)
    return seen


STAFF = "School+staff+%28headteacher%2C+attendance+lead%29"  # the role's label, as the URL holds it


@pytest.mark.parametrize(
    "path,h1,role",
    [
        ("/?demo_role=Governor", "Governors' view", "Governor"),
        ("/governors?demo_role=Governor", "Governors' view", "Governor"),  # the governor's home, by name
        ("/governors?demo_role=Governor&urn=990001", "Governors' view", "Governor"),
        ("/la_overview", "LA overview", "LA officer"),  # the LA officer's home, by name
        (f"/?demo_role={STAFF}", "School", "School staff"),  # school staff's home
        (f"/school?demo_role={STAFF}", "School", "School staff"),
        ("/?demo_role=School+staff", "School", "School staff"),  # the label's start, as people type it
    ],
)
def test_demo_role_in_the_url_opens_without_page_not_found(browser, server, path, h1, role):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + path)
    seen = _dialogs_while_loading(page)
    wait_until_done(page)
    seen += [d.inner_text()[:200] for d in page.locator('[role="dialog"]').all()]
    assert not seen, f"{path}: dialog {seen}"
    assert [h.inner_text().strip() for h in page.locator("h1").all()] == [h1]
    assert page.locator('[data-testid="stException"]').count() == 0
    banner = page.get_by_text("role sees", exact=False).first.inner_text()
    assert f"what the {role}" in banner, banner  # the role asked for, not the default
    page.close()


@pytest.mark.parametrize(
    "path,h1", [("/schools", "Schools"), ("/neighbourhoods?phase=Primary", "Neighbourhoods")]
)
def test_deep_link_first_on_a_fresh_server(browser, demo_db, path, h1):
    """The very first session of a new server opens a deep link: the page must run inside the
    frame (sign-in or demo role, filters, header), not straight from pages/ (KeyError _context)."""
    with running_dashboard(demo_db) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + path)
        wait_until_done(page)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()[:500]
        assert [h.inner_text().strip() for h in page.locator("h1").all()] == [h1]
        assert urlsplit(page.url).path == urlsplit(url + path).path
        assert selectbox_value(page, "View as (demo)") == "LA officer"  # the frame ran
        assert sidebar_selectbox(page, "Academic year").count() == 1
        assert page.get_by_text("Synthetic demo data", exact=False).count() >= 1
        for key, [value] in query_of(url + path).items():
            assert selectbox_value(page, key.title()) == value
        # the navigation is the frame's (the role's pages), not one link per file in pages/
        links = page.locator(".st-key-page_nav a")
        titles = {links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())}
        assert "LA overview" in titles and "Audit log" not in titles and "dashboard" not in titles, titles
        page.close()


def test_first_paint_shows_no_page_the_visitor_may_not_see(browser, demo_db):
    """On a fresh server, before sign-in (demo mode off), the browser never shows a page's name:
    Streamlit's own sidebar navigation used to list every file of pages/ ('audit log',
    'dashboard', ...) before the frame's sign-in replaced it. Every link drawn from the first
    response until the page settles is recorded."""
    with running_dashboard(demo_db, ATTENDANCE_DEMO_MODE="0") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        seen: set[str] = set()
        page.goto(url + "/audit_log", wait_until="commit")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for text in page.locator("a, [data-testid='stSidebarNavLink']").all_inner_texts():
                seen.add(text.strip())
            if page.get_by_role("heading", name="Sign in").count():
                break
            time.sleep(0.05)
        wait_until_done(page)
        seen.update(t.strip() for t in page.locator("a").all_inner_texts())
        assert page.get_by_role("heading", name="Sign in").count() == 1
        names = {"audit log", "audit_log", "dashboard", "la overview", "schools", "pupil", "Audit log"}
        assert not {s.lower() for s in seen} & {n.lower() for n in names}, seen
        page.close()


@pytest.mark.parametrize(
    "role,titles",
    [
        ("LA officer", {"LA overview", "Neighbourhoods", "Pupil", "Accessibility statement"}),
        ("School staff (headteacher, attendance lead)", {"School", "Targeting Support Meeting"}),
        ("Governor", {"Governors' view", "Accessibility statement"}),
        ("Administrator", {"Audit log", "Accessibility statement"}),
    ],
)
def test_axe_finds_no_wcag_aa_violation(browser, server, role, titles):
    """axe-core (WCAG 2.0-2.2 A and AA rules) on every page the role's sidebar offers (`titles`
    among them), opened from the sidebar as a user does, once each page has finished drawing."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/?demo_role={role}")
    wait_until_done(page)
    links = page.locator(".st-key-page_nav a")
    offered = [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]
    assert titles <= set(offered), offered
    found, sectioned = {}, set()
    for i, title in enumerate(offered):
        page.locator(".st-key-page_nav a").nth(i).click()  # by place: "School" is in "Schools"
        wait_until_done(page)
        page.wait_for_timeout(1000)
        # a page in section tabs (ui.section_tabs) draws only the open one: each is checked
        sections = (
            page.locator(".st-key-school_section, .st-key-meeting_section")
            .locator("[role=tablist]")
            .first.locator("[role=tab]")
        )
        if sections.count():
            sectioned.add(title)
        for j in range(max(1, sections.count())):
            name = title
            if sections.count():
                name = f"{title}: {sections.nth(j).inner_text().strip()}"
                sections.nth(j).click()
                wait_until_done(page)
                page.wait_for_timeout(500)
            result = axe.run(
                page,
                options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}},
            )
            violations = result.response["violations"]
            if violations:
                found[name] = [(v["id"], v["impact"], v["nodes"][0]["html"][:120]) for v in violations]
    page.close()
    assert not found, found
    if role.startswith("School staff"):  # their one school is chosen: both pages in tabs, each checked
        assert sectioned == {"School", "Targeting Support Meeting"}, sectioned


def test_governors_view_prints_on_a4_with_charts_whole(browser, server):
    """Printed from the browser (print media, A4), the Governors' view has no sidebar and no
    chart taller than a page, and no chart is cut by a page break."""
    from pypdf import PdfReader

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/governors?demo_role=Governor")
    wait_until_done(page)
    page.emulate_media(media="print")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    a4_css_px = 297 / 25.4 * 96 - 2 * 14 / 25.4 * 96  # printable height at 14 mm margins
    charts = page.locator('[data-testid="stVegaLiteChart"], [data-testid="stPlotlyChart"]')
    assert charts.count() >= 2
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        if box:
            assert box["height"] < a4_css_px, box
    pdf = page.pdf(format="A4", print_background=True)
    pages = PdfReader(__import__("io").BytesIO(pdf)).pages
    assert 1 <= len(pages) <= 6
    text = " ".join(p.extract_text() for p in pages)
    assert "The school against the LA and England" in text and "Year groups" in text
    page.close()


def test_keyboard_focus_is_visible_and_charts_add_no_tab_stops(browser, server):
    """The app's stylesheet (ui.APP_CSS): whatever has keyboard focus carries a 3px near-black
    outline (GOV.UK's focus style, 3:1 and more against white); no Plotly toolbar, so a Plotly
    chart adds no Tab stop, and a Vega-Lite chart two (its PNG download and full screen)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/schools")
    wait_until_done(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30000)
    assert page.locator('[data-testid="stPlotlyChart"] .modebar-btn:visible').count() == 0
    focusable_in_charts = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] a, '
            + '[data-testid="stPlotlyChart"] button, [data-testid="stPlotlyChart"] [tabindex]')]
            .filter(e => e.offsetParent !== null && e.tabIndex >= 0).length"""
    )
    assert focusable_in_charts == 0
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        style = page.evaluate(
            """() => { const e = document.activeElement; if (!e || e === document.body) return null;
                const s = getComputedStyle(e);
                return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"""
        )
        if style:
            seen.append(style)
    assert seen, "nothing took keyboard focus"
    for _tag, outline, width, colour in seen:
        assert outline == "solid" and width >= 3 and colour == "rgb(11, 12, 12)", seen
    # a Vega-Lite chart (the overview's) keeps Streamlit's "Download as PNG" and "Fullscreen" only
    page.goto(server + "/la_overview")
    wait_until_done(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
    buttons = page.evaluate(
        """() => [...document.querySelector('[data-testid="stVegaLiteChart"]')
            .closest('[data-testid="stElementContainer"]').querySelectorAll('button')]
            .filter(b => getComputedStyle(b).display !== 'none')
            .map(b => b.getAttribute('aria-label').split(':')[0])"""
    )
    assert sorted(buttons) == ["Download as PNG", "Fullscreen"], buttons
    page.close()


def test_collapsed_sidebar_takes_no_tab_stop(browser, server):
    """At 200% zoom or on a narrow screen the sidebar starts collapsed: Tab goes from the skip
    link to the button that opens it and on into the page, not through hidden links; opened,
    its links are there again."""
    page = browser.new_page(viewport={"width": 640, "height": 900})
    page.goto(server + "/technical_notes")
    wait_until_done(page)
    in_sidebar = []
    for _ in range(15):
        page.keyboard.press("Tab")
        in_sidebar.append(page.evaluate("() => !!document.activeElement.closest('[data-testid=stSidebar]')"))
    assert not any(in_sidebar)
    page.locator(
        '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
    ).first.click()
    page.wait_for_timeout(1000)
    assert page.locator('[data-testid="stSidebar"] a').first.is_visible()
    page.close()


def test_every_request_stays_on_the_dashboards_server(browser, server):
    """Children's data never shares a page with a third party: the browser asks nothing of any
    other host (no map tiles or map style from Carto, no favicon from Google's font server), on
    the overview and on both maps."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((server, "data:", "blob:")) else elsewhere.append(r.url),
    )
    for path in ("/", "/neighbourhoods", "/benchmarking"):
        page.goto(server + path + "?demo_role=LA+officer")
        wait_until_done(page)
        page.wait_for_selector(
            '[data-testid="stDeckGlJsonChart"] canvas, [data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"]'
        )
    page.wait_for_timeout(1500)  # a map's style and tiles are asked for after it is drawn
    page.close()
    assert not elsewhere, elsewhere


def test_headline_figures_are_whole_at_320_px(browser, server):
    """WCAG 1.4.10 at 320 CSS px (400% zoom): one card to a row, each figure on one line (two
    to a row broke the demo LA's 'School days lost', 454,120, into '454,12' and '0')."""
    page = browser.new_page(viewport={"width": 320, "height": 700})
    page.goto(server + "/?demo_role=LA+officer")
    wait_until_done(page)
    broken = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMetricValue]')]
        .filter(e => e.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(e).fontSize))
        .map(e => e.textContent.trim())"""
    )
    assert page.locator("[data-testid=stMetricValue]").count() >= 8
    assert not broken, broken
    # one to a row, so that a figure of 7 or more digits fits whatever the LA's size
    narrow = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMetric]')]
        .map(e => e.getBoundingClientRect().width).filter(w => w < 250)"""
    )
    assert not narrow, narrow
    page.close()


def test_headline_figures_are_whole_at_200_percent_zoom(browser, server):
    """WCAG 1.4.10: at 200% zoom (a 1400 px window is 700 CSS px) the headline cards wrap two to
    a row and their labels and changes wrap; nothing in a card is cut to an ellipsis."""
    page = browser.new_page(viewport={"width": 700, "height": 500}, device_scale_factor=2)
    page.goto(server + "/?demo_role=LA+officer")
    wait_until_done(page)
    cut = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMetric] *')]
        .filter(e => e.textContent.trim() && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.trim())"""
    )
    assert page.locator("[data-testid=stMetric]").count() >= 8
    assert not cut, cut
    page.close()
