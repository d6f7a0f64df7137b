"""The evidence of support for each pupil: what was tried, when, attendance before and after
each action (queries/meeting_action_attendance.sql), and the formal-step warning."""

from __future__ import annotations

import pandas as pd

import queries

from . import strategies

DEFAULT_WEEKS = 6  # school weeks either side of an action


def with_attendance(scope, actions: pd.DataFrame, weeks: int = DEFAULT_WEEKS, con=None) -> pd.DataFrame:
    """Pupil actions (actions.store.list_actions rows) with the pupil's attendance in the
    `weeks` school weeks before and after the week of each action (cohort actions: empty)."""
    cols = ["weeks_before", "attendance_before", "weeks_after", "attendance_after", "change_points"]
    out = actions.copy()
    pupils = out[out["subject"] == "pupil"]
    if pupils.empty:
        for c in cols:
            out[c] = pd.NA
        return out
    att = queries.execute(
        "meeting_action_attendance",
        scope,
        con,
        action_ids=[int(a) for a in pupils["action_id"]],
        action_urns=[int(u) for u in pupils["urn"]],
        action_pupils=[str(p) for p in pupils["pupil_id"]],
        action_dates=[pd.Timestamp(d).date().isoformat() for d in pupils["action_date"]],
        weeks=int(weeks),
    )
    return out.merge(att[["action_id", *cols]], on="action_id", how="left")


def formal_warnings(actions: pd.DataFrame) -> pd.DataFrame:
    """The formal steps recorded for a pupil (any status but 'not tried') with no support
    strategy done before them: no action of the same pupil that is not itself a formal step,
    has status 'done' and a date strictly before the formal step's date. One row per
    such formal step, with a `warning` sentence. Cohort actions are not checked."""
    cols = list(actions.columns) + ["warning"]
    if actions.empty:
        return pd.DataFrame(columns=cols)
    a = actions[actions["subject"] == "pupil"].copy()
    a["is_formal"] = [strategies.is_formal(s, g) for s, g in zip(a["strategy_id"], a["stage"])]
    a["date"] = pd.to_datetime(a["action_date"])
    rows = []
    for _, f in a[a["is_formal"] & (a["status"] != "not tried")].iterrows():
        same = a[(a["urn"] == f["urn"]) & (a["pupil_id"] == f["pupil_id"])]
        support = same[~same["is_formal"] & (same["status"] == "done") & (same["date"] < f["date"])]
        if support.empty:
            r = f.drop(labels=["is_formal", "date"]).to_dict()
            r["warning"] = (
                f"{f.get('pupil_ref') or 'This pupil'}: formal step '{strategies.label(f['strategy_id'])}' "
                f"({f['status']}, {pd.Timestamp(f['action_date']):%d %b %Y}) is recorded with no support "
                "strategy done before it. Support must be tried and evidenced before any formal step."
            )
            rows.append(r)
    return pd.DataFrame(rows, columns=cols)


def evidence_table(actions: pd.DataFrame) -> pd.DataFrame:
    """The evidence view's table: one row per action, oldest first, in plain words."""
    if actions.empty:
        return pd.DataFrame(
            columns=[
                "Date",
                "Group",
                "Strategy",
                "Stage",
                "Status",
                "Tried",
                "Owner",
                "Outcome or reason not tried",
                "Attendance before %",
                "Attendance after %",
                "Change (points)",
                "Weeks after",
            ]
        )
    a = actions.sort_values(["action_date", "action_id"])
    return pd.DataFrame(
        {
            "Date": a["action_date"],
            "Group": a["strategy_group"],
            "Strategy": a["strategy"],
            "Stage": a["stage"],
            "Status": a["status"].map(strategies.STATUS_LABELS),
            "Tried": a["status"].map({"done": "Yes", "not tried": "No", "planned": "Not yet"}),
            "Owner": a["owner"],
            "Outcome or reason not tried": [
                r if s == "not tried" else o
                for s, r, o in zip(a["status"], a["reason_not_tried"], a["outcome"])
            ],
            "Attendance before %": pd.to_numeric(a.get("attendance_before"), errors="coerce").round(1),
            "Attendance after %": pd.to_numeric(a.get("attendance_after"), errors="coerce").round(1),
            "Change (points)": pd.to_numeric(a.get("change_points"), errors="coerce").round(1),
            "Weeks after": a.get("weeks_after"),
        }
    ).reset_index(drop=True)
