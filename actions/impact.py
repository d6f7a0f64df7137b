"""Impact of each strategy across the viewer's scope: attendance of the pupils in the N
school weeks before and after the action (queries/meeting_strategy_impact.sql), with small
groups suppressed. Not a controlled comparison (see CAVEAT)."""

from __future__ import annotations

from contextlib import closing

import pandas as pd

import queries
from queries.suppression import suppress

from . import store, strategies

CAVEAT = (
    "This is not a controlled comparison. It shows what happened to the attendance of the pupils "
    "who had each strategy, not what the strategy caused: there is no group of similar pupils "
    "without it, pupils are usually chosen when their attendance has fallen (and some recover "
    "anyway), several strategies are often tried at once, and seasons differ (winter illness). "
    "Use it to ask questions, not to rank strategies."
)
COUNT_COLS = ["pupils", "pupils_improved"]
RATE_COLS = {
    "attendance_before": ("pupils",),
    "attendance_after": ("pupils",),
    "change_points": ("pupils",),
    "share_improved": ("pupils_improved", "pupils"),
}


def done_pupil_actions(scope) -> pd.DataFrame:
    """Done pupil actions in the viewer's scope: strategy_id, urn, pupil_id, action_date.
    Used only inside aggregates (never shown), so read without the pupil-rows audit."""
    sql = (
        "select strategy_id, urn, pupil_id, action_date from meeting_actions "
        "where subject = 'pupil' and status = 'done'"
    )
    args: list = []
    if scope.schools is not None:
        sql += f" and urn in ({', '.join('?' for _ in scope.schools)})"
        args = [int(u) for u in scope.schools]
    with closing(store.connect()) as db:
        return pd.DataFrame(
            db.execute(sql, args).fetchall(), columns=["strategy_id", "urn", "pupil_id", "action_date"]
        )


def strategy_impact(scope, weeks: int = 6, con=None) -> pd.DataFrame:
    """One row per strategy with done pupil actions: pupils (with weeks on both sides),
    schools, pupils_improved, attendance_before, attendance_after (%), change_points, the
    strategy's label and group, in checklist order. Counts under the scope's threshold and
    the rates built on them are 'c' for every role: too few pupils to say anything."""
    acts = done_pupil_actions(scope)
    cols = [
        "strategy_id",
        "group_name",
        "strategy",
        "pupils",
        "schools",
        "pupils_improved",
        "share_improved",
        "attendance_before",
        "attendance_after",
        "change_points",
    ]
    if acts.empty:
        return pd.DataFrame(columns=cols)
    df = queries.execute(
        "meeting_strategy_impact",
        scope,
        con,
        action_strategies=acts["strategy_id"].tolist(),
        action_urns=[int(u) for u in acts["urn"]],
        action_pupils=[str(p) for p in acts["pupil_id"]],
        action_dates=[str(d) for d in acts["action_date"]],
        weeks=int(weeks),
    )
    ref = strategies.strategies().set_index("strategy_id")
    df["group_name"] = df["strategy_id"].map(ref["group_name"])
    df["strategy"] = df["strategy_id"].map(ref["strategy"])
    df["sort"] = df["strategy_id"].map(ref["sort"])
    df = df.sort_values("sort")[cols].reset_index(drop=True)
    for c in ("share_improved", "attendance_before", "attendance_after", "change_points"):
        df[c] = df[c].astype(float).round(1)
    return suppress(df, COUNT_COLS, RATE_COLS, scope.suppression_threshold, group_cols=None, numeric=True)
