"""Load stage: run ingest and validation for each file and write the result.

All files of one `ingest` call load in one transaction on a copy of the
warehouse (see warehouse.writer): either every usable file lands and the
marts are rebuilt, or nothing changes. For each file, rows read = rows
loaded + rows quarantined, checked before the copy is swapped in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import duckdb

from . import build, codes, ingest, validate, warehouse


@dataclass
class FileResult:
    file_name: str
    path: str
    kind: str
    content_hash: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    warnings: int = 0
    status: str = "loaded"  # loaded | unchanged | rejected
    message: str = ""
    code_set: str = ""
    reader: str = ""  # marks: "fast" (read straight in) or "exact" (line by line)
    file_id: int = 0
    replaced: int = 0  # marks of earlier files this file replaced (a re-send)

    def as_dict(self) -> dict:
        return asdict(self)


class Scans:
    """Each file's content hash and line count (ingest.scan), read once, in a background
    thread started before the load, so that hashing a 3 GB marks file overlaps the
    loading of the files before it."""

    def __init__(self, paths: list[Path]):
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._futures = {p: self._pool.submit(ingest.scan, p) for p in paths if p.exists()}
        self._pool.shutdown(wait=False)

    def get(self, path: Path) -> tuple[str, int] | None:
        future = self._futures.get(path)
        return future.result() if future else None

    def pending(self, path: Path) -> bool:
        future = self._futures.get(path)
        return future is not None and not future.done()


def _kind_guess(path: Path, kind: str | None) -> str:
    """Cheap look at the header, only to order files before loading."""
    if kind:
        return kind
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return "marks"
        with path.open("rb") as fh:
            first = fh.readline().decode("utf-8-sig", errors="replace")
        import csv
        import io

        return ingest.detect_kind(next(csv.reader(io.StringIO(first)))) or "marks"
    except (OSError, StopIteration):
        return "marks"


# Meta keys only a load sets: whether the warehouse is the synthetic demo, and its files.
PROVENANCE_KEYS = frozenset({"synthetic", "demo_file_ids", "synthetic_cleared"})


class LoadRefused(RuntimeError):
    """A load that would lose data (or mix the demo with real returns): nothing was changed."""


@dataclass(frozen=True)
class Options:
    """How marks replace earlier marks, and what the files are.

    whole_school: each marks file is the school's whole return for the dates it covers, so a
    pupil missing from it loses their earlier marks over those dates (off by default: a file
    replaces each pupil's marks over that pupil's own dates only).
    allow_shrink: let a file replace more marks than it brings (a corrected return that
    really does remove sessions); refused otherwise.
    synthetic: the files are the synthetic demo LA's (data_pipeline.demo only).
    meta: descriptions of the warehouse (LA code and name) written in the same transaction.
    """

    whole_school: bool = False
    allow_shrink: bool = False
    synthetic: bool = False
    meta: dict = field(default_factory=dict)


def ingest_files(
    paths: list[Path | str],
    db_path: Path | str,
    kind: str | None = None,
    progress: bool = True,
    today: dt.date | None = None,
    exact: bool = False,
    options: Options = Options(),
) -> list[FileResult]:
    """Load return files into the warehouse, in dependency order whatever the argument order.

    exact=True sends every marks file through the line-by-line path (the fast path's
    fallback, also used by tests to check that both paths agree). The whole call holds the
    warehouse's load lock, so concurrent loads queue instead of overwriting each other."""
    paths = [Path(p) for p in paths]
    db_path = Path(db_path)
    today = today or dt.date.today()
    ordered = sorted(paths, key=lambda p: ingest.LOAD_ORDER.index(_kind_guess(p, kind)))
    scans = Scans(ordered)
    with warehouse.load_lock(db_path):
        if options.synthetic:
            refuse_demo_over_data(db_path)
        unchanged = _already_loaded(db_path, ordered, scans)
        if len(unchanged) == len(ordered):
            return [unchanged[p] for p in ordered]  # nothing new: the warehouse is not touched
        try:
            return _ingest(ordered, db_path, kind, progress, today, exact, scans, options)
        except _FastPathMiss:
            # Only the exact path can name the lines at fault: load again that way.
            return _ingest(ordered, db_path, kind, progress, today, True, scans, options)
        except _NothingNew as found:  # a large file found identical only once hashed
            return found.results


