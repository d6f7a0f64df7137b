"""Shared fixtures: warehouses built by the project's own pipeline into temp folders."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def school_days(first: dt.date, n: int) -> list[dt.date]:
    """n weekdays from `first` on."""
    days, d = [], first
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def dashboard_app(default_timeout: float = 120):
    """An AppTest of the dashboard, run as a server runs it.

    With `pages/` beside dashboard.py, Streamlit runs a new process's first script run the old
    folder-discovery way (a deep link runs pages/<x>.py straight; ui.context.context() then
    switches that off and reruns through the frame), and AppTest resets that switch on every
    run. So the AppTest's main script is a launcher outside the repository that runs
    dashboard.py's `run()`: every run goes through the frame as a server's runs do after its
    first (that one is tested in a real browser: test_browser_pages). `switch_page` takes
    the page's path in the repository, as before ("pages/school.py").
    """
    from streamlit.testing.v1 import AppTest

    class DashboardTest(AppTest):
        def switch_page(self, page_path: str) -> AppTest:
            return super().switch_page(str(ROOT / page_path))

        def open_tab(self, label: str, key: str) -> AppTest:
            """Open one of a page's section tabs (ui.section_tabs) as a click on it does: only
            the open tab is drawn."""
            assert label in [t.label for t in self.tabs], [t.label for t in self.tabs]
            self.session_state[key] = label
            return self.run()

    return DashboardTest(str(_launcher()), default_timeout=default_timeout)


@functools.cache
def _launcher() -> Path:
    path = Path(tempfile.mkdtemp(prefix="dashboard_app_")) / "launcher.py"
    path.write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'dashboard.py')!r})['run']()\n")
    return path


@pytest.fixture(scope="session", autouse=True)
def app_store(tmp_path_factory) -> Path:
    """The dashboard's writable store (audit log, settings) in a temp folder, never data/."""
    import os

    path = tmp_path_factory.mktemp("app_store") / "app_store.sqlite"
    os.environ["ATTENDANCE_APP_STORE"] = str(path)
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A small synthetic demo LA built through the real ingest path."""
    from data_pipeline.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "attendance.duckdb"
    build_demo(path, seed=7, pupils=3000, progress=False)
    return path


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright, one for the whole session (test_browser_*)."""
    from playwright.sync_api import sync_playwright
    from test_browser_pages import CHROMIUM, LAUNCH_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()
