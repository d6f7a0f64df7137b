"""The warehouse file: schema, and a writer that swaps in a finished copy.

DuckDB lets one process write a file or many read it, never both. A load
therefore works on a copy of the warehouse and, only when everything has
succeeded, renames the copy over the original. Readers holding the old file
keep a consistent view; new readers see the whole new load. A load that
fails deletes its copy, leaving the warehouse exactly as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import duckdb

from . import codes, config

SCHEMA = """
create table if not exists meta (key varchar primary key, value varchar);
create table if not exists ref_codes (
    code varchar, code_set varchar, category varchar, reason varchar, description varchar,
    counts_possible boolean, is_present boolean, is_aea boolean,
    is_authorised boolean, is_unauthorised boolean,
    primary key (code, code_set)
);
create sequence if not exists file_id_seq;
create table if not exists load_files (
    file_id integer primary key, file_name varchar, path varchar, content_hash varchar,
    kind varchar, code_set varchar, loaded_at timestamp,
    rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
    status varchar, message varchar
);
create table if not exists quarantine (
    file_id integer, file_name varchar, line bigint, column_name varchar,
    value varchar, reason varchar
);
create table if not exists load_warnings (
    file_id integer, file_name varchar, line bigint, column_name varchar, reason varchar
);
create table if not exists schools (
    urn integer primary key, school_name varchar, la_code varchar, la_name varchar,
    establishment_type varchar, phase varchar, postcode varchar,
    easting double, northing double, latitude double, longitude double,
    number_of_pupils integer, percent_fsm double, file_id integer
);
create table if not exists pupil_characteristics (
    urn integer, pupil_id varchar, valid_from date, ncyear integer, gender varchar,
    ethnicity varchar, sen_provision varchar, fsm boolean, pupil_premium boolean,
    eal boolean, young_carer boolean, cla boolean, cin boolean, cpp boolean,
    home_lsoa varchar, dob date, file_id integer
);
-- Names are personal data: kept apart so that only roles allowed them can join to them.
create table if not exists pupil_identity (
    urn integer, pupil_id varchar, surname varchar, forename varchar, dob date, file_id integer
);
create table if not exists marks (
    urn integer, pupil_id varchar, date date, session varchar, code varchar, file_id integer
);
create table if not exists dfe_pupil_totals (
    academic_term varchar, urn integer, pupil_id varchar, sex varchar, ethnicity varchar,
    ncyear varchar, compulsory_school_age boolean, eal boolean, fsm boolean,
    sen_support boolean, ehcp boolean,
    cla boolean, cin boolean, cpp boolean, phase varchar, admission_date date,
    leaving_date date, possible_sessions double, present_sessions double,
    aea_sessions double, authorised_sessions double, unauthorised_sessions double,
    absent_sessions double, file_id integer
);
"""


def connect(path: Path | str, read_only: bool = False, **settings) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only, config=settings)
    con.execute("set enable_progress_bar = false")
    if read_only:
        con.execute(_code_set_macro(temp=True))
    return con


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)
    # a warehouse made before the file hash changed from SHA-256 (ingest.scan) names the column
    # for it; its files' old digests match no new one, so such a file sent again is loaded again,
    # replacing what it covered (the same figures)
    old = con.execute(
        "select 1 from duckdb_columns() where table_name = 'load_files' and column_name = 'sha256'"
    ).fetchall()
    if old:
        con.execute("alter table load_files rename column sha256 to content_hash")
    con.execute("delete from ref_codes")
    con.executemany("insert into ref_codes values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", codes.rows())
    con.execute(_code_set_macro(temp=False))


def _code_set_macro(temp: bool) -> str:
    """The code set in force on a date, from codes.py's first year of the August 2024 set (a
    constant of this repository, so written into the macro rather than bound). Readers define
    it for their session too, so a warehouse built before the macro existed still answers."""
    return (
        f"create or replace {'temp ' if temp else ''}macro code_set_of(d) as case when d >= "
        f"DATE '{codes.CODE_SET_2024_FIRST_YEAR}-09-01' then '2024' else '2006' end"
    )


def get_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    try:
        return dict(con.execute("select key, value from meta").fetchall())
    except duckdb.CatalogException:
        return {}


def put_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    for key, value in values.items():
        con.execute("insert or replace into meta values (?, ?)", [key, str(value)])


class LoadBusy(RuntimeError):
    """Another load of this warehouse held the lock for longer than we would wait."""


_held: dict[str, int] = {}
_held_guard = threading.Lock()


def lock_path(db_path: Path | str) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.lock")


@contextlib.contextmanager
def load_lock(db_path: Path | str, wait_seconds: float | None = None):
    """Serialise every writer of one warehouse, across processes.

    Each load copies the warehouse, changes the copy and renames it over the original:
    two loads at once would each start from the same original and the second rename would
    drop the first's data. An exclusive flock on a lock file beside the warehouse makes the
    second wait (ATTENDANCE_LOAD_WAIT seconds, default an hour) or fail loudly; the kernel
    releases it when a load is killed. Re-entrant within a process (ingest holds it across
    its look-up of files already loaded and the write itself).
    """
    db_path = Path(db_path).resolve()
    key = str(db_path)
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    db_path.parent.mkdir(parents=True, exist_ok=True)
    wait = config.load_wait_seconds() if wait_seconds is None else wait_seconds
    fh = open(lock_path(db_path), "a+")
    try:
        deadline, told = time.monotonic() + wait, False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LoadBusy(
                        f"another load of {db_path} is still running after {wait:.0f} s of waiting; "
                        "nothing was loaded: try again when it has finished"
                    ) from None
                if not told:
                    print(f"waiting for another load of {db_path} to finish...", file=sys.stderr)
                    told = True
                time.sleep(0.2)
        with _held_guard:
            _held[key] = 1
        try:
            _clean_leftovers(db_path)
            yield
        finally:
            with _held_guard:
                _held.pop(key, None)
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def _clean_leftovers(db_path: Path) -> None:
    """What a killed load left: its copy of the warehouse (and WAL) and its work folder.
    Safe only under the lock: no other load can be using them."""
    for leftover in db_path.parent.glob(f".{db_path.name}.*.tmp*"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    for leftover in db_path.parent.glob(f".{db_path.name}.work.*"):
        shutil.rmtree(leftover, ignore_errors=True)


def work_dir(db_path: Path | str) -> tempfile.TemporaryDirectory:
    """A load's scratch folder beside the warehouse, so the next load can clean it if this one
    is killed (tempfile's own folder is never cleaned)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=f".{db_path.name}.work.", dir=db_path.parent)


@contextlib.contextmanager
def writer(db_path: Path | str):
    """Yield a read-write connection to a copy of the warehouse; swap it in on success.
    Holds the load lock throughout (see load_lock)."""
    db_path = Path(db_path)
    with load_lock(db_path):
        tmp = db_path.with_name(f".{db_path.name}.{uuid.uuid4().hex}.tmp")
        if db_path.exists():
            shutil.copyfile(db_path, tmp)
        con = connect(tmp, memory_limit=config.LOAD_MEMORY_LIMIT)
        ok = False
        try:
            init_schema(con)
            yield con
            put_meta(con, {"built_at": dt.datetime.now().isoformat(timespec="seconds")})
            con.execute("checkpoint")
            ok = True
        finally:
            con.close()
            if ok:
                os.replace(tmp, db_path)
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
