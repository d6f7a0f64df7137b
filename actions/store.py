"""The action store: actions agreed at Targeting Support Meetings, in the app store
(auth.store: a SQLite file beside the warehouse that survives every warehouse rebuild).

An action is for a pupil or a cohort of one school (urn). A pupil is keyed by the
warehouse's pupil_id (the school's own identifier, stable across loads), never by the
pseudonym shown on screen; the pseudonym is recomputed for display with
queries.pseudonym(urn, pupil_id), whose key lives in the same app store. Every create and
edit appends a row to `meeting_action_history` (who, role, when, the fields before and
after); triggers make that table append-only, and actions are never deleted (an action
that did not happen is marked 'not tried' with the reason). Values are always bound.

Who may record: roles with pupil-level access (LA officer, school staff), for schools in
their scope. Who may read: anyone whose scope holds the school; pupil actions only for
roles with pupil-level access (a governor or an administrator sees cohort actions only).
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing

import pandas as pd

import queries
from auth import store as app_store
from queries import AccessDenied

from . import strategies

SCHEMA = """
create table if not exists meeting_actions (
    action_id integer primary key autoincrement,
    urn integer not null,
    meeting_term text not null,          -- the meeting that agreed it: '<academic year>-<term>', e.g. '2025-Spring'
    subject text not null check (subject in ('pupil', 'cohort')),
    pupil_id text,                       -- the warehouse's pupil_id (stable across rebuilds); pupil actions
    cohort text,                         -- cohort actions: e.g. 'Eligible for FSM', 'Year 9'
    strategy_id text not null,           -- data/reference/support_strategies.csv
    stage text not null,                 -- graduated response: Expect .. Enforce
    owner text not null default '',
    action_date text not null,           -- ISO date the action was (or is to be) taken
    review_date text not null default '',-- ISO date the action is to be reviewed ('' none set)
    status text not null check (status in ('planned', 'done', 'not tried')),
    reason_not_tried text not null default '',
    outcome text not null default '',
    created_at text not null, created_by text not null,
    updated_at text not null, updated_by text not null,
    check ((subject = 'pupil' and pupil_id is not null) or (subject = 'cohort' and cohort is not null))
);
create index if not exists meeting_actions_school on meeting_actions (urn, meeting_term);
create index if not exists meeting_actions_pupil on meeting_actions (urn, pupil_id);
create table if not exists meeting_action_history (
    id integer primary key autoincrement,
    action_id integer not null,
    at text not null,                    -- UTC, ISO 8601
    user text not null,
    role text not null,
    change text not null,                -- 'created' | 'edited'
    before text,                         -- JSON: the changed fields before (null when created)
    after text not null                  -- JSON: the changed fields after
);
create index if not exists meeting_action_history_action on meeting_action_history (action_id, id);
create trigger if not exists meeting_action_history_no_update before update on meeting_action_history
begin select raise(abort, 'meeting_action_history is append-only'); end;
create trigger if not exists meeting_action_history_no_delete before delete on meeting_action_history
begin select raise(abort, 'meeting_action_history is append-only'); end;
create trigger if not exists meeting_actions_no_delete before delete on meeting_actions
begin select raise(abort, 'actions are never deleted: mark them not tried'); end;
"""
# Free text is bounded here (the store), whatever the form allows.
MAX_TEXT = {"owner": 200, "reason_not_tried": 1000, "outcome": 4000}
EDITABLE = (
    "strategy_id",
    "stage",
    "owner",
    "action_date",
    "review_date",
    "status",
    "reason_not_tried",
    "outcome",
)
COLUMNS = (
    "action_id",
    "urn",
    "meeting_term",
    "subject",
    "pupil_id",
    "cohort",
    *EDITABLE,
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)


class ActionError(ValueError):
    """An action that cannot be saved as given (the message says why, for the form)."""


def connect():
    con = app_store.connect()
    con.executescript(SCHEMA)
    # stores made before review dates were recorded
    if "review_date" not in {r[1] for r in con.execute("pragma table_info(meeting_actions)")}:
        con.execute("alter table meeting_actions add column review_date text not null default ''")
    return con


def can_record(scope) -> bool:
    return scope.may_record_actions


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _iso(value) -> str:
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).date().isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError as exc:
        raise ActionError(f"not a date: {value!r}") from exc


def _check_writable(scope, urn) -> None:
    if not can_record(scope):
        raise AccessDenied(f"the {scope.role} role may not record actions")
    if not scope.allows_school(urn):
        raise AccessDenied(f"school {urn} is outside the viewer's scope")


def _validate(fields: dict) -> dict:
    out = dict(fields)
    if out.get("strategy_id") not in strategies.by_id():
        raise ActionError("choose a strategy from the checklist")
    if out.get("stage") not in strategies.STAGES:
        raise ActionError(f"the stage must be one of: {', '.join(strategies.STAGES)}")
    if out.get("status") not in strategies.STATUSES:
        raise ActionError(f"the status must be one of: {', '.join(strategies.STATUSES)}")
    out["action_date"] = _iso(out.get("action_date"))
    review = out.get("review_date")
    out["review_date"] = "" if review is None or review == "" or pd.isna(review) else _iso(review)
    if out["review_date"] and out["review_date"] < out["action_date"]:
        raise ActionError("the review date is before the action's date")
    for k in ("owner", "reason_not_tried", "outcome"):
        out[k] = (
            ""
            if out.get(k) is None or (not isinstance(out.get(k), str) and pd.isna(out.get(k)))
            else str(out[k]).strip()
        )
    if out["status"] == "not tried" and not out["reason_not_tried"]:
        raise ActionError("say why the action was not tried")
    for k, most in MAX_TEXT.items():
        if len(out[k]) > most:
            raise ActionError(f"the {k.replace('_', ' ')} is {len(out[k]):,} characters: at most {most:,}")
    return out


def resolve_pupil(scope, urn: int, pupil_ref: str, con=None) -> str:
    """The warehouse pupil_id behind a pseudonymous reference at school urn (audited)."""
    found = queries.execute(
        "meeting_pupil_key", scope, con, identify=True, urn=int(urn), pupil_ref=str(pupil_ref).strip().upper()
    )
    if found.empty:
        raise ActionError(f"no pupil {pupil_ref} at school {urn}")
    if len(found) > 1:
        raise ActionError(f"{pupil_ref} matches more than one pupil at school {urn}")
    return str(found.iloc[0]["pupil_id"])


def _history(con, action_id: int, scope, change: str, before: dict | None, after: dict) -> None:
    con.execute(
        "insert into meeting_action_history (action_id, at, user, role, change, before, after) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        (
            action_id,
            _now(),
            scope.user,
            scope.role,
            change,
            None if before is None else json.dumps(before, default=str),
            json.dumps(after, default=str),
        ),
    )


def add_action(
    scope,
    *,
    urn: int,
    meeting_term: str,
    strategy_id: str,
    stage: str,
    action_date,
    review_date=None,
    status: str = "planned",
    owner: str = "",
    reason_not_tried: str = "",
    outcome: str = "",
    pupil_id: str | None = None,
    pupil_ref: str | None = None,
    cohort: str | None = None,
    con=None,
) -> int:
    """Record one action for a pupil (pupil_id, or pupil_ref resolved through the warehouse)
    or a cohort; returns its action_id. The creation is written to the history."""
    urn = int(urn)
    _check_writable(scope, urn)
    if pupil_id is None and pupil_ref:
        pupil_id = resolve_pupil(scope, urn, pupil_ref, con)
    if (pupil_id is None) == (not cohort):
        raise ActionError("an action is for one pupil or one cohort")
    fields = _validate(
        dict(
            strategy_id=strategy_id,
            stage=stage,
            owner=owner,
            action_date=action_date,
            review_date=review_date,
            status=status,
            reason_not_tried=reason_not_tried,
            outcome=outcome,
        )
    )
    subject = "pupil" if pupil_id is not None else "cohort"
    now = _now()
    with closing(connect()) as db:
        cur = db.execute(
            "insert into meeting_actions (urn, meeting_term, subject, pupil_id, cohort, strategy_id, stage, "
            "owner, action_date, review_date, status, reason_not_tried, outcome, created_at, created_by, "
            "updated_at, updated_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                urn,
                str(meeting_term),
                subject,
                None if pupil_id is None else str(pupil_id),
                None if cohort is None else str(cohort).strip(),
                fields["strategy_id"],
                fields["stage"],
                fields["owner"],
                fields["action_date"],
                fields["review_date"],
                fields["status"],
                fields["reason_not_tried"],
                fields["outcome"],
                now,
                scope.user,
                now,
                scope.user,
            ),
        )
        action_id = int(cur.lastrowid)
        _history(
            db,
            action_id,
            scope,
            "created",
            None,
            {"urn": urn, "meeting_term": meeting_term, "subject": subject, "cohort": cohort, **fields},
        )
    return action_id


def _get(db, action_id: int) -> dict | None:
    cur = db.execute(
        f"select {', '.join(COLUMNS)} from meeting_actions where action_id = ?", (int(action_id),)
    )
    row = cur.fetchone()
    return None if row is None else dict(zip(COLUMNS, row))


def update_action(scope, action_id: int, **changes) -> bool:
    """Edit an action's editable fields; True if anything changed (then written to the history)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ActionError(f"these fields cannot be edited: {sorted(unknown)}")
    with closing(connect()) as db:
        old = _get(db, action_id)
        if old is None:
            raise ActionError(f"no action {action_id}")
        _check_writable(scope, old["urn"])
        new = _validate({**{k: old[k] for k in EDITABLE}, **changes})
        diff = [k for k in EDITABLE if str(new[k]) != str(old[k])]
        if not diff:
            return False
        db.execute("begin immediate")
        try:
            db.execute(
                f"update meeting_actions set {', '.join(f'{k} = ?' for k in diff)}, updated_at = ?, "
                "updated_by = ? where action_id = ?",
                (*[new[k] for k in diff], _now(), scope.user, int(action_id)),
            )
            _history(
                db, int(action_id), scope, "edited", {k: old[k] for k in diff}, {k: new[k] for k in diff}
            )
            db.execute("commit")
        except Exception:
            db.execute("rollback")
            raise
    return True


