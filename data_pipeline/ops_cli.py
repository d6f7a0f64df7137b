"""Command line for running the service: export (the feed), watch (loads that run themselves),
backup and restore. Wired into `python -m data_pipeline` by __main__.py."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

COMMANDS = ("export", "watch", "backup", "restore")


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        help="warehouse file (default: $ATTENDANCE_DB or data/attendance.duckdb)",
    )


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "export",
        help="the feed: aggregate figures as Parquet (or CSV) partitioned by academic year, with a data dictionary",
    )
    _db(p)
    p.add_argument("--to", type=Path, required=True, help="folder to write the feed into")
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    p.add_argument(
        "--level",
        choices=["la", "school"],
        default="la",
        help="la: the LA's figures; school: each school's, small numbers suppressed as governors see them",
    )

    p = sub.add_parser(
        "watch", help="load each file that lands in DIR/inbox (or DIR) once; move it to done/ or failed/"
    )
    _db(p)
    p.add_argument("dir", type=Path)
    p.add_argument("--once", action="store_true", help="one pass, then exit (for cron or a systemd timer)")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between passes (default 60)")
    p.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="take a file only once it has not changed for this many seconds (default 10)",
    )

    p = sub.add_parser(
        "backup", help="back up the warehouse, the app store and the users file into a new folder"
    )
    _db(p)
    p.add_argument("--to", type=Path, required=True)

    p = sub.add_parser("restore", help="restore a backup made by `backup`")
    _db(p)
    p.add_argument("--from", dest="src", type=Path, required=True)
    p.add_argument("--force", action="store_true", help="replace an existing warehouse and app store")


def run(args, db: Path) -> int:
    return {"export": _export, "watch": _watch, "backup": _backup, "restore": _restore}[args.command](
        args, db
    )


def _export(args, db: Path) -> int:
    # the Schools page's query module caches through Streamlit: quiet its "no runtime" warning
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from .export import ExportError, export

    try:
        manifest = export(db, args.to, fmt=args.format, level=args.level)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = ", ".join(f"{n} {t['rows']:,}" for n, t in manifest["tables"].items())
    print(f"wrote the {args.level} feed ({args.format}) to {args.to}: {rows} rows; data_dictionary.csv")
    return 0


def _watch(args, db: Path) -> int:
    from .watch import watch

    return watch(args.dir, db, once=args.once, interval=args.interval, settle=args.settle)


def _backup(args, db: Path) -> int:
    from .backup import BackupError, backup

    try:
        manifest = backup(args.to, db_path=db)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {', '.join(manifest['files'])} to {args.to}")
    return 0


def _restore(args, db: Path) -> int:
    from .backup import BackupError, restore

    try:
        out = restore(args.src, db_path=db, force=args.force)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0