def refuse_demo_over_data(db_path: Path) -> None:
    if not db_path.exists():
        return
    con = warehouse.connect(db_path, read_only=True)
    try:
        n = con.execute("select count(*) from load_files").fetchall()[0][0]
    except duckdb.CatalogException:
        n = 0
    finally:
        con.close()
    if n:
        raise LoadRefused(
            f"{db_path} already holds {n} loaded file(s): the synthetic demo is built only into a "
            "new, empty warehouse, never mixed with other data. Give another --db path."
        )


class _FastPathMiss(Exception):
    pass


def _ingest(ordered, db_path, kind, progress, today, exact: bool, scans: Scans, options: Options):
    results: list[FileResult] = []
    bar = _progress(3 * len(ordered) + 2, progress)
    with warehouse.writer(db_path) as con, warehouse.work_dir(db_path) as tmp:
        # What this load changes, for the build to rebuild only that (build.Changes).
        con.execute("create or replace temp table _removed_weeks (urn integer, week_start date)")
        con.execute("create or replace temp table _changed_urns (urn integer)")
        for i, path in enumerate(ordered):
            results.append(
                _load_one(con, path, kind, Path(tmp), f"raw{i}", today, bar, exact, scans, options)
            )
        _mark_provenance(con, results, options)
        if any(r.status == "loaded" for r in results):
            bar.set_description("building marts")
            fast = [r.file_id for r in results if r.reader == "fast"]
            changes = build.Changes(
                file_ids=[r.file_id for r in results if r.status == "loaded" and r.file_id],
                removed={tuple(r) for r in con.execute("select distinct * from _removed_weeks").fetchall()},
                enrolment_urns={
                    r[0] for r in con.execute("select distinct urn from _changed_urns").fetchall()
                },
            )
            try:
                build.build(con, changes)
            except build.ChecksFailed as exc:
                if not (build.DUPLICATE_RULE in exc.failures and fast):
                    raise
                if set(exc.failures) != {build.DUPLICATE_RULE}:
                    raise _FastPathMiss from exc
                flagged = con.execute(
                    "select distinct urn, pupil_id from pupil_week where duplicate_marks"
                ).fetchall()
                _recheck_after_build(con, results, fast, flagged, today)
            unknown = validate.fast_marks_unknown_pupils(con, fast) if fast else []
            if unknown:
                _recheck_after_build(con, results, fast, unknown, today)
                if validate.fast_marks_pupils_problem(con, fast):
                    raise _FastPathMiss
        bar.update(1)
        if all(r.status == "unchanged" for r in results):
            raise _NothingNew(results)  # the copy is dropped: the warehouse is not touched
        _check_accounts(con, results)
        bar.set_description("saving the warehouse")
    bar.update(1)
    bar.close()
    return results


# Enrolments (a session twice, or a pupil not known) whose lines are looked up in a fast-read
# file after the build; more than this, and the whole load is redone on the exact path.
MAX_RECHECK_ENROLMENTS = 200
MAX_RECHECK_LINES = 200_000


