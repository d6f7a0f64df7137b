"""Loads that run themselves: `python -m data_pipeline watch DIR [--once]`.

Each file that lands in DIR/inbox (or DIR itself when it has no inbox folder) is loaded once,
through the ordinary ingest path (load.ingest_files: a copy of the warehouse swapped in under
the load lock, so the dashboard keeps reading the old file meanwhile), then moved with a JSON
report beside it:

- done/<stamp>-<name>: loaded (the report gives rows read, loaded and quarantined), or skipped
  because the same bytes (the same content hash) were loaded before;
- failed/<stamp>-<name>: the load failed (the warehouse is byte-for-byte as it was) or the file
  was unusable (no row of it loaded; `ingest` records the rejection in the warehouse's list of
  files, as it does for any rejected file, and its rows in the quarantine). The report says why.

Every outcome is also written to the app store (table `load_runs`, auth.store), where the
administrators' page lists failed loads. Files are taken one at a time, in dependency order
(schools, pupils, DfE pupil file, marks, grids), so one bad file never holds back the others.
A file is taken only once it has not changed for `settle` seconds (one still being copied in
is left for the next pass), and hidden or partial files (`.name`, `*.part`, `*.tmp`) never. A
lock file in DIR keeps two watchers (an overlapping cron run) from taking the same file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import shutil
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from . import ingest, warehouse
from .load import Options, _kind_guess, ingest_files

IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".json")
RUNS_SCHEMA = """
create table if not exists load_runs (
    id integer primary key autoincrement,
    at text not null,              -- UTC, ISO 8601
    file_name text not null,
    content_hash text,             -- ingest.scan's XXH3-128 of the file's bytes
    status text not null,          -- loaded | skipped | failed
    message text not null default '',
    rows_read integer, rows_loaded integer, rows_quarantined integer,
    moved_to text,                 -- where the file now is (with its report beside it)
    warehouse text
);
create index if not exists load_runs_at on load_runs (status, at);
"""


@dataclass
class Outcome:
    file_name: str
    status: str  # loaded | skipped | failed | waiting
    message: str = ""
    moved_to: str = ""
    report: dict = field(default_factory=dict)


class WatcherBusy(RuntimeError):
    """Another watcher is working on this folder."""


def folders(root: Path) -> tuple[Path, Path, Path]:
    """(inbox, done, failed): DIR/inbox if it exists, else DIR itself."""
    root = Path(root)
    inbox = root / "inbox" if (root / "inbox").is_dir() else root
    return inbox, root / "done", root / "failed"


def waiting_files(inbox: Path, settle: float = 10.0, now: float | None = None) -> list[Path]:
    """Files ready to load, in load order: regular, not hidden or partial, unchanged for
    `settle` seconds."""
    now = time.time() if now is None else now
    out = []
    for p in sorted(inbox.iterdir()):
        if not p.is_file() or p.name.startswith(".") or p.name.lower().endswith(IGNORED_SUFFIXES):
            continue
        if now - p.stat().st_mtime < settle:
            continue
        out.append(p)
    return sorted(out, key=lambda p: (ingest.LOAD_ORDER.index(_kind_guess(p, None)), p.name))


@contextlib.contextmanager
def _watch_lock(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    fh = open(root / ".watch.lock", "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WatcherBusy(f"another watcher is working on {root}") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def run_once(
    root: Path | str,
    db_path: Path | str,
    settle: float = 10.0,
    options: Options | None = None,
    log=print,
) -> list[Outcome]:
    """One pass: load every file waiting in the inbox, move each to done/ or failed/."""
    root, db_path = Path(root), Path(db_path)
    inbox, done, failed = folders(root)
    outcomes = []
    with _watch_lock(root):
        for path in waiting_files(inbox, settle):
            outcome = load_file(path, db_path, done, failed, options)
            outcomes.append(outcome)
            log(
                f"{outcome.file_name}: {outcome.status}"
                + (f" ({outcome.message})" if outcome.message else "")
            )
    return outcomes


def load_file(path: Path, db_path: Path, done: Path, failed: Path, options: Options | None = None) -> Outcome:
    """Load one file through the ordinary ingest path; move it and write its report."""
    started = dt.datetime.now(dt.UTC)
    report = {
        "file": path.name,
        "received": dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds"),
        "started": started.isoformat(timespec="seconds"),
        "warehouse": str(db_path),
    }
    try:
        results = ingest_files([path], db_path, progress=False, options=options or Options())
    except warehouse.LoadBusy as exc:
        # not the file's fault: leave it for the next pass
        return Outcome(path.name, "waiting", str(exc))
    except Exception as exc:  # noqa: BLE001  any failed load: the warehouse is unchanged
        status, message, result = (
            "failed",
            f"{path.name}: the load failed and the warehouse is unchanged: {exc}",
            {},
        )
    else:
        r = results[0]
        result = r.as_dict()
        if r.status == "loaded":
            status = "loaded"
            message = f"read {r.rows_read:,}, loaded {r.rows_loaded:,}, quarantined {r.rows_quarantined:,}"
            if r.rows_quarantined:
                message += " (python -m data_pipeline status --quarantine)"
        elif r.status == "unchanged":
            status, message = "skipped", f"already loaded: {r.message}"
        else:
            status = "failed"
            message = f"{path.name}: no row was loaded: {ingest.shown(r.message or r.status, 2000)}"
    report.update(
        status=status,
        message=message,
        finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        result=result,
    )
    target = _move(path, done if status in ("loaded", "skipped") else failed, started)
    report["moved_to"] = str(target)
    target.with_name(target.name + ".report.json").write_text(
        json.dumps(report, indent=2, default=str) + "\n"
    )
    _record(report, result)
    return Outcome(path.name, status, message, str(target), report)


def _move(path: Path, folder: Path, at: dt.datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{at:%Y%m%dT%H%M%S}-{path.name}"
    target, n = folder / stem, 1
    while target.exists():
        n += 1
        target = folder / f"{at:%Y%m%dT%H%M%S}-{n}-{path.name}"
    shutil.move(str(path), target)
    return target


def _runs_table(con) -> None:
    con.executescript(RUNS_SCHEMA)
    # a store made before the file hash changed from SHA-256 names the column for it
    if "sha256" in {r[1] for r in con.execute("pragma table_info(load_runs)")}:
        con.execute("alter table load_runs rename column sha256 to content_hash")


def _record(report: dict, result: dict) -> None:
    """The outcome in the app store, for the administrators' page (never fails the load)."""
    try:
        from auth import store

        with closing(store.connect()) as con:
            _runs_table(con)
            con.execute(
                "insert into load_runs (at, file_name, content_hash, status, message, rows_read, rows_loaded, "
                "rows_quarantined, moved_to, warehouse) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    report["finished"],
                    report["file"],
                    result.get("content_hash"),
                    report["status"],
                    report["message"][:4000],
                    result.get("rows_read"),
                    result.get("rows_loaded"),
                    result.get("rows_quarantined"),
                    report["moved_to"],
                    report["warehouse"],
                ),
            )
    except Exception as exc:  # noqa: BLE001
        print(f"warning: could not record {report['file']} in the app store: {exc}", file=sys.stderr)


def load_runs(status: str | None = "failed", limit: int = 200):
    """The watcher's recent outcomes from the app store, newest first (a DataFrame)."""
    import pandas as pd

    from auth import store

    with closing(store.connect()) as con:
        _runs_table(con)
        cur = con.execute(
            "select at, file_name, status, message, rows_read, rows_loaded, rows_quarantined, moved_to "
            "from load_runs where (? is null or status = ?) order by id desc limit ?",
            (status, status, limit),
        )
        return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def watch(
    root: Path | str,
    db_path: Path | str,
    once: bool = False,
    interval: float = 60.0,
    settle: float = 10.0,
    options: Options | None = None,
) -> int:
    """Run passes until stopped (or one with once=True). Exit code: 1 if a file failed."""
    any_failed = False
    while True:
        try:
            outcomes = run_once(root, db_path, settle, options)
            any_failed |= any(o.status == "failed" for o in outcomes)
        except WatcherBusy as exc:
            print(f"{exc}; nothing done this pass", file=sys.stderr)
        if once:
            return 1 if any_failed else 0
        time.sleep(interval)