def list_actions(
    scope,
    urn: int | None = None,
    meeting_term: str | None = None,
    pupil_id: str | None = None,
    subject: str | None = None,
) -> pd.DataFrame:
    """Actions the viewer may see, newest meeting first, with pupil_ref (the pseudonym),
    the strategy's label and group, and formal_step. Pupil actions need pupil-level access."""
    sql = [f"select {', '.join(COLUMNS)} from meeting_actions where 1 = 1"]
    args: list = []
    if urn is not None:
        if not scope.allows_school(urn):
            raise AccessDenied(f"school {urn} is outside the viewer's scope")
        sql.append("and urn = ?")
        args.append(int(urn))
    elif scope.schools is not None:
        sql.append(f"and urn in ({', '.join('?' for _ in scope.schools)})")
        args.extend(int(u) for u in scope.schools)
    if meeting_term is not None:
        sql.append("and meeting_term = ?")
        args.append(str(meeting_term))
    if pupil_id is not None:
        sql.append("and pupil_id = ?")
        args.append(str(pupil_id))
    if not scope.pupil_rows_allowed:
        subject = "cohort"
    if subject is not None:
        sql.append("and subject = ?")
        args.append(subject)
    sql.append("order by action_date, action_id")
    with closing(connect()) as db:
        df = pd.DataFrame(db.execute(" ".join(sql), args).fetchall(), columns=list(COLUMNS))
    return _decorate(scope, df, {"urn": urn, "meeting_term": meeting_term, "subject": subject})