def _recheck_after_build(con, results, fast: list[int], enrolments: list[tuple], today: dt.date) -> None:
    """What the build found in fast-read files (a session marked twice, a pupil not known at a
    school with a pupils file): those pupils' lines alone are looked up in each file
    (ingest.lines_with_field), checked by the exact path's rules and replaced by their good
    rows, the bad ones quarantined with their lines; then the touched weeks are rebuilt.
    Raises _FastPathMiss (the whole load is redone exactly) when that cannot be done here."""
    if not enrolments or len(enrolments) > MAX_RECHECK_ENROLMENTS:
        raise _FastPathMiss
    pupils = sorted({p for _, p in enrolments if p is not None})
    removed: set[tuple] = set()
    for r in results:
        if r.file_id not in fast:
            continue
        raw = getattr(r, "fast_raw", None)
        in_file = con.execute(
            "select count(*) from marks where file_id = ? and pupil_id in (select unnest(?))",
            [r.file_id, pupils],
        ).fetchall()[0][0]
        if not in_file:
            continue
        if raw is None or raw.csv_path is None:
            raise _FastPathMiss
        lines = ingest.lines_with_field(raw.csv_path, raw.mapping["pupil_id"], set(pupils), MAX_RECHECK_LINES)
        if lines is None or len(lines) != in_file:
            raise _FastPathMiss
        validate.forget_file_marks(con, [r.file_id])
        validate.check_marks_lines(con, raw, r.file_id, today, lines)
        typed, bad = f"{raw.table}_typed", f"{raw.table}_bad"
        covered = "from marks where file_id = ? and pupil_id in (select unnest(?))"
        removed |= {
            tuple(x)
            for x in con.execute(
                f"select distinct urn, date - (isodow(date) - 1)::integer {covered}", [r.file_id, pupils]
            ).fetchall()
        }
        con.execute(f"delete {covered}", [r.file_id, pupils])
        con.execute(
            f"insert into marks select urn, pupil_id, date, session, code, ? from {typed} "
            f"where rid not in (select rid from {bad})",
            [r.file_id],
        )
        con.execute(
            f"insert into quarantine select ?, ?, line, q_column, q_value, q_reason from {bad} order by line, rid",
            [r.file_id, r.file_name],
        )
        n_bad = con.execute(f"select count(*) from {bad}").fetchall()[0][0]
        r.rows_quarantined += n_bad
        r.rows_loaded -= n_bad
        note = f"{len(lines):,} lines of {len(pupils):,} pupil(s) checked one by one after the build"
        r.message = f"{r.message}; {note}" if r.message else note
        con.execute(
            "update load_files set rows_loaded = ?, rows_quarantined = ?, message = ? where file_id = ?",
            [r.rows_loaded, r.rows_quarantined, r.message, r.file_id],
        )
        _drop_work_tables(con, raw)
    if not removed:
        raise _FastPathMiss  # nothing of these files: an older file's pupils, left to the exact path
    try:
        build.build(con, build.Changes(removed=removed))
    except build.ChecksFailed as exc:
        raise _FastPathMiss from exc


# A file at least this large is not waited for: hashing a year's marks file (3 GB) takes 4 s
# that its load can overlap, and _load_one asks again, before it commits, once the hash is known.
WAIT_FOR_HASH_BYTES = 256 << 20


class _NothingNew(Exception):
    def __init__(self, results: list[FileResult]):
        super().__init__("every file was loaded before")
        self.results = results


def _already_loaded(db_path: Path, paths: list[Path], scans: Scans) -> dict[Path, FileResult]:
    """Files whose exact bytes were loaded before, with the earlier load's counts (a large
    file still being hashed is left to _load_one)."""
    if not db_path.exists():
        return {}
    con = warehouse.connect(db_path, read_only=True)
    try:
        if not con.execute(
            "select 1 from duckdb_columns() where table_name = 'load_files' and column_name = 'content_hash'"
        ).fetchall():
            return {}  # a warehouse from before content hashes (init_schema renames the column)
        out = {}
        for p in paths:
            if not p.exists() or (scans.pending(p) and p.stat().st_size >= WAIT_FOR_HASH_BYTES):
                continue
            digest = scans.get(p)[0]
            row = con.execute(
                "select kind, loaded_at, rows_read, rows_loaded, rows_quarantined from load_files "
                "where content_hash = ? and status = 'loaded' order by file_id desc limit 1",
                [digest],
            ).fetchall()
            if row:
                kind, at, n_read, n_loaded, n_quarantined = row[0]
                out[p] = FileResult(
                    p.name,
                    str(p.resolve()),
                    kind,
                    digest,
                    n_read,
                    n_loaded,
                    n_quarantined,
                    status="unchanged",
                    message=f"identical to the file loaded at {at:%Y-%m-%d %H:%M}; nothing changed",
                )
        return out
    finally:
        con.close()


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, unit="step", leave=False)


def _register(con, result: FileResult, now: dt.datetime) -> int:
    file_id = con.execute("select nextval('file_id_seq')").fetchall()[0][0]
    con.execute(
        "insert into load_files values (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 'loading', '')",
        [file_id, result.file_name, result.path, result.content_hash, result.kind, result.code_set, now],
    )
    return file_id


