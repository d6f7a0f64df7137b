"""Command line: python -m data_pipeline ingest|summary|status|demo|build|users|export|watch|backup|restore ..."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from . import config, warehouse
from .ingest import shown


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{s!r} is not a date in YYYY-MM-DD form") from exc


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        help="warehouse file (default: $ATTENDANCE_DB or data/attendance.duckdb)",
    )


def _quiet_streamlit() -> None:
    """demo and export use the dashboard's query layer, whose caches, called outside a Streamlit
    server, log that there is no runtime: nothing for the person at the terminal to act on."""
    from streamlit import logger

    logger.set_log_level("error")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_pipeline", description="Attendance warehouse pipeline"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load return files (kinds recognised from their columns)")
    _db_arg(p)
    p.add_argument("--kind", choices=["marks", "grid", "pupils", "schools", "dfe_pupil"])
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--whole-school",
        action="store_true",
        help="each marks file is its schools' whole register for the dates it covers: pupils "
        "missing from it lose their earlier marks over those dates (default: a re-send replaces "
        "each pupil's marks over that pupil's own dates only)",
    )
    p.add_argument(
        "--allow-shrink",
        action="store_true",
        help="let a file replace more earlier marks than it brings (refused otherwise)",
    )
    p.add_argument("files", nargs="+", type=Path)

    p = sub.add_parser(
        "summary",
        help="headline measures over a period within one academic year (default: the latest, to date)",
    )
    _db_arg(p)
    p.add_argument("--urn", type=int)
    p.add_argument("--from", dest="date_from", type=_date)
    p.add_argument("--to", dest="date_to", type=_date)
    p.add_argument(
        "--population",
        choices=["compulsory", "all"],
        default="compulsory",
        help="compulsory school age only (DfE's rule, default) or every enrolment",
    )
    p.add_argument(
        "--pa-rule",
        choices=["census", "daily"],
        default="census",
        help="census: every enrolment; daily: only enrolments with >10 possible sessions",
    )
    p.add_argument(
        "--source",
        choices=["auto", "marks", "dfe"],
        default="auto",
        help="daily marks, or DfE's pupil-level file totals (auto: marks where loaded)",
    )
    p.add_argument("--format", choices=["json", "table"], default="table")

    p = sub.add_parser("status", help="what has been loaded, from which files, when")
    _db_arg(p)
    p.add_argument("--format", choices=["json", "table"], default="table")
    p.add_argument("--quarantine", action="store_true", help="list quarantined rows too")

    p = sub.add_parser("demo", help="build the synthetic demo LA into a new warehouse")
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        help="a new or empty warehouse file (default: $ATTENDANCE_DEMO_DB or data/demo.duckdb)",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--pupils", type=int, default=40000)
    p.add_argument("--quiet", action="store_true")
    p.add_argument(
        "--no-meetings",
        action="store_true",
        help="skip the synthetic Targeting Support Meetings (written to the demo's own app store)",
    )
    p.add_argument(
        "--format", choices=["text", "json"], default="text", help="json: every file's load report"
    )

    p = sub.add_parser(
        "threshold",
        help="pupils with 10+ unauthorised sessions in the 10 school weeks ending on a date (national framework)",
    )
    _db_arg(p)
    p.add_argument(
        "--as-of", type=_date, help="the window's last day (default: the latest date in the warehouse)"
    )
    p.add_argument("--urn", type=int, help="only pupils with a session at this school in the window")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")

    p = sub.add_parser("quality", help="each school's data quality: unresolved N codes, missing sessions")
    _db_arg(p)
    p.add_argument("--as-of", type=_date, help="as at this date (default: the latest date in the warehouse)")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")

    p = sub.add_parser("build", help="rebuild marts and reference tables")
    _db_arg(p)
    p.add_argument(
        "--if-stale",
        action="store_true",
        help="only if the marts were built by another version of their SQL (after an update)",
    )

    from .users import add_parser as _add_users_parser

    _add_users_parser(sub)
    from . import ops_cli

    ops_cli.add_parsers(sub)  # export, watch, backup, restore

    args = parser.parse_args(argv)
    if args.command in ("demo", "export"):
        _quiet_streamlit()
    if args.command == "users":
        from .users import run as _users

        return _users(args)
    db = args.db or (config.default_demo_db() if args.command == "demo" else config.default_db())
    if args.command in ops_cli.COMMANDS:
        return ops_cli.run(args, db)
    return {
        "ingest": _ingest,
        "summary": _summary,
        "status": _status,
        "demo": _demo,
        "build": _build,
        "threshold": _framework,
        "quality": _framework,
    }[args.command](args, db)


def _ingest(args, db: Path) -> int:
    from .load import Options, ingest_files

    options = Options(whole_school=args.whole_school, allow_shrink=args.allow_shrink)
    try:
        results = ingest_files(args.files, db, kind=args.kind, progress=not args.quiet, options=options)
    except Exception as exc:  # a failed load changes nothing; say why and stop
        print(f"error: the load failed and the warehouse is unchanged: {exc}", file=sys.stderr)
        return 2
    bad = False
    for r in results:
        line = (
            f"{r.file_name}: {r.kind or '?'} — {r.status}; read {r.rows_read:,}, "
            f"loaded {r.rows_loaded:,}, quarantined {r.rows_quarantined:,}"
        )
        if r.warnings:
            line += f", warnings {r.warnings:,}"
        if r.code_set:
            line += f" ({r.code_set})"
        if r.reader and r.status == "loaded":
            line += f"; {r.reader} path"
        print(line)
        if r.message:
            print(f"  {shown(r.message, 2000)}")
        bad |= r.status == "rejected"
    if any(r.rows_quarantined for r in results):
        print("Quarantined rows: python -m data_pipeline status --quarantine")
    return 1 if bad else 0


def _open(db: Path):
    if not db.exists():
        print(
            f"error: no warehouse at {db}; load files with `python -m data_pipeline ingest` "
            "or build the demo with `python -m data_pipeline demo`",
            file=sys.stderr,
        )
        return None
    return warehouse.connect(db, read_only=True)


def _summary(args, db: Path) -> int:
    from .summary import PeriodError, summary

    con = _open(db)
    if con is None:
        return 2
    try:
        out = summary(
            con,
            urn=args.urn,
            date_from=args.date_from,
            date_to=args.date_to,
            population=args.population,
            pa_rule=args.pa_rule,
            source=args.source,
        )
    except PeriodError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(out))
    else:
        width = max(map(len, out))
        for k, v in out.items():
            shown = (
                f"{v:,.2f}"
                if isinstance(v, float)
                else ("-" if v is None else f"{v:,}" if isinstance(v, int) else v)
            )
            print(f"{k:<{width}}  {shown}")
    return 0


def _status(args, db: Path) -> int:
    con = _open(db)
    if con is None:
        return 2
    cur = con.execute(
        "select file_id, file_name, kind, code_set, loaded_at, rows_read, rows_loaded, "
        "rows_quarantined, status, message, content_hash from load_files order by file_id"
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    meta = warehouse.get_meta(con)
    totals = dict(
        zip(
            ("marks", "pupils", "schools"),
            con.execute(
                "select (select count(*) from marks), (select count(distinct (urn, pupil_id)) "
                "from pupil_characteristics), (select count(*) from schools)"
            ).fetchall()[0],
        )
    )
    quarantine = []
    if args.quarantine:
        qcur = con.execute(
            "select file_name, line, column_name, value, reason from quarantine "
            "order by file_name, line limit 1000"
        )
        quarantine = [dict(zip([d[0] for d in qcur.description], r)) for r in qcur.fetchall()]
    if args.format == "json":
        print(
            json.dumps(
                {
                    "warehouse": str(db),
                    "meta": meta,
                    "totals": totals,
                    "files": rows,
                    "quarantine": quarantine,
                },
                default=str,
            )
        )
        return 0
    print(f"Warehouse {db}  (data up to {meta.get('data_up_to', '-')}, built {meta.get('built_at', '-')})")
    print(f"{totals['marks']:,} marks, {totals['pupils']:,} pupils, {totals['schools']:,} schools")
    print(
        f"{'id':>4}  {'file':<34} {'kind':<9} {'loaded at':<19} {'read':>12} {'loaded':>12} {'quarant.':>9}  status"
    )
    for r in rows:
        print(
            f"{r['file_id']:>4}  {r['file_name'][:34]:<34} {r['kind'] or '?':<9} "
            f"{r['loaded_at']:%Y-%m-%d %H:%M:%S} {r['rows_read']:>12,} {r['rows_loaded']:>12,} "
            f"{r['rows_quarantined']:>9,}  {r['status']}"
        )
    for q in quarantine:
        print(
            f"  {q['file_name']} line {q['line']}: {q['column_name'] or '-'}="
            f"{shown(q['value'] or '', 40)}: {shown(q['reason'], 200)}"
        )
    return 0


def _demo(args, db: Path) -> int:
    from .demo import build_demo
    from .load import LoadRefused

    try:
        info = build_demo(db, seed=args.seed, pupils=args.pupils, progress=not args.quiet)
    except LoadRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.no_meetings:
        from . import demo_meetings

        try:
            info["meetings"] = demo_meetings.seed(db, seed=args.seed)
            info["app_store"] = str(demo_meetings.store_for(db))
        except demo_meetings.StoreNotEmpty as exc:
            print(f"note: {exc}; no demo meetings added", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(info, default=str))
        return 0
    marks = sum(r["rows_loaded"] for r in info["results"] if r["kind"] in ("marks", "grid"))
    print(
        f"Built the synthetic demo LA in {info['db_path']}: {info['schools']} schools, "
        f"{info['pupils']:,} pupils, {marks:,} attendance marks from {len(info['results'])} files, "
        f"in {info['seconds_total']:.0f} s."
        + (
            f" {info['meetings']['meetings']} synthetic meetings with {info['meetings']['actions']} actions in "
            f"{info['app_store']}."
            if "meetings" in info
            else ""
        )
    )
    return 0


def _plain(v):
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _framework(args, db: Path) -> int:
    """threshold and quality: a list of objects, as JSON, CSV or a table."""
    from . import build, framework

    con = _open(db)
    if con is None:
        return 2
    if build.stale(con):  # their SQL reads the marts: an older build lacks columns they need
        print(
            f"{db}: the marts were built by another version of the code; run "
            f"`python -m data_pipeline build --if-stale --db {db}` first.",
            file=sys.stderr,
        )
        return 2
    if args.command == "threshold":
        rows = framework.threshold(con, as_of=args.as_of, urn=args.urn)
    else:
        rows = framework.quality(con, as_of=args.as_of)
    rows = [{k: _plain(v) for k, v in r.items()} for r in rows]
    if args.format == "json":
        print(json.dumps(rows))
        return 0
    names = (
        list(rows[0])
        if rows
        else (
            [
                "pupil_id",
                "urn",
                "urns",
                "unauthorised_sessions",
                "window_start",
                "window_end",
                "first_reached",
            ]
            if args.command == "threshold"
            else ["urn", "unresolved_n", "missing_sessions", "last_mark_date"]
        )
    )
    if args.format == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(names)
        for r in rows:
            w.writerow([";".join(map(str, r[n])) if isinstance(r[n], list) else r[n] for n in names])
        return 0
    print("  ".join(names))
    for r in rows:
        print("  ".join(",".join(map(str, r[n])) if isinstance(r[n], list) else str(r[n]) for n in names))
    if not rows:
        print("(none)")
    return 0


def _build(args, db: Path) -> int:
    from . import build

    if args.if_stale and not build.stale(db):
        print(f"{db}: the marts are up to date")
        return 0
    with warehouse.writer(db) as con:
        build.build(con)
    print(f"rebuilt {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
