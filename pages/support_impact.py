"""Impact of support strategies: for each strategy on the checklist, the attendance of the
pupils who had it in the school weeks before and after, across the viewer's schools; small
groups suppressed; not a controlled comparison."""

from __future__ import annotations

import streamlit as st

import ui
from actions import impact
from queries import suppression
from ui.context import context
from ui.meeting import before_after_chart

ctx = context()
st.title("Impact of support strategies")
st.warning(impact.CAVEAT, icon=":material/info:")
weeks = st.select_slider(
    "School weeks before and after each action", [4, 6, 8, 12], value=6, key="impact_weeks"
)
df = impact.strategy_impact(ctx.scope, weeks)
where = "your schools" if ctx.scope.schools is not None else f"{ctx.la_name}'s schools"
if df.empty:
    done = impact.done_pupil_actions(ctx.scope)
    st.info(
        f"{len(done)} support action{'s' if len(done) != 1 else ''} for {done['pupil_id'].nunique()} pupils "
        f"{'are' if len(done) != 1 else 'is'} recorded as done in {where}, but none yet has {weeks} school weeks "
        "of attendance before and after it in the warehouse: the comparison appears as the weeks after are loaded."
        if len(done)
        else f"No support strategy has been recorded as done for a pupil in {where} yet. Actions are recorded on "
        "the Targeting Support Meeting page."
    )
    st.stop()
t = ctx.scope.suppression_threshold
shown = df[~suppression.withheld(df)["pupils"]].copy()
st.caption(
    f"Done pupil actions in {where}. A pupil counts once per strategy (the first time), and only with school "
    f"weeks on both sides. Strategies with fewer than {t} such pupils are shown as 'c': too few to say anything."
)
if shown.empty:
    st.info(
        f"No strategy has {t} or more pupils with weeks before and after yet; the table lists them as 'c'."
    )
    st.dataframe(ui.table_view(df), hide_index=True)
    st.stop()
shown = shown.iloc[::-1]
labels = [s[:55] for s in shown["strategy"]]
fig = before_after_chart(labels, shown["attendance_before"], shown["attendance_after"], weeks)
fig.update_xaxes(title="attendance of the pupils, % of sessions")
best = shown.loc[shown["change_points"].astype(float).idxmax()]
reading = (
    f"Of {len(df)} strategies done with pupils, {len(shown)} have {t} or more pupils to compare; the largest "
    f"rise after the action was for **{best['strategy']}** ({best['attendance_before']:.1f}% to "
    f"{best['attendance_after']:.1f}%, {int(best['pupils'])} pupils), which is not evidence that it caused it."
)
ui.chart_block(
    fig,
    reading,
    df,
    f"support_impact_{weeks}_weeks",
    ctx.synthetic,
    note=f"{weeks} school weeks before and after; not a controlled comparison",
    key="impact",
)