def _load_one(
    con,
    path: Path,
    kind: str | None,
    tmp: Path,
    table: str,
    today: dt.date,
    bar,
    exact: bool,
    scans: Scans,
    options: Options,
) -> FileResult:
    now = dt.datetime.now()
    bar.set_description(f"reading {path.name}")
    result = FileResult(
        file_name=path.name,
        path=str(path.resolve()),
        kind=kind or "",
        content_hash="",
        reader="exact" if exact else "",
    )

    def is_new() -> bool:
        """False (and the result says so) if these exact bytes were loaded before."""
        if not result.content_hash and path.exists():
            result.content_hash = scans.get(path)[0]
        previous = con.execute(
            "select loaded_at from load_files where content_hash = ? and status = 'loaded' "
            "order by file_id desc limit 1",
            [result.content_hash],
        ).fetchall()
        if previous and result.content_hash:
            result.status = "unchanged"
            result.message = (
                f"identical to the file loaded at {previous[0][0]:%Y-%m-%d %H:%M}; nothing changed"
            )
        return result.status != "unchanged"

    # A large file still being hashed in the background is read meanwhile: the fast
    # marks path asks is_new() just before it commits.
    defer = scans.pending(path) and not exact
    if not defer and not is_new():
        bar.update(3)
        return result
    try:
        raw = ingest.open_file(con, path, table, tmp, kind)
    except ingest.UnusableFile as exc:
        result.status = "rejected"
        result.message = str(exc)
        result.content_hash = scans.get(path)[0] if path.exists() else ""
        file_id = _register(con, result, now)
        _quarantine_all(con, table, file_id, result, str(exc))
        bar.update(3)
        return result
    if raw.csv_path == path:
        raw.scan = lambda: scans.get(path)
    if defer and raw.kind != "marks" and not is_new():
        _drop_work_tables(con, raw)
        bar.update(3)
        return result
    bar.update(1)
    bar.set_description(f"validating and loading {path.name}")
    result.kind = raw.kind
    file_id = result.file_id = _register(con, result, now)
    loader = {
        "marks": partial(_load_marks, is_new=is_new, options=options),
        "grid": partial(_load_marks, is_new=is_new, options=options),
        "pupils": _load_pupils,
        "schools": _load_schools,
        "dfe_pupil": _load_dfe_pupil,
    }[raw.kind]
    loader(con, raw, file_id, result, today)
    bar.update(1)
    if result.status == "unchanged":
        con.execute("delete from load_files where file_id = ?", [file_id])
        _drop_work_tables(con, raw)
        bar.update(1)
        return result
    result.warnings = con.execute(
        "select count(*) from load_warnings where file_id = ?", [file_id]
    ).fetchall()[0][0]
    if result.rows_read == 0:
        result.status = "rejected"
        result.message = "the file has a header but no rows"
    elif result.rows_loaded == 0:
        result.status = "rejected"
        result.message = "no row of this file could be loaded: see the quarantine"
    missing = (
        [name for c, name in ingest.DFE_PUBLISHED.items() if c not in raw.mapping]
        if raw.kind == "dfe_pupil"
        else []
    )
    if missing:
        result.message = (result.message + "; " if result.message else "") + (
            "DfE fields missing from this file: " + ", ".join(missing)
        )
    con.execute(
        "update load_files set content_hash = ?, kind = ?, code_set = ?, rows_read = ?, rows_loaded = ?, "
        "rows_quarantined = ?, status = ?, message = ? where file_id = ?",
        [
            result.content_hash,
            result.kind,
            result.code_set,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            result.status,
            result.message,
            file_id,
        ],
    )
    _drop_work_tables(con, raw)
    bar.update(1)
    return result


def _drop_work_tables(con, raw) -> None:
    for suffix in ("", "_typed", "_tt", "_bad", "_stg", "_q", "_lines"):
        _drop(con, raw.table + suffix)


def _drop(con, name: str) -> None:
    """Drop a temporary table or view of this load, whichever it is."""
    found = con.execute(
        "select 'view' from duckdb_views() where view_name = $n and temporary "
        "union all select 'table' from duckdb_tables() where table_name = $n and temporary",
        {"n": name},
    ).fetchall()
    for (kind,) in found:
        con.execute(f"drop {kind} {name}")


def _quarantine_all(con, table: str, file_id: int, result: FileResult, reason: str) -> None:
    """An unusable file: every line it had goes to quarantine with the file's reason."""
    try:
        n = con.execute(f"select count(*) from {table}").fetchall()[0][0]
    except duckdb.CatalogException:
        n = 0
    if n:
        con.execute(
            f"insert into quarantine select ?, ?, line, null, left(line_text, 200), ? from {table}",
            [file_id, result.file_name, "file rejected: " + reason],
        )
    result.rows_read = result.rows_quarantined = n
    con.execute(
        "update load_files set rows_read = ?, rows_quarantined = ?, status = 'rejected', message = ? "
        "where file_id = ?",
        [n, n, reason, file_id],
    )