def _decorate(scope, df: pd.DataFrame, params: dict) -> pd.DataFrame:
    df.insert(
        5,
        "pupil_ref",
        [queries.pseudonym(u, p) if isinstance(p, str) else None for u, p in zip(df["urn"], df["pupil_id"])],
    )
    df["strategy"] = df["strategy_id"].map(strategies.label)
    df["strategy_group"] = df["strategy_id"].map(strategies.group_of)
    df["formal_step"] = [strategies.is_formal(s, g) for s, g in zip(df["strategy_id"], df["stage"])]
    df["action_date"] = pd.to_datetime(df["action_date"]).dt.date
    df["review_date"] = pd.to_datetime(
        df["review_date"].where(df["review_date"] != ""), errors="coerce"
    ).dt.date
    if (df["subject"] == "pupil").any():
        from auth import audit

        audit.record(
            scope, "view", "meeting_actions", params, rows=int((df["subject"] == "pupil").sum()), dedupe=True
        )
    return df


def subjects(actions: pd.DataFrame) -> list[str]:
    """Whom each action is for, as tables show it: the pupil's pseudonym or 'Cohort: <name>'."""
    return [
        r if s == "pupil" else f"Cohort: {c}"
        for s, r, c in zip(actions["subject"], actions["pupil_ref"], actions["cohort"])
    ]


def history(scope, urn: int, action_id: int | None = None) -> pd.DataFrame:
    """The edit history of a school's actions (or one action), oldest first."""
    if not scope.allows_school(urn):
        raise AccessDenied(f"school {urn} is outside the viewer's scope")
    sql = (
        "select h.id, h.action_id, h.at, h.user, h.role, h.change, h.before, h.after "
        "from meeting_action_history h join meeting_actions a using (action_id) where a.urn = ?"
    )
    args: list = [int(urn)]
    if action_id is not None:
        sql += " and h.action_id = ?"
        args.append(int(action_id))
    if not scope.pupil_rows_allowed:
        sql += " and a.subject = 'cohort'"
    with closing(connect()) as db:
        cur = db.execute(sql + " order by h.id", args)
        return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
