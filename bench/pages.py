"""Benchmark: how long a user waits for each page, clicking through the sidebar in Chromium.

A new `streamlit run dashboard.py` (demo mode, LA officer) on the given warehouse, driven by
Playwright with Debian's Chromium. Times, each from the user's action until the browser stops
changing (the script has finished and nothing in the page has changed for `--settle` seconds,
measured to the last change):
- first open: the dashboard's address typed into a new browser, on a server that has just
  started (no query cached);
- cold: each page reached by a click on its sidebar link, the first time it is visited;
- warm: the same click again, after every page has been visited once (the median of
  `--repeats` rounds).

    .venv/bin/python bench/pages.py --db data/demo.duckdb --label "demo LA" [--write-doc]

The warehouse must be a synthetic one (demo mode refuses real data). The server's log is
checked for tracebacks. With --write-doc the figures replace this label's section of
docs/PERFORMANCE.md ("Pages in the browser: <label>").
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIM_WARM_S = {"demo LA": 1.0, "largest LA": 2.0}
AIM_FIRST_S = 3.0
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]

# Every change to the page's DOM stamps the time; a page is drawn when the stamps stop. Not
# counted: the maps' base map (Mapbox's own elements under .mapboxgl-map). The dashboard's maps
# give it a blank white style (ui.maps.deck), drawn behind the layers' own canvas, and Mapbox
# resizes that blank canvas about 2 s after the layers are drawn, which changes no pixel.
WATCH_CHANGES = """
window.__lastChange = performance.now();
new MutationObserver((records) => {
  if (records.some((r) => !(r.target.closest && r.target.closest('.mapboxgl-map'))))
    window.__lastChange = performance.now();
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


@contextlib.contextmanager
def server(db: Path, log: Path, app_store: Path, warm: bool = True):
    """The dashboard on a free port: started as scripts/demo.sh and the Docker image start it
    (scripts/serve.py: ready once its first page has run), or, with warm=False, by a bare
    `streamlit run` (nothing run before the first visitor)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "ATTENDANCE_DB": str(db),
        "ATTENDANCE_DEMO_MODE": "1",
        "ATTENDANCE_APP_STORE": str(app_store),
    }
    cmd = (
        [sys.executable, "scripts/serve.py"]
        if warm
        else [sys.executable, "-m", "streamlit", "run", "dashboard.py"]
    )
    cmd += ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--browser.gatherUsageStats", "false"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(480):
                try:
                    up = urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200
                except OSError:
                    up = False
                if up and (not warm or "is ready" in log.read_text()):
                    break
                time.sleep(0.25)
            else:
                raise RuntimeError("streamlit did not start: " + log.read_text()[-2000:])
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def settled(page, since_ms: float, settle: float, timeout: float = 300.0) -> float:
    """Seconds from `since_ms` (the page's clock) to the last change, once the script has
    stopped and nothing has changed for `settle` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now, last, running = page.evaluate(
            "() => [performance.now(), window.__lastChange,"
            " !!document.querySelector('[data-testid=\"stStatusWidget\"]')"
            " || document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
            " === 'running']"
        )
        if not running and last > since_ms and now - last >= settle * 1000:
            return (last - since_ms) / 1000
        time.sleep(0.05)
    raise TimeoutError("the page kept changing")


def bench_school(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    urn = con.execute(
        "select urn from schools order by phase = 'Secondary' desc, number_of_pupils desc nulls last, urn limit 1"
    ).fetchall()[0][0]
    con.close()
    return int(urn)


def first_open(browser, url: str, settle: float) -> float:
    """A new browser page typing the dashboard's address: seconds until it stops changing."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(WATCH_CHANGES)
    page.goto(f"{url}/?demo_role=LA+officer")
    page.wait_for_selector("h1", timeout=300000)
    took = settled(page, 0.0, settle)  # the page's clock starts at navigation
    page.close()
    return took


def sidebar_links(page) -> list[str]:
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    return [t.split("\n")[-1].strip() for t in links.all_inner_texts()]  # after the icon's name


def click_page(page, title: str, settle: float) -> float:
    exact = page.get_by_text(re.compile(f"^{re.escape(title)}$"))  # "School", not "Schools"
    link = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]', has=exact).first
    since = page.evaluate("() => performance.now()")
    link.click()
    took = settled(page, since, settle)
    heading = page.locator("h1").first.inner_text()
    if not heading.strip():
        raise RuntimeError(f"{title}: no heading")
    return took


def run(
    db: Path, repeats: int, settle: float, shots: Path | None = None, only: list[str] | None = None
) -> dict:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    log = tmp / "server.log"
    store = db.with_name(db.stem + "_app_store.sqlite")
    if not store.exists():
        store = tmp / "app_store.sqlite"
    out: dict = {"cold": {}, "warm": {}}
    with server(db, tmp / "bare.log", store, warm=False) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        out["first_open_bare"] = first_open(browser, url, settle)
        print(f"first open, bare `streamlit run`: {out['first_open_bare']:.2f} s", flush=True)
        browser.close()
    with server(db, log, store) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        out["first_open"] = first_open(browser, url, settle)
        print(f"first open, scripts/serve.py: {out['first_open']:.2f} s", flush=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(WATCH_CHANGES)
        # the school pages show a chosen school (the largest secondary), as in a meeting: chosen
        # once on its page, then carried by the sidebar's links
        page.goto(f"{url}/school?demo_role=LA+officer&urn={bench_school(db)}")
        settled(page, 0.0, settle)
        titles = sidebar_links(page)
        if only:  # a few pages while working on them; the first stays, to click away from
            titles = titles[:1] + [t for t in titles[1:] if t in only]
        out["pages"] = titles
        for title in titles[1:] + titles[:1]:
            out["cold"][title] = click_page(page, title, settle)
            print(f"  cold {title}: {out['cold'][title]:.2f} s", flush=True)
        rounds: dict[str, list[float]] = {t: [] for t in titles}
        for _ in range(repeats):
            for title in titles[1:] + titles[:1]:
                rounds[title].append(click_page(page, title, settle))
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            for title in titles:
                click_page(page, title, settle)
                name = "".join(c if c.isalnum() else "_" for c in title)
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        for title, times in rounds.items():
            out["warm"][title] = statistics.median(times)
            print(
                f"  warm {title}: {out['warm'][title]:.2f} s ({', '.join(f'{x:.2f}' for x in times)})",
                flush=True,
            )
        browser.close()
    text = log.read_text()
    out["tracebacks"] = text.count("Traceback")
    if out["tracebacks"]:
        print(text[-4000:])
    return out


def synthetic_copy(db: Path) -> Path:
    """A copy of a bench-generated warehouse (bench/incremental.py's, loaded by plain `ingest`)
    marked as the synthetic data it is, so that demo mode (no sign-in) will open it."""
    import shutil

    import duckdb

    out = Path(tempfile.mkdtemp(prefix="bench_pages_db_")) / db.name
    shutil.copyfile(db, out)
    con = duckdb.connect(str(out))
    ids = ",".join(str(r[0]) for r in con.execute("select file_id from load_files").fetchall())
    con.execute("delete from meta where key in ('synthetic', 'demo_file_ids')")
    con.execute("insert into meta values ('synthetic', 'true'), ('demo_file_ids', ?)", [ids])
    # the largest LA's own published figures to compare with: Birmingham's
    con.execute(
        "insert into meta select * from (values ('la_code', 'E08000025'), ('la_name', 'Largest LA (synthetic)')) v "
        "where v.col0 not in (select key from meta)"
    )
    con.close()
    return out


def write_doc(label: str, db: Path, res: dict, settle: float) -> None:
    import duckdb

    doc = ROOT / "docs" / "PERFORMANCE.md"
    text = doc.read_text()
    marker = f"\n## Pages in the browser: {label}\n"
    if marker in text:  # replace this label's section, keep the others
        start = text.index(marker)
        nxt = text.find("\n## ", start + len(marker))
        text = text[:start] + (text[nxt:] if nxt != -1 else "")
    con = duckdb.connect(str(db), read_only=True)
    marks, pupils = con.execute(
        "select (select count(*) from marks), (select count(distinct pupil_id) from pupil_year)"
    ).fetchall()[0]
    con.close()
    aim = AIM_WARM_S.get(label, 1.0)
    warm_ok = all(v < aim for v in res["warm"].values())
    lines = [
        marker.strip("\n"),
        "",
        f"{dt.date.today():%d %B %Y}, {os.cpu_count()} cores, `bench/pages.py`; warehouse `{db.name}`: "
        f"{marks:,} marks, {pupils:,} pupils. The LA officer in demo mode, whole LA, year to date, "
        "Chromium 1400x1000. Each time runs from the user's action (typing the address, clicking "
        "the page's sidebar link) to the last change in the page, once the script has finished "
        f"and nothing has changed for {settle:.1f} s. School, Pupil, Governors' view and the meeting "
        f"show school {bench_school(db)} (the largest secondary), chosen once on the School page.",
        "",
        f"First open, the server started as `scripts/demo.sh` and the Docker image start it "
        f"(`scripts/serve.py`: it runs the first page once before printing the address): "
        f"**{res['first_open']:.2f} s** (aim < {AIM_FIRST_S:.0f} s: "
        f"{'pass' if res['first_open'] < AIM_FIRST_S else 'miss'}). The same on a bare `streamlit run` "
        f"(the first visitor pays for the imports and the first page's queries): {res['first_open_bare']:.2f} s.",
        "",
        f"| page | cold: first visit (s) | warm: again (s, median) | warm under {aim:.0f} s |",
        "|---|---|---|---|",
    ]
    for title in res["pages"]:
        w = res["warm"][title]
        lines.append(f"| {title} | {res['cold'][title]:.2f} | {w:.2f} | {'yes' if w < aim else '**no**'} |")
    lines += [
        "",
        f"Every page warm under {aim:.0f} s: **{'pass' if warm_ok else 'miss'}**. "
        f"Tracebacks in the server's log: {res['tracebacks']}.",
    ]
    doc.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--settle", type=float, default=0.5)
    ap.add_argument("--write-doc", action="store_true")
    ap.add_argument("--screenshots", type=Path, help="a screenshot of each page, warm, into this folder")
    ap.add_argument("--mark-synthetic", action="store_true", help="open a copy marked synthetic (bench data)")
    ap.add_argument("--only", nargs="+", help="time these pages only (not with --write-doc)")
    args = ap.parse_args()
    if args.only and args.write_doc:
        ap.error("--write-doc needs every page")
    db = synthetic_copy(args.db.resolve()) if args.mark_synthetic else args.db.resolve()
    res = run(db, args.repeats, args.settle, args.screenshots, args.only)
    if args.write_doc:
        write_doc(args.label, db, res, args.settle)


if __name__ == "__main__":
    main()