def _finish_staged(con, raw, file_id: int, result: FileResult) -> None:
    """For kinds staged in `<raw>_stg` (one row per line): quarantine and count."""
    stg = f"{raw.table}_stg"
    con.execute(
        f"insert into quarantine select ?, ?, line, q_column, q_value, q_reason from {stg} "
        "where q_reason is not null order by line",
        [file_id, result.file_name],
    )
    result.rows_quarantined, result.rows_read = con.execute(
        f"select count(*) filter (where q_reason is not null), count(*) from {stg}"
    ).fetchall()[0]


def _load_marks(con, raw, file_id: int, result: FileResult, today: dt.date, is_new, options: Options) -> None:
    if result.reader != "exact" and _load_marks_fast(con, raw, file_id, result, today, is_new, options):
        return
    if not is_new():
        return
    result.reader = "exact"
    validate.stage_marks(con, raw, today)
    typed, bad = f"{raw.table}_typed", f"{raw.table}_bad"
    con.execute(
        f"create or replace temp view {raw.table}_good as "
        f"select urn, pupil_id, date, session, code from {typed} "
        f"where rid not in (select rid from {bad})"
    )
    result.rows_loaded = con.execute(
        f"insert into marks select urn, pupil_id, date, session, code, ? from {raw.table}_good", [file_id]
    ).fetchall()[0][0]
    _replace_older_marks(con, file_id, result, options)
    con.execute(
        f"insert into quarantine select ?, ?, line, q_column, q_value, q_reason from {bad} order by line, rid",
        [file_id, result.file_name],
    )
    result.rows_quarantined = con.execute(f"select count(*) from {bad}").fetchall()[0][0]
    result.rows_read = con.execute(f"select count(*) from {typed}").fetchall()[0][0]
    _drop(con, f"{raw.table}_good")


def _load_marks_fast(con, raw, file_id: int, result: FileResult, today: dt.date, is_new, options) -> bool:
    """A canonical marks file read straight into `marks` in one pass; its bad lines, if any,
    checked one by one.

    Most returns are clean: reading them through the staging tables costs a
    second copy of 87 million rows. So a marks CSV is first inserted as it is,
    typed by DuckDB's reader, inside a transaction; then cheap whole-file checks
    confirm that every physical line became a row and that no row breaks a rule
    (validate.fast_marks_problem). A file with some bad lines stays on this path:
    the reader sets aside the lines it cannot take (validate.insert_marks_tolerant,
    as fast as the plain read when they are few; lines sampled across the file
    first, validate.few_bad_lines, send a file with many to the exact path); the rows that
    break a rule and the set-aside lines alone then go through the exact path's
    checks (validate.settle_suspect_marks), which name each line and its problem,
    and the good ones among them are put back. Only a file whose lines the reader
    cannot count (blank lines, quotes spanning lines), or that fails on many lines
    (validate.few_bad_lines), is rolled back and read line by line as a whole.
    Duplicate sessions and unknown pupils are asked of the marts after the build
    (pupil_week's duplicate_marks; validate.fast_marks_unknown_pupils), and those
    pupils' lines alone are checked then (_recheck_after_build).
    """
    if raw.kind != "marks":
        return False
    if not validate.few_bad_lines(raw):
        return False
    con.begin()
    try:
        tolerant = validate.insert_marks_tolerant(con, raw, file_id)
    except duckdb.Error:  # the reader cannot go on (e.g. quotes it cannot close)
        tolerant = None
    if tolerant is None:
        con.rollback()
        return False
    inserted, rejected = tolerant
    try:
        problem = validate.fast_marks_problem(con, raw, file_id, inserted + len(rejected), today)
    except duckdb.Error as exc:
        problem = f"reader: {exc}"
    if problem and problem != validate.RULE_PROBLEM:
        con.rollback()
        return False
    if not is_new():
        con.rollback()
        return True
    result.reader = "fast"
    result.rows_read = inserted + len(rejected)
    result.rows_loaded, result.rows_quarantined = inserted, 0
    if not (problem or rejected):
        # the file's lines can be looked up after the build (_recheck_after_build)
        result.fast_raw = dataclasses.replace(raw, table=f"{raw.table}_after", lines_loaded=False)
    else:
        # The file's rows are committed (in the writer's copy: a failure from here on still
        # leaves the warehouse as it was) before the suspect ones are taken out: a delete
        # among a transaction's own new rows makes DuckDB rewrite all of them on commit
        # (14 s for a year's 86 M marks with 3 bad lines).
        con.commit()
        con.begin()
        validate.forget_file_marks(con, [file_id])
        validate.settle_suspect_marks(con, raw, file_id, today, rejected)
        typed, bad = f"{raw.table}_typed", f"{raw.table}_bad"
        con.execute(
            f"insert into marks select urn, pupil_id, date, session, code, ? from {typed} "
            f"where rid not in (select rid from {bad})",
            [file_id],
        )
        con.execute(
            f"insert into quarantine select ?, ?, line, q_column, q_value, q_reason from {bad} "
            "order by line, rid",
            [file_id, result.file_name],
        )
        result.rows_quarantined = con.execute(f"select count(*) from {bad}").fetchall()[0][0]
        result.rows_loaded = result.rows_read - result.rows_quarantined
        checked = con.execute(f"select count(*) from {typed}").fetchall()[0][0]
        note = f"{checked:,} lines checked one by one"
        result.message = f"{result.message}; {note}" if result.message else note
    try:
        _replace_older_marks(con, file_id, result, options)
    except LoadRefused:
        con.rollback()
        raise
    con.commit()
    return True


