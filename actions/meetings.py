"""The meeting record: each Targeting Support Meeting (date, school, term, the LA's named
officer, the attendees), the shortlist of pupils discussed, and each pupil's lead
practitioner, in the app store beside the actions (actions.store), so they survive every
warehouse rebuild. Pupils are keyed by the warehouse's pupil_id, shown by pseudonym.

Who may record: roles that may record actions, for schools in their scope. Who may read:
anyone whose scope holds the school; the shortlist and lead practitioners (pupil rows)
only for roles with pupil-level access, and each such read is audited. Every change is
appended to `meeting_record_history` (append-only, as the actions' history).
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing

import pandas as pd

import queries
from queries import AccessDenied

from . import store

SCHEMA = """
create table if not exists meetings (
    meeting_id integer primary key autoincrement,
    urn integer not null,
    meeting_term text not null,          -- '<academic year>-<term>', as meeting_actions
    meeting_date text not null,          -- ISO date the meeting was held
    la_officer text not null,            -- the LA's named officer
    attendees text not null default '[]',-- JSON: [{"name": .., "role": ..}]
    notes text not null default '',
    synthetic integer not null default 0,-- 1: made by the demo build
    created_at text not null, created_by text not null,
    updated_at text not null, updated_by text not null,
    unique (urn, meeting_term)
);
create table if not exists meeting_shortlist (
    meeting_id integer not null references meetings (meeting_id),
    pupil_id text not null,
    from_list text not null,             -- the list the pupil was chosen from
    primary key (meeting_id, pupil_id)
);
create table if not exists lead_practitioners (
    urn integer not null,
    pupil_id text not null,
    name text not null,
    role text not null default '',
    since text not null,                 -- ISO date
    primary key (urn, pupil_id)
);
create table if not exists school_statements (
    urn integer primary key,
    statement text not null,             -- the school's attendance strategy, for its governors
    updated_at text not null, updated_by text not null
);
create table if not exists meeting_record_history (
    id integer primary key autoincrement,
    at text not null, user text not null, role text not null,
    kind text not null,                  -- 'meeting' | 'shortlist' | 'lead practitioner'
    urn integer not null,
    record text not null                 -- JSON: what was written (pupils by pseudonym)
);
create trigger if not exists meeting_record_history_no_update before update on meeting_record_history
begin select raise(abort, 'meeting_record_history is append-only'); end;
create trigger if not exists meeting_record_history_no_delete before delete on meeting_record_history
begin select raise(abort, 'meeting_record_history is append-only'); end;
"""
MAX_TEXT = {"name": 200, "role": 200, "notes": 4000, "statement": 1500}
MAX_ATTENDEES = 30


def connect():
    con = store.connect()
    con.executescript(SCHEMA)
    return con


def _text(value, field: str) -> str:
    out = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()
    most = MAX_TEXT.get(field, 200)
    if len(out) > most:
        raise store.ActionError(f"the {field} is {len(out):,} characters: at most {most:,}")
    return out


def _log(db, scope, kind: str, urn: int, record: dict) -> None:
    db.execute(
        "insert into meeting_record_history (at, user, role, kind, urn, record) values (?, ?, ?, ?, ?, ?)",
        (store._now(), scope.user, scope.role, kind, int(urn), json.dumps(record, default=str)),
    )


def _readable(scope, urn: int) -> None:
    if not scope.allows_school(urn):
        raise AccessDenied(f"school {urn} is outside the viewer's scope")


def save_meeting(
    scope,
    *,
    urn: int,
    meeting_term: str,
    meeting_date,
    la_officer: str,
    attendees: list[dict],
    notes: str = "",
    synthetic: bool = False,
) -> int:
    """Create or update the school's meeting of that term; returns its meeting_id."""
    urn = int(urn)
    store._check_writable(scope, urn)
    officer = _text(la_officer, "name")
    if not officer:
        raise store.ActionError("name the LA's officer at the meeting")
    people = []
    for a in attendees or []:
        name, role = _text(a.get("name"), "name"), _text(a.get("role"), "role")
        if name:
            people.append({"name": name, "role": role})
    if len(people) > MAX_ATTENDEES:
        raise store.ActionError(f"at most {MAX_ATTENDEES} attendees")
    record = dict(
        meeting_date=store._iso(meeting_date),
        la_officer=officer,
        attendees=json.dumps(people),
        notes=_text(notes, "notes"),
    )
    now = store._now()
    with closing(connect()) as db:
        db.execute(
            "insert into meetings (urn, meeting_term, meeting_date, la_officer, attendees, notes, synthetic, "
            "created_at, created_by, updated_at, updated_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "on conflict (urn, meeting_term) do update set meeting_date = excluded.meeting_date, "
            "la_officer = excluded.la_officer, attendees = excluded.attendees, notes = excluded.notes, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (urn, str(meeting_term), *record.values(), int(synthetic), now, scope.user, now, scope.user),
        )
        meeting_id = db.execute(
            "select meeting_id from meetings where urn = ? and meeting_term = ?", (urn, str(meeting_term))
        ).fetchone()[0]
        _log(db, scope, "meeting", urn, {"meeting_id": meeting_id, "meeting_term": meeting_term, **record})
    return int(meeting_id)


