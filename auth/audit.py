"""The audit log: every view and export of pupil-level data, and every sign-in.

The query layer calls `record(...)` for every `-- returns: pupil rows` query it runs (and
every one it refuses); downloads made with `ui.download(..., audited=...)` call
`record_export(...)` as the file is made, on the click.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from contextlib import closing

import pandas as pd

from . import store

# A page re-runs on every widget change: the same view in the same session is recorded once
# in this many seconds.
REPEAT_SECONDS = 600


def _scope_text(scope) -> str:
    schools = getattr(scope, "schools", None)
    return "all schools" if schools is None else ",".join(str(u) for u in schools)


# Parameters that carry pupils' identifiers (a school's MIS id or UPN with real data): the log
# keeps the pseudonym a pupil-level viewer is shown instead, never the identifier itself.
_PUPIL_KEYS = {"pupil_id", "pupil_ids", "pupils", "action_pupils", "upn", "upns"}
_URN_KEYS = ("action_urns", "urns", "urn")


def _deidentify(params: dict) -> dict:
    out = dict(params)
    for key in [k for k in out if k.lower() in _PUPIL_KEYS]:
        value = out.pop(key)
        urns = next((out[k] for k in _URN_KEYS if k in out), None)
        many = isinstance(value, (list, tuple))
        ids = list(value) if many else [value]
        urn_list = list(urns) if isinstance(urns, (list, tuple)) else [urns] * len(ids)
        refs = [
            store.pseudonym(u, pid) if u is not None and pid is not None else "P-?"
            for u, pid in zip(urn_list + [None] * (len(ids) - len(urn_list)), ids)
        ]
        out[key.replace("pupil_id", "pupil_ref").replace("pupils", "pupil_refs")] = refs if many else refs[0]
    return out


def _json(params: dict | None) -> str:
    return json.dumps(_deidentify(params or {}), default=str, sort_keys=True)


def _session():
    """Streamlit's session state when running inside a script, else None."""
    if "streamlit" not in sys.modules:  # the command line: no session
        return None
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:
            return None
        import streamlit as st

        return st.session_state
    except Exception:
        return None


def current_page() -> str | None:
    ss = _session()
    return ss.get("_audit_page") if ss is not None else None


def set_current_page(title: str) -> None:
    ss = _session()
    if ss is not None:
        ss["_audit_page"] = title


def record(
    scope=None,
    action: str = "view",
    query: str | None = None,
    params: dict | None = None,
    rows: int | None = None,
    page: str | None = None,
    detail: str | None = None,
    user: str | None = None,
    role: str | None = None,
    dedupe: bool = False,
) -> None:
    """Write one audit row (who, when, role, scope, what, filter parameters)."""
    user = user or getattr(scope, "user", None) or "unknown"
    role = role or getattr(scope, "role", None) or "unknown"
    page = page or current_page()
    ptext = _json(params)
    if dedupe:
        ss = _session()
        if ss is not None:
            seen = ss.setdefault("_audit_seen", {})
            key = (user, action, query, page, ptext)
            if time.time() - seen.get(key, 0) < REPEAT_SECONDS:
                return
            seen[key] = time.time()
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with closing(store.connect()) as con:
        con.execute(
            "insert into audit_log (at, user, role, scope, action, query, page, params, rows, detail) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                at,
                user,
                role,
                _scope_text(scope) if scope is not None else "-",
                action,
                query,
                page,
                ptext,
                rows,
                detail,
            ),
        )


def record_export(
    scope,
    what: str,
    params: dict | None = None,
    rows: int | None = None,
    page: str | None = None,
    file_name: str | None = None,
) -> None:
    """Call when pupil-level data leaves the dashboard (a download): who, what, which filter."""
    record(scope, "export", what, params, rows, page, detail=file_name)


def sign_in_failures(
    user: str | None = None, client: str | None = None, minutes: int = 15
) -> tuple[int, str]:
    """(failed sign-ins in the last `minutes`, when the latest was) for an account at one client,
    or for a client across every account; an account's count restarts at its last sign-in."""
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).isoformat(timespec="seconds")
    sql = "select count(*), max(at) from audit_log where action = 'sign_in_failed' and at >= ?"
    args: list = [since]
    if client is not None:
        sql += " and detail = ?"
        args.append(f"client {client}")
    if user is not None:
        sql += " and user = ? and at > coalesce((select max(at) from audit_log where user = ? and action = 'sign_in'), '')"
        args += [user, user]
    with closing(store.connect()) as con:
        n, latest = con.execute(sql, args).fetchone()
    return int(n), latest or ""


def read_log(
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    user: str | None = None,
    role: str | None = None,
    action: str | None = None,
    text: str | None = None,
    limit: int = 50000,
) -> pd.DataFrame:
    """Audit rows, newest first, filtered (all filters bound, never pasted into SQL)."""
    sql = [
        "select id, at, user, role, scope, action, query, page, params, rows, detail "
        "from audit_log where 1 = 1"
    ]
    args: list = []
    if date_from:
        sql.append("and at >= ?")
        args.append(date_from.isoformat())
    if date_to:
        sql.append("and at < ?")
        args.append((date_to + dt.timedelta(days=1)).isoformat())
    if user:
        sql.append("and user = ?")
        args.append(user)
    if role:
        sql.append("and role = ?")
        args.append(role)
    if action:
        sql.append("and action = ?")
        args.append(action)
    if text:
        sql.append(
            "and (coalesce(query, '') || ' ' || coalesce(page, '') || ' ' || coalesce(params, '') "
            "|| ' ' || coalesce(detail, '')) like ? escape '\\'"
        )
        args.append("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    sql.append("order by id desc limit ?")
    args.append(int(limit))
    with closing(store.connect()) as con:
        cur = con.execute(" ".join(sql), args)
        cols = [d[0] for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=cols)