def _replace_older_marks(con, file_id: int, result: FileResult, options: Options) -> None:
    """A corrected re-send replaces exactly what it covers: for each pupil in the file, that
    pupil's earlier marks at that school between the pupil's first and last date in the file
    (with options.whole_school, every pupil's at that school between the school's first and
    last date). A file that would remove more marks than it brings is refused unless
    options.allow_shrink: a two-line file must not wipe a term."""
    spans = con.execute(
        f"select urn, d0, d1 from {validate.file_spans(con, [file_id])}", {"ids": [file_id]}
    ).fetchall()
    years = {y for _, d0, d1 in spans for d in (d0, d1) for y in [d.year if d.month >= 9 else d.year - 1]}
    result.code_set = ", ".join(
        sorted(
            {"August 2024 codes" if codes.code_set_for_year(y) == "2024" else "pre-2024 codes" for y in years}
        )
    )
    if not spans:  # no marks (a file of a header alone): nothing to replace
        return
    # The file's first and last date bound every scan of `marks` below, so that the years
    # before it are skipped by their row groups' date ranges.
    span = {"f": file_id, "lo": min(r[1] for r in spans), "hi": max(r[2] for r in spans)}
    overlap = con.execute(
        "select count(*) from (select 1 from marks join (select unnest($u) as urn, unnest($d0) as d0, "
        "unnest($d1) as d1) s on marks.urn = s.urn and marks.date between s.d0 and s.d1 "
        "where marks.file_id <> $f and marks.date between $lo and $hi limit 1)",
        {"u": [r[0] for r in spans], "d0": [r[1] for r in spans], "d1": [r[2] for r in spans], **span},
    ).fetchall()[0][0]
    if not overlap:  # the usual case, a new period: nothing earlier to replace
        return
    key = "urn" if options.whole_school else "urn, pupil_id"
    con.execute(
        f"create or replace temp table _resend_span as select {key}, min(date) as d0, max(date) as d1 "
        f"from marks where file_id = ? group by {key}",
        [file_id],
    )
    on = " and ".join(f"m.{k.strip()} = s.{k.strip()}" for k in key.split(","))
    covered = (
        f"from marks m join _resend_span s on {on} and m.date between s.d0 and s.d1 "
        "where m.file_id <> $f and m.date between $lo and $hi"
    )
    n, pupils, schools, d0, d1 = con.execute(
        f"select count(*), count(distinct (m.urn, m.pupil_id)), count(distinct m.urn), min(m.date), "
        f"max(m.date) {covered}",
        span,
    ).fetchall()[0]
    if n:
        con.execute(
            "insert into _removed_weeks select distinct m.urn, m.date - (isodow(m.date) - 1)::integer "
            + covered,
            span,
        )
        if n > result.rows_loaded and not options.allow_shrink:
            con.execute("drop table _resend_span")
            raise LoadRefused(
                f"{result.file_name}: loading it would replace {n:,} marks of earlier files "
                f"({pupils:,} pupils at {schools:,} school(s), {d0:%d %b %Y} to {d1:%d %b %Y}) with only "
                f"{result.rows_loaded:,}; nothing was loaded. If this file really is the corrected "
                "return, load it again with --allow-shrink."
            )
        older = [r[0] for r in con.execute(f"select distinct m.file_id {covered}", span).fetchall()]
        validate.forget_file_marks(con, older)  # an earlier file of this load loses rows
        con.execute(
            f"delete from marks where rowid in (select m.rowid {covered})",
            span,
        )
        result.replaced = n
        note = (
            f"replaced {n:,} marks of earlier files for {pupils:,} pupils at {schools:,} school(s), "
            f"{d0:%d %b %Y} to {d1:%d %b %Y}"
        )
        result.message = f"{result.message}; {note}" if result.message else note
    con.execute("drop table _resend_span")