def meeting(scope, urn: int, meeting_term: str) -> dict | None:
    """The school's meeting of that term (attendees as a list), or None."""
    _readable(scope, urn)
    with closing(connect()) as db:
        cur = db.execute(
            "select meeting_id, urn, meeting_term, meeting_date, la_officer, attendees, notes, synthetic "
            "from meetings where urn = ? and meeting_term = ?",
            (int(urn), str(meeting_term)),
        )
        row = cur.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cur.description], row))
    out["attendees"] = json.loads(out["attendees"])
    out["meeting_date"] = dt.date.fromisoformat(out["meeting_date"])
    out["synthetic"] = bool(out["synthetic"])
    return out


def set_shortlist(scope, meeting_id: int, pupils: dict[str, str]) -> None:
    """The pupils discussed at a meeting: {pupil_id: the list they were chosen from}."""
    with closing(connect()) as db:
        row = db.execute("select urn from meetings where meeting_id = ?", (int(meeting_id),)).fetchone()
        if row is None:
            raise store.ActionError(f"no meeting {meeting_id}")
        urn = int(row[0])
        store._check_writable(scope, urn)
        shown = sorted(queries.pseudonym(urn, p) for p in pupils)  # before the write lock: may set the key
        db.execute("begin immediate")
        try:
            db.execute("delete from meeting_shortlist where meeting_id = ?", (int(meeting_id),))
            db.executemany(
                "insert into meeting_shortlist (meeting_id, pupil_id, from_list) values (?, ?, ?)",
                [(int(meeting_id), str(p), _text(src, "role")) for p, src in pupils.items()],
            )
            _log(
                db,
                scope,
                "shortlist",
                urn,
                {"meeting_id": meeting_id, "pupils": shown},
            )
            db.execute("commit")
        except Exception:
            db.execute("rollback")
            raise


def shortlist(scope, meeting_id: int) -> pd.DataFrame:
    """pupil_id, pupil_ref, from_list of a meeting (empty for roles without pupil rows)."""
    cols = ["pupil_id", "pupil_ref", "from_list"]
    with closing(connect()) as db:
        row = db.execute("select urn from meetings where meeting_id = ?", (int(meeting_id),)).fetchone()
        if row is None:
            return pd.DataFrame(columns=cols)
        urn = int(row[0])
        _readable(scope, urn)
        if not scope.pupil_rows_allowed:
            return pd.DataFrame(columns=cols)
        rows = db.execute(
            "select pupil_id, from_list from meeting_shortlist where meeting_id = ? order by pupil_id",
            (int(meeting_id),),
        ).fetchall()
    df = pd.DataFrame(rows, columns=["pupil_id", "from_list"])
    df.insert(1, "pupil_ref", [queries.pseudonym(urn, p) for p in df["pupil_id"]])
    if len(df):
        from auth import audit

        audit.record(scope, "view", "meeting_shortlist", {"urn": urn}, rows=len(df), dedupe=True)
    return df[cols]


def set_lead_practitioner(scope, urn: int, pupil_id: str, name: str, role: str = "", since=None) -> None:
    """The pupil's lead practitioner (one per pupil and school; replaced when set again)."""
    urn = int(urn)
    store._check_writable(scope, urn)
    name = _text(name, "name")
    if not name:
        raise store.ActionError("name the lead practitioner")
    record = dict(name=name, role=_text(role, "role"), since=store._iso(since or dt.date.today()))
    with closing(connect()) as db:
        db.execute(
            "insert into lead_practitioners (urn, pupil_id, name, role, since) values (?, ?, ?, ?, ?) "
            "on conflict (urn, pupil_id) do update set name = excluded.name, role = excluded.role, "
            "since = excluded.since",
            (urn, str(pupil_id), *record.values()),
        )
        _log(db, scope, "lead practitioner", urn, {"pupil_ref": queries.pseudonym(urn, pupil_id), **record})


def lead_practitioners(scope, urn: int) -> pd.DataFrame:
    """pupil_id, pupil_ref, name, role, since for the school's pupils (pupil-level roles only)."""
    _readable(scope, urn)
    cols = ["pupil_id", "pupil_ref", "name", "role", "since"]
    if not scope.pupil_rows_allowed:
        return pd.DataFrame(columns=cols)
    with closing(connect()) as db:
        rows = db.execute(
            "select pupil_id, name, role, since from lead_practitioners where urn = ? order by pupil_id",
            (int(urn),),
        ).fetchall()
    df = pd.DataFrame(rows, columns=["pupil_id", "name", "role", "since"])
    df.insert(1, "pupil_ref", [queries.pseudonym(urn, p) for p in df["pupil_id"]])
    if len(df):
        from auth import audit

        audit.record(scope, "view", "lead_practitioners", {"urn": urn}, rows=len(df), dedupe=True)
    return df[cols]


def statement(scope, urn: int) -> dict | None:
    """The school's attendance strategy statement (text, updated_at, updated_by), or None.
    Not pupil data: every role whose scope holds the school reads it."""
    _readable(scope, urn)
    with closing(connect()) as db:
        row = db.execute(
            "select statement, updated_at, updated_by from school_statements where urn = ?", (int(urn),)
        ).fetchone()
    return None if row is None else dict(zip(("statement", "updated_at", "updated_by"), row))


def set_statement(scope, urn: int, text: str) -> None:
    """School staff and LA officers write the statement their governors read."""
    urn = int(urn)
    store._check_writable(scope, urn)
    text = _text(text, "statement")
    with closing(connect()) as db:
        db.execute(
            "insert into school_statements (urn, statement, updated_at, updated_by) values (?, ?, ?, ?) "
            "on conflict (urn) do update set statement = excluded.statement, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            (urn, text, store._now(), scope.user),
        )
        _log(db, scope, "strategy statement", urn, {"statement": text})
