"""Audit log (administrators): every view and export of pupil-level data, every sign-in; and the
loads that failed (the watcher's failed/ files)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import access
import ui
from auth import audit
from data_pipeline.watch import load_runs
from ui.context import context

ctx = context()
st.title("Audit log")
if not ctx.scope.may_read_audit_log:  # navigation offers this page to admins only; refuse anyone else
    st.error("The audit log is for administrators.")
    st.stop()

st.markdown(
    "Every view and export of pupil-level data (who, when, role, scope, query or page, "
    "filter), every refusal by the query layer, every sign-in and every change to users. "
    "It is kept in the app store beside the warehouse and survives warehouse rebuilds."
)

ACTIONS = ["(all)", "view", "export", "denied", "sign_in", "sign_in_failed", "sign_out", "users"]
c1, c2, c3, c4 = st.columns([1.4, 1, 1, 1])  # the date range whole, its day and month boxes 24px (WCAG 2.5.8)
today = dt.date.today()
dates = c1.date_input(
    "Dates", value=(today - dt.timedelta(days=30), today), key="audit_dates", format="DD/MM/YYYY"
)
action = c2.selectbox("Action", ACTIONS, key="audit_action")
role = c3.selectbox("Role", ["(all)", *access.ROLES], key="audit_role")
user = c4.text_input("User (exact email)", key="audit_user").strip()
text = st.text_input("Contains (query, page, filter or detail)", key="audit_text").strip()
d_from, d_to = (
    (dates[0], dates[1])
    if isinstance(dates, (tuple, list)) and len(dates) == 2
    else (dates[0] if dates else None, None)
)

log = audit.read_log(
    d_from,
    d_to,
    user or None,
    None if role == "(all)" else role,
    None if action == "(all)" else action,
    text or None,
)
st.markdown(f"**{ui.number(len(log))}** entries, newest first (times in UTC).")
if log.empty:
    st.info("No entries for these filters. Widen the dates or clear a filter.")
else:
    st.dataframe(
        log,
        hide_index=True,
        column_config={
            "at": "When (UTC)",
            "params": "Filter parameters",
            "rows": st.column_config.NumberColumn("Rows"),
        },
    )
    ui.csv_download(
        log,
        False,
        "",
        "audit_log",
        "audit_csv",
        audited=dict(
            scope=ctx.scope,
            what="audit_log",
            params={"from": d_from, "to": d_to, "action": action, "role": role, "user": user, "text": text},
            rows=len(log),
        ),
    )

# Loads that failed: files the watcher (python -m data_pipeline watch) moved to failed/, with why.
st.header("Loads that failed")
failed_loads = load_runs("failed", limit=100)
if failed_loads.empty:
    st.caption("No file dropped in the load inbox has failed to load.")
else:
    st.markdown(
        f"**{ui.number(len(failed_loads))}** files moved to `failed/` (newest first, times in UTC); "
        "each has its report beside it. No figure in the warehouse changed."
    )
    st.dataframe(failed_loads, hide_index=True, column_config={"at": "When (UTC)", "moved_to": "File now at"})
