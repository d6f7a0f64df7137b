"""Benchmark: how long each dashboard page takes to render, on a given warehouse.

Two measures per page, as an LA officer in demo mode:
- the page's script run in Streamlit's AppTest, cold (first run on a fresh
  process's caches) and warm (median of the next runs);
- in a real browser (Playwright driving Debian's Chromium), the time from
  navigation until the page has finished running and its charts have drawn,
  warm (after one visit).

    python bench/pages.py --db data/attendance.duckdb --label "demo LA" [--write-doc]

The warehouse must be a synthetic one (demo mode refuses real data).
Figures are appended to docs/PERFORMANCE.md under "Page render times".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PAGES = [
    ("pages/la_overview.py", "la_overview"),
    ("pages/benchmarking.py", "benchmarking"),
    ("pages/cohorts.py", "cohorts"),
    ("pages/neighbourhoods.py", "neighbourhoods"),
    ("pages/schools.py", "schools"),
    ("pages/school.py", "school"),
    ("pages/governors.py", "governors"),
    ("pages/meeting.py", "meeting"),
    ("pages/support_impact.py", "support_impact"),
    ("pages/technical_notes.py", "technical_notes"),
]


def first_urn(db: Path) -> int:
    """The school pages (School, Governors, Meeting) show the LA's first school."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    urn = con.execute("select min(urn) from schools").fetchall()[0][0]
    con.close()
    return int(urn)


def apptest_times(db: Path, repeats: int) -> dict[str, tuple[float, float]]:
    from conftest import dashboard_app

    os.environ["ATTENDANCE_DB"] = str(db)
    os.environ["ATTENDANCE_DEMO_MODE"] = "1"
    out = {}
    for path, _ in PAGES:
        at = dashboard_app(600)
        at.query_params["demo_role"] = "LA officer"
        at.query_params["urn"] = str(first_urn(db))
        at.run()
        at.switch_page(path)
        t = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(f"{path}: {at.exception[0].value}")
        warm = []
        for _ in range(repeats):
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        out[path] = (cold, statistics.median(warm))
        print(f"  AppTest {path}: cold {cold:.2f} s, warm {statistics.median(warm):.3f} s", flush=True)
    return out


def browser_times(db: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright
    from test_browser_pages import LAUNCH_ARGS, running_dashboard

    out = {}
    with running_dashboard(db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path, slug in PAGES:
            target = f"{url}/{slug}?demo_role=LA+officer&urn={first_urn(db)}"
            for _attempt in ("warm-up", "timed"):
                t = time.perf_counter()
                page.goto(target)
                elapsed = _until_drawn(page, t)
            out[path] = elapsed
            print(f"  browser {path}: {elapsed:.2f} s", flush=True)
        browser.close()
    return out


def _until_drawn(page, started: float, settle: float = 0.5) -> float:
    """Seconds from `started` until the script stopped running and the charts drew."""
    page.wait_for_selector("h1", timeout=300000)
    last_busy = time.perf_counter()
    while time.perf_counter() - last_busy < settle:
        if page.locator('[data-testid="stStatusWidget"]').count():
            last_busy = time.perf_counter()
        time.sleep(0.05)
    charts = page.locator('[data-testid="stPlotlyChart"] .main-svg, [data-testid="stDeckGlJsonChart"] canvas')
    if page.locator('[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]').count():
        charts.first.wait_for(timeout=120000)
    return max(last_busy, time.perf_counter() - settle) - started


def write_doc(label: str, db: Path, apptest: dict, browser: dict) -> None:
    doc = ROOT / "docs" / "PERFORMANCE.md"
    text = doc.read_text() if doc.exists() else "# Performance\n"
    marker = f"\n## Page render times: {label}\n"
    if marker in text:  # replace this label's section, keep the others
        start = text.index(marker)
        nxt = text.find("\n## ", start + len(marker))
        text = text[:start] + (text[nxt:] if nxt != -1 else "")
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    marks, pupils = con.execute(
        "select (select count(*) from marks), (select count(distinct pupil_id) from pupil_year)"
    ).fetchall()[0]
    con.close()
    lines = [
        marker.strip("\n"),
        "",
        f"{dt.date.today():%d %B %Y}, {os.cpu_count()} cores; warehouse `{db.name}` with "
        f"{marks:,} marks and {pupils:,} pupils. LA officer's view, whole LA, year to date. "
        "Aim: every page under 1 s warm.",
        "",
        "| page | AppTest cold (s) | AppTest warm (s) | browser: full page load to charts drawn (s) | script under 1 s warm |",
        "|---|---|---|---|---|",
    ]
    for path, _ in PAGES:
        cold, warm = apptest.get(path, (float("nan"), float("nan")))
        b = browser.get(path, float("nan"))
        ok = "yes" if warm < 1 else "no"
        lines.append(f"| {path} | {cold:.2f} | {warm:.3f} | {b:.2f} | {ok} |")
    lines.append("")
    lines.append(
        "Warm AppTest = the script's run with results cached (what a user waits for on a "
        "filter change that has been seen before); cold = the page's first run in the "
        "process (the frame's own queries, and the default page, ran just before it). "
    )
    lines.append(
        "Browser = a fresh page load in a new browser session (Streamlit's front end "
        "loads, connects and runs the page; server caches warm) until the last chart "
        "or map has drawn."
    )
    doc.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--write-doc", action="store_true")
    args = ap.parse_args()
    print(f"AppTest on {args.db} ...", flush=True)
    apptest = apptest_times(args.db.resolve(), args.repeats)
    browser = {} if args.no_browser else browser_times(args.db.resolve())
    if args.write_doc:
        write_doc(args.label, args.db.resolve(), apptest, browser)


if __name__ == "__main__":
    main()
