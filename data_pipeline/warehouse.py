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
import os
import shutil
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
    file_id integer primary key, file_name varchar, path varchar, sha256 varchar,
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
    return con


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)
    con.execute("delete from ref_codes")
    con.executemany("insert into ref_codes values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", codes.rows())


def get_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    try:
        return dict(con.execute("select key, value from meta").fetchall())
    except duckdb.CatalogException:
        return {}


def put_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    for key, value in values.items():
        con.execute("insert or replace into meta values (?, ?)", [key, str(value)])


@contextlib.contextmanager
def writer(db_path: Path | str):
    """Yield a read-write connection to a copy of the warehouse; swap it in on success."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
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