def _mark_provenance(con, results: list[FileResult], options: Options) -> None:
    """Record which files are the synthetic demo's. A warehouse is synthetic (and demo mode
    allowed on it) only while it holds nothing else; any other file clears the mark for good."""
    if options.meta:
        warehouse.put_meta(con, {k: v for k, v in options.meta.items() if k not in PROVENANCE_KEYS})
    new = [r for r in results if r.file_id and r.status != "unchanged"]
    if not new:
        return
    meta = warehouse.get_meta(con)
    if options.synthetic:
        known = [i for i in meta.get("demo_file_ids", "").split(",") if i]
        ids = ",".join(known + [str(r.file_id) for r in new])
        warehouse.put_meta(con, {"demo_file_ids": ids, "synthetic": "true"})
    elif meta.get("synthetic") == "true" or meta.get("demo_file_ids"):
        names = ", ".join(r.file_name for r in new)
        warehouse.put_meta(
            con,
            {
                "synthetic": "false",
                "synthetic_cleared": f"{dt.datetime.now():%Y-%m-%d %H:%M}: {names} loaded (not demo files)",
            },
        )


def _load_pupils(con, raw, file_id: int, result: FileResult, today: dt.date) -> None:
    validate.stage_pupils(con, raw, default_from=today)
    stg = f"{raw.table}_stg"
    if "home_postcode" in raw.mapping and "home_lsoa" not in raw.mapping:
        _map_postcodes(con, stg, file_id, result.file_name)
    con.execute(f"insert into _changed_urns select distinct urn from {stg} where q_reason is null")
    con.execute(
        f"""
        delete from pupil_characteristics p using {stg} s
        where s.q_reason is null and p.urn = s.urn and p.pupil_id = s.pupil_id
          and p.valid_from = s.valid_from
        """
    )
    con.execute(
        f"""
        insert into pupil_characteristics
        select urn, pupil_id, valid_from, ncyear, gender, ethnicity, sen_provision, fsm,
            pupil_premium, eal, young_carer, cla, cin, cpp, home_lsoa, dob, ?
        from {stg} where q_reason is null
        """,
        [file_id],
    )
    result.rows_loaded = con.execute(f"select count(*) from {stg} where q_reason is null").fetchall()[0][0]
    _finish_staged(con, raw, file_id, result)


def _map_postcodes(con, stg: str, file_id: int, file_name: str) -> None:
    """Home postcode → LSOA; the postcode itself is never stored."""
    from . import geography

    postcodes = [
        r[0]
        for r in con.execute(
            f"select distinct home_postcode from {stg} where home_postcode is not null"
        ).fetchall()
    ]
    found = geography.postcodes_to_lsoa(postcodes)
    con.execute("create or replace temp table _pc (home_postcode varchar, lsoa varchar)")
    con.executemany("insert into _pc values (?, ?)", list(found.items()))
    con.execute(
        f"update {stg} set home_lsoa = _pc.lsoa from _pc where {stg}.home_postcode = _pc.home_postcode"
    )
    con.execute(
        f"""
        insert into load_warnings
        select ?, ?, line, 'home_postcode',
            'postcode not found in the ONS Postcode Directory (outward code '
            || split_part(upper(trim(home_postcode)), ' ', 1) || '); loaded without a neighbourhood'
        from {stg}
        where q_reason is null and home_postcode is not null and home_lsoa is null
        """,
        [file_id, file_name],
    )
    con.execute(f"update {stg} set home_postcode = null")
    con.execute("drop table _pc")


