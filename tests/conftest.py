"""Shared fixtures: warehouses built by the project's own pipeline into temp folders."""

from __future__ import annotations

import csv
import datetime as dt
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
