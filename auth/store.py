"""The app store: a SQLite file beside the warehouse for what the dashboard writes.

The warehouse is read-only to the dashboard and is replaced by every load, so the audit
log, sign-in attempts and settings (the pseudonym key) live here instead:
`data/app_store.sqlite` unless `ATTENDANCE_APP_STORE` says otherwise. SQLite in WAL mode
with a busy timeout lets the CLI and several dashboard processes write safely.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path

from data_pipeline import config

SCHEMA = """
create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,              -- UTC, ISO 8601
    user text not null,            -- email (or cli:<account> for the command line)
    role text not null,
    scope text not null,           -- 'all schools' or the URNs, comma separated
    action text not null,          -- view | export | denied | sign_in | sign_in_failed | sign_out | users
    query text,                    -- query file (without .sql) or export name
    page text,                     -- the dashboard page, where known
    params text,                   -- the filter parameters, JSON
    rows integer,                  -- rows returned or exported
    detail text
);
create index if not exists audit_log_at on audit_log (at);
create index if not exists audit_log_user on audit_log (user, action, at);
create table if not exists settings (key text primary key, value text not null);
"""


def store_path() -> Path:
    return Path(os.environ.get("ATTENDANCE_APP_STORE", config.DATA_DIR / "app_store.sqlite"))


def connect(path: Path | None = None) -> sqlite3.Connection:
    """A new connection (cheap; one per call keeps threads and processes independent)."""
    path = Path(path or store_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("pragma busy_timeout = 30000")
    con.execute("pragma journal_mode = wal")
    con.executescript(SCHEMA)
    return con


def setting(key: str, default_factory=None) -> str | None:
    """A stored setting; created once from default_factory() if absent (first writer wins)."""
    with closing(connect()) as con:
        row = con.execute("select value from settings where key = ?", (key,)).fetchone()
        if row is None and default_factory is not None:
            con.execute("insert or ignore into settings (key, value) values (?, ?)", (key, default_factory()))
            row = con.execute("select value from settings where key = ?", (key,)).fetchone()
        return row[0] if row else None


_KEYS: dict[tuple, str] = {}  # the stored key per store file (path and inode): it never changes


def pseudonym_key() -> str:
    """The secret behind pseudonymous pupil references: ATTENDANCE_PSEUDONYM_KEY, or a random
    key made once and kept in the app store (so references survive warehouse rebuilds). Read
    from the store once per store file, not once per pupil shown."""
    if key := os.environ.get("ATTENDANCE_PSEUDONYM_KEY"):
        return key
    path = store_path()
    if path.exists() and (which := (str(path.resolve()), path.stat().st_ino)) in _KEYS:
        return _KEYS[which]
    key = setting("pseudonym_key", lambda: secrets.token_hex(32))  # makes the store if need be
    _KEYS[(str(path.resolve()), path.stat().st_ino)] = key
    return key


def pseudonym(urn, pupil_id, key: str | None = None) -> str:
    """The pseudonymous reference shown for a pupil: 'P-' and the first 8 hex digits of
    SHA-256(key:urn:pupil_id) (queries.PSEUDONYM_SQL computes the same in SQL)."""
    key = key if key is not None else pseudonym_key()
    return "P-" + hashlib.sha256(f"{key}:{int(urn)}:{pupil_id}".encode()).hexdigest()[:8].upper()
