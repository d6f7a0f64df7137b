"""Real browser tests: Playwright drives Debian's Chromium over the running dashboard.

Each page listed in the navigation is opened on the demo LA; the test waits for
the page to finish running, fails on any Streamlit exception box, checks that
charts and maps drew, and saves a screenshot to tests/screenshots/ (look at them).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

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


@pytest.fixture(scope="session")
def server(demo_db):
    port = _free_port()
    env = {**os.environ, "ATTENDANCE_DB": str(demo_db), "ATTENDANCE_DEMO_MODE": "1"}
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
    proc.terminate()
    proc.wait(timeout=10)


# The `browser` fixture is in conftest.py: one Playwright per test session, shared by test_browser_*.


def wait_until_done(page, timeout_s: float = 60) -> None:
    """Streamlit shows a running indicator while the script runs; wait for it to settle."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    deadline = time.time() + timeout_s
    quiet_since = None
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
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
    links = page.locator('[data-testid="stSidebarNav"] a')
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
        charts = page.locator('[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]')
        if charts.count():
            charts.first.scroll_into_view_if_needed()
            page.wait_for_selector(
                '[data-testid="stPlotlyChart"] .main-svg, [data-testid="stDeckGlJsonChart"] canvas',
                timeout=30000,
            )
        assert page.get_by_text("Synthetic demo data", exact=False).count() >= 1, (
            f"{title}: no synthetic label"
        )
        slug = "".join(c if c.isalnum() else "_" for c in title.lower()).strip("_")
        page.screenshot(path=str(SHOTS / f"{slug}.png"), full_page=True)
        assert not errors, f"{title}: browser errors {errors}"
        page.close()


def test_filters_live_in_the_url(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/?phase=Secondary")
    wait_until_done(page)
    assert "Secondary" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.close()