def _load_schools(con, raw, file_id: int, result: FileResult, today: dt.date) -> None:
    validate.stage_schools(con, raw)
    stg = f"{raw.table}_stg"
    _fill_lat_lon(con, stg)
    con.execute(f"insert into _changed_urns select distinct urn from {stg} where q_reason is null")
    con.execute(f"delete from schools where urn in (select urn from {stg} where q_reason is null)")
    con.execute(
        f"""
        insert into schools
        select urn, school_name, la_code, la_name, establishment_type, phase, postcode,
            easting, northing, latitude, longitude, number_of_pupils, percent_fsm, ?
        from {stg} where q_reason is null
        """,
        [file_id],
    )
    result.rows_loaded = con.execute(f"select count(*) from {stg} where q_reason is null").fetchall()[0][0]
    _finish_staged(con, raw, file_id, result)


def _fill_lat_lon(con, stg: str) -> None:
    rows = con.execute(
        f"select line, easting, northing from {stg} where latitude is null "
        "and easting is not null and northing is not null"
    ).fetchall()
    if not rows:
        return
    import numpy as np

    from .reference_build import bng_to_wgs84

    lines, east, north = (np.array(c) for c in zip(*rows))
    lat, lon = bng_to_wgs84(east.astype(float), north.astype(float))
    con.execute("create or replace temp table _ll (line bigint, latitude double, longitude double)")
    con.executemany(
        "insert into _ll values (?, ?, ?)", [(int(a), float(b), float(c)) for a, b, c in zip(lines, lat, lon)]
    )
    con.execute(
        f"update {stg} set latitude = _ll.latitude, longitude = _ll.longitude "
        f"from _ll where {stg}.line = _ll.line"
    )
    con.execute("drop table _ll")


def _load_dfe_pupil(con, raw, file_id: int, result: FileResult, today: dt.date) -> None:
    validate.stage_dfe_pupil(con, raw)
    stg = f"{raw.table}_stg"
    # A new weekly file replaces the previous snapshot for the same schools and term.
    con.execute(
        f"""
        delete from dfe_pupil_totals d using (
            select distinct urn, academic_term from {stg} where q_reason is null
        ) s where d.urn = s.urn and d.academic_term is not distinct from s.academic_term
        """
    )
    con.execute(
        f"""
        insert into dfe_pupil_totals
        select academic_term, urn, pupil_id, sex, ethnicity, ncyear, compulsory_school_age, eal,
            fsm, sen_support, ehcp,
            cla, cin, cpp, phase, admission_date, leaving_date, possible_sessions,
            present_sessions, aea_sessions, authorised_sessions, unauthorised_sessions,
            absent_sessions, ?
        from {stg} where q_reason is null
        """,
        [file_id],
    )
    con.execute(
        f"""
        insert into pupil_identity
        select urn, pupil_id, surname, forename, dob, ? from {stg}
        where q_reason is null and (surname is not null or forename is not null or dob is not null)
        """,
        [file_id],
    )
    result.rows_loaded = con.execute(f"select count(*) from {stg} where q_reason is null").fetchall()[0][0]
    _finish_staged(con, raw, file_id, result)


def _check_accounts(con, results: list[FileResult]) -> None:
    for r in results:
        if r.status != "unchanged" and r.rows_read != r.rows_loaded + r.rows_quarantined:
            raise RuntimeError(
                f"{r.file_name}: {r.rows_read} rows read but {r.rows_loaded} loaded and "
                f"{r.rows_quarantined} quarantined; nothing was changed"
            )


def set_meta(db_path: Path | str, values: dict[str, str]) -> None:
    """Describe the warehouse (LA code and name). Whether it is synthetic is not settable
    here: only a demo load marks a warehouse synthetic (Options.synthetic)."""
    if PROVENANCE_KEYS & set(values):
        raise ValueError("the synthetic mark is set only by loading the demo's own files")
    with warehouse.writer(db_path) as con:
        warehouse.put_meta(con, values)
