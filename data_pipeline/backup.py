"""Backup and restore: `python -m data_pipeline backup --to DIR` and `restore --from DIR`.

A backup is a folder holding
- `attendance.duckdb`: the warehouse, copied under the load lock (warehouse.load_lock), so no
  load can swap in a new file during the copy: the copy is one whole load's warehouse;
- `app_store.sqlite`: the app store (meeting actions and their history, the audit log,
  settings including the pseudonym key, the watcher's load runs), through SQLite's online
  backup API, a consistent snapshot even while the dashboard writes to it;
- `users.json`: the users file (roles, schools, Entra group rules, password hashes), if any;
- `manifest.json`: when, from where, each file's size and SHA-256 (checked before a restore).

The folder is written beside its final name and renamed into place when complete, so a backup
that was interrupted is never mistaken for a whole one. A restore checks every file against the
manifest first, then puts each back the way the pipeline writes: the warehouse by copy and
rename under the load lock (a dashboard reading it keeps its old file until it reopens), the
app store through the backup API again, the users file by copy and rename. It refuses to
overwrite an existing warehouse or app store unless told to (`--force`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

from . import warehouse

WAREHOUSE, STORE, USERS, MANIFEST = "attendance.duckdb", "app_store.sqlite", "users.json", "manifest.json"


class BackupError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _paths(db_path, store_path, users_path) -> tuple[Path, Path, Path]:
    from auth.store import store_path as _store
    from auth.users import users_path as _users

    from . import config

    return (
        Path(db_path or config.default_db()),
        Path(store_path or _store()),
        Path(users_path or _users()),
    )


def _sqlite_copy(src: Path, dst: Path) -> None:
    """SQLite's online backup: a consistent copy of a live database, page by page."""
    with closing(sqlite3.connect(src, timeout=30)) as s, closing(sqlite3.connect(dst, timeout=30)) as d:
        s.backup(d)


def backup(to: Path | str, db_path=None, store_path=None, users_path=None) -> dict:
    """Back up the warehouse, the app store and the users file into the new folder `to`."""
    to = Path(to)
    db_path, store_path, users_path = _paths(db_path, store_path, users_path)
    if to.exists() and any(to.iterdir()):
        raise BackupError(f"{to} already exists and is not empty: give a new folder for each backup")
    if not db_path.exists():
        raise BackupError(f"no warehouse at {db_path}: nothing to back up")
    to.parent.mkdir(parents=True, exist_ok=True)
    stage = to.with_name(f".{to.name}.partial-{uuid.uuid4().hex}")
    stage.mkdir()
    try:
        with warehouse.load_lock(db_path):
            shutil.copyfile(db_path, stage / WAREHOUSE)
        files = [WAREHOUSE]
        if store_path.exists():
            _sqlite_copy(store_path, stage / STORE)
            files.append(STORE)
        if users_path.exists():
            shutil.copyfile(users_path, stage / USERS)
            files.append(USERS)
        manifest = {
            "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "from": {"warehouse": str(db_path), "app_store": str(store_path), "users": str(users_path)},
            "warehouse_meta": _meta(stage / WAREHOUSE),
            "files": {f: {"bytes": (stage / f).stat().st_size, "sha256": _sha256(stage / f)} for f in files},
        }
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if to.exists():
            to.rmdir()
        stage.rename(to)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return manifest


def _meta(db: Path) -> dict:
    con = warehouse.connect(db, read_only=True)
    try:
        return warehouse.get_meta(con)
    finally:
        con.close()


def verify(src: Path | str) -> dict:
    """The backup's manifest, after checking every file it lists (size and SHA-256)."""
    src = Path(src)
    if not (src / MANIFEST).exists():
        raise BackupError(f"{src} is not a backup: it has no {MANIFEST}")
    manifest = json.loads((src / MANIFEST).read_text())
    for name, want in manifest["files"].items():
        path = src / name
        if not path.exists():
            raise BackupError(f"{path}: listed in the manifest but missing")
        if path.stat().st_size != want["bytes"] or _sha256(path) != want["sha256"]:
            raise BackupError(f"{path}: differs from the manifest (damaged or changed since the backup)")
    if WAREHOUSE not in manifest["files"]:
        raise BackupError(f"{src}: the manifest lists no warehouse")
    return manifest


def restore(src: Path | str, db_path=None, store_path=None, users_path=None, force: bool = False) -> dict:
    """Put a backup back. Refuses to replace an existing warehouse or app store unless force."""
    src = Path(src)
    manifest = verify(src)
    db_path, store_path, users_path = _paths(db_path, store_path, users_path)
    files = manifest["files"]
    if not force:
        present = [
            str(p) for p, f in ((db_path, WAREHOUSE), (store_path, STORE)) if f in files and p.exists()
        ]
        if present:
            raise BackupError(
                f"{', '.join(present)} already exist(s): restore into new paths, or give --force to replace them"
            )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with warehouse.load_lock(db_path):
        tmp = db_path.with_name(f".{db_path.name}.{uuid.uuid4().hex}.tmp")
        try:
            shutil.copyfile(src / WAREHOUSE, tmp)
            os.replace(tmp, db_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    if STORE in files:
        store_path.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(src / STORE, store_path)
    if USERS in files:
        users_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = users_path.with_name(f".{users_path.name}.{uuid.uuid4().hex}.tmp")
        shutil.copyfile(src / USERS, tmp)
        os.replace(tmp, users_path)
    return {
        "restored_from": str(src),
        "made_at": manifest["made_at"],
        "warehouse": str(db_path),
        "app_store": str(store_path) if STORE in files else None,
        "users": str(users_path) if USERS in files else None,
    }
