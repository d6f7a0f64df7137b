"""Browser tier, access: sign in as each demo role with the local demo accounts (demo mode
off) in Debian's Chromium and check what each role is offered and shown. Screenshots go
to tests/screenshots/roles_*.png."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT
from test_browser_pages import CHROMIUM, SHOTS, _free_port, wait_until_done

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed")

ACCOUNTS = {
    "la_officer": ("la.officer@demo.invalid", "demo-la-officer"),
    "school_staff": ("head.990001@demo.invalid", "demo-headteacher"),
    "governor": ("governor.990001@demo.invalid", "demo-governor"),
    "admin": ("admin@demo.invalid", "demo-administrator"),
}
OFFERED = {  # nav link texts that must be there / must not
    "la_officer": ({"LA overview", "Schools", "Pupil"}, {"Audit log"}),
    "school_staff": ({"School", "Pupil"}, {"LA overview", "Schools", "Audit log"}),
    "governor": (
        {"Governors' view", "Technical notes"},
        {"LA overview", "Schools", "School", "Pupil", "Audit log"},
    ),
    "admin": ({"Audit log", "LA overview"}, {"Pupil", "School"}),
}


@pytest.fixture(scope="module")
def signin_server(demo_db, tmp_path_factory):
    """The dashboard with sign-in required (no demo mode), the demo accounts as its users."""
    port = _free_port()
    env = {
        **os.environ,
        "ATTENDANCE_DB": str(demo_db),
        "ATTENDANCE_USERS": str(ROOT / "data" / "demo_users.json"),
    }
    env.pop("ATTENDANCE_DEMO_MODE", None)
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


def _nav(page) -> set[str]:
    links = page.locator(".st-key-page_nav a")
    # a link's text is its material icon's ligature name, then the title on its own line
    return {links.nth(i).inner_text().strip().splitlines()[-1].strip() for i in range(links.count())}


def test_sign_in_page_shows_no_data(browser, signin_server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(signin_server + "/?year=2025&demo_role=LA+officer")
    wait_until_done(page)
    assert page.locator("h1").inner_text().strip() == "Sign in"
    assert (
        page.locator(
            '[data-testid="stMetric"], [data-testid="stDataFrame"], [data-testid="stPlotlyChart"], '
            '[data-testid="stVegaLiteChart"]'
        ).count()
        == 0
    )
    assert not _nav(page)
    page.screenshot(path=str(SHOTS / "roles_sign_in.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_each_demo_role_signs_in_and_sees_its_pages(browser, signin_server, role):
    email, password = ACCOUNTS[role]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(signin_server)
    wait_until_done(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".st-key-page_nav", timeout=60000)
    wait_until_done(page)
    nav = _nav(page)
    must, never = OFFERED[role]
    assert must <= nav, (role, nav)
    assert not nav & never, (role, nav & never)
    assert (
        email.split("@")[0] in page.locator('[data-testid="stSidebar"]').inner_text().lower()
        or "Signed in as" in page.locator('[data-testid="stSidebar"]').inner_text()
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / f"roles_{role}.png"), full_page=True)
    if role == "governor":  # the governors' page: aggregates, no pupil references anywhere
        page.get_by_role("link", name="Governors' view").click()
        wait_until_done(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "P-" not in page.locator("section.main, [data-testid='stMain']").first.inner_text()
        page.screenshot(path=str(SHOTS / "roles_governor_view.png"), full_page=True)
    if role == "admin":
        page.get_by_role("link", name="Audit log").click()
        wait_until_done(page)
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1
        page.screenshot(path=str(SHOTS / "roles_admin_audit_log.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("h1:has-text('Sign in')", timeout=30000)
    assert not errors, errors
    page.close()
