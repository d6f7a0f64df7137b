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
def server(db: Path, log: Path, app_store: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "ATTENDANCE_DB": str(db),
        "ATTENDANCE_DEMO_MODE": "1",
        "ATTENDANCE_APP_STORE": str(app_store),
    }
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true"]
    cmd += [
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200:
                        break
                except OSError:
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
            " !!document.querySelector('[data-testid=\"stStatusWidget\"]')]"
        )
        if not running and last > since_ms and now - last >= settle * 1000:
            return (last - since_ms) / 1000
        time.sleep(0.05)
    raise TimeoutError("the page kept changing")


def sidebar_links(page) -> list[str]:
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    return [t.split("\n")[-1].strip() for t in links.all_inner_texts()]  # after the icon's name


def click_page(page, title: str, settle: float) -> float:
    link = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]', has_text=title).first
    since = page.evaluate("() => performance.now()")
    link.click()
    took = settled(page, since, settle)
    heading = page.locator("h1").first.inner_text()
    if not heading.strip():
        raise RuntimeError(f"{title}: no heading")
    return took


def run(db: Path, repeats: int, settle: float) -> dict:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    log = tmp / "server.log"
    store = db.with_name(db.stem + "_app_store.sqlite")
    if not store.exists():
        store = tmp / "app_store.sqlite"
    out: dict = {"cold": {}, "warm": {}}
    with server(db, log, store) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(WATCH_CHANGES)
        t = time.perf_counter()
        page.goto(f"{url}/?demo_role=LA+officer")
        page.wait_for_selector("h1", timeout=300000)
        out["first_open"] = settled(page, 0.0, settle)  # the page's clock starts at navigation
        out["first_open_wall"] = time.perf_counter() - t
        print(f"first open: {out['first_open']:.2f} s", flush=True)
        titles = sidebar_links(page)
        out["pages"] = titles
        for title in titles[1:] + titles[:1]:
            out["cold"][title] = click_page(page, title, settle)
            print(f"  cold {title}: {out['cold'][title]:.2f} s", flush=True)
        rounds: dict[str, list[float]] = {t: [] for t in titles}
        for _ in range(repeats):
            for title in titles[1:] + titles[:1]:
                rounds[title].append(click_page(page, title, settle))
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
        f"and nothing has changed for {settle:.1f} s.",
        "",
        f"First open (a server just started, nothing cached): **{res['first_open']:.2f} s** "
        f"(aim < {AIM_FIRST_S:.0f} s: {'pass' if res['first_open'] < AIM_FIRST_S else 'miss'}).",
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
    args = ap.parse_args()
    res = run(args.db.resolve(), args.repeats, args.settle)
    if args.write_doc:
        write_doc(args.label, args.db.resolve(), res, args.settle)


if __name__ == "__main__":
    main()
