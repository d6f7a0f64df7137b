"""Names and helpers for the Cohorts page: the characteristics a cohort can be drawn by, and
how suppressed figures read on screen."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

import catalogue
import queries
import ui
from data_pipeline.codes import REASON_LABELS
from queries import comparison
from ui import sections

# The characteristics the cohort queries understand ($dimension), in the order offered.
DIMENSIONS = {d.id: d.label for d in catalogue.dimensions().values()}
SHORT = {d.id: d.short for d in catalogue.dimensions().values()}
# Where DfE publishes the same cohort (school census absence bands, bench_cohort).
PUBLISHED = {d.id for d in catalogue.dimensions().values() if d.national}

# The measures a cohort is shown on (labels and units from the catalogue), with the columns
# holding the same measure for all other pupils and the gap to them, where the query has them.
MEASURES = {
    "persistent_absence_rate": ("other_persistent_absence_rate", "gap_persistent_absence"),
    "severe_absence_rate": ("other_severe_absence_rate", "gap_severe_absence"),
    "overall_absence_rate": ("other_overall_absence_rate", "gap_overall_absence"),
    "authorised_absence_rate": (None, None),
    "unauthorised_absence_rate": (None, None),
    "attendance_rate": (None, None),
}

TABLE_COLUMNS = {
    "group_label": "group",
    "size_note": "pupils (enrolments)",
    "attendance_rate": "attendance %",
    "overall_absence_rate": "overall absence %",
    "authorised_absence_rate": "authorised absence %",
    "unauthorised_absence_rate": "unauthorised absence %",
    "pa_enrolments": "PA pupils",
    "persistent_absence_rate": "PA %",
    "sa_enrolments": "SA pupils",
    "severe_absence_rate": "SA %",
    "days_lost_per_enrolment": "days lost per pupil",
    "other_persistent_absence_rate": "PA % of all other pupils",
    "gap_persistent_absence": "PA gap to other pupils (points)",
    "other_overall_absence_rate": "overall absence % of all other pupils",
    "gap_overall_absence": "overall absence gap (points)",
    "gap_severe_absence": "SA gap to other pupils (points)",
}


def readable(df: pd.DataFrame, columns: dict[str, str], dp: int = 1) -> pd.DataFrame:
    """The chosen columns, renamed, rates rounded; suppressed cells stay empty (never 0)."""
    out = df[[c for c in columns if c in df.columns]].rename(columns=columns)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(dp)
    return out


def gap_words(gap, what: str = "points") -> str:
    """+3.2 -> '3.2 points above', -1.0 -> '1.0 points below'."""
    if gap is None or pd.isna(gap):
        return "no comparison (too few pupils)"
    if abs(gap) < 0.05:
        return "level with"
    return f"{abs(gap):.1f} {what} {'above' if gap > 0 else 'below'}"


def group_bars(dim, m_label, shown, measure, m_other, m_unit, n_min, m_gap, groups, ctx, p) -> None:
    """Each group of the characteristic on the chosen measure, against all other pupils."""
    st.header(f"By {SHORT[dim]}")
    fig = go.Figure()
    fig.add_bar(
        name=m_label,
        x=shown["group_label"],
        y=shown[measure],
        marker_color=ui.SERIES[0],
        text=shown[measure].map(lambda v: ui.pct(v)),
        textposition="outside",
        customdata=shown["size_note"],
        hovertemplate="%{x}: %{y:.1f}% (%{customdata} pupils)<extra></extra>",
    )
    if m_other:
        fig.add_scatter(
            name="All other pupils",
            x=shown["group_label"],
            y=shown[m_other],
            mode="markers",
            marker=dict(color=ui.SERIES[2], symbol="line-ew-open", size=36, line=dict(width=3)),
            hovertemplate="all other pupils: %{y:.1f}%<extra></extra>",
        )
    ui.style_figure(fig, height=420, y_title=f"{m_label}, {m_unit}")
    fig.update_xaxes(title=None, tickangle=0 if len(shown) <= 4 else -30)
    if shown.empty:
        reading = f"Every group is smaller than {n_min} pupils, so no rates are shown."
    else:
        top = shown.loc[shown[measure].idxmax()]
        reading = f"**{top['group_label']}** has the highest {m_label.lower()}: **{ui.pct(top[measure])}**"
        if measure in ("persistent_absence_rate", "severe_absence_rate"):
            count_col = {"persistent_absence_rate": "pa_enrolments", "severe_absence_rate": "sa_enrolments"}[
                measure
            ]
            reading += f", {ui.one_in(top[measure])} ({ui.number(top[count_col])} pupils)"
        if m_gap:
            reading += f", {gap_words(top[m_gap])} all other pupils"
        reading += "."
        hidden = groups[groups["suppressed"]]
        if not hidden.empty:
            reading += (
                f" {len(hidden)} group{'s' if len(hidden) > 1 else ''} of fewer than {n_min} pupils "
                f"{'are' if len(hidden) > 1 else 'is'} not shown: {', '.join(hidden['group_label'])}."
            )
    if m_other:
        reading += " The wide dash across each bar is the rate of all other pupils."
    ui.chart_block(
        fig,
        reading,
        readable(groups, TABLE_COLUMNS),
        f"cohorts_{dim}",
        ctx.synthetic,
        note=f"{DIMENSIONS[dim]}; {p.label}; {ctx.phase_label}",
        key="groups",
    )


def published_cohort(dim, ctx, p) -> None:
    """The same cohort as DfE publishes it (school census): named context, never a gap to this year's registers."""
    st.subheader("The same cohort as DfE publishes it")
    nat = (
        queries.run("cohort_national", ctx.scope, dimension=dim, la_code=ctx.meta.get("la_code"))
        if dim in PUBLISHED
        else None
    )
    if nat is None or nat.empty:
        st.info(
            f"DfE publishes no persistent absence figures by {SHORT[dim]} for LAs in the tables this "
            "dashboard holds (the school census absence bands give FSM, SEN, sex and year group; "
            "LAIT's CIN and CLA absence is not loaded). Compare with all other pupils above instead."
        )
    else:
        year_label = nat["period_label"].iloc[0]
        census = catalogue.collections()["census"]
        fig = go.Figure()
        fig.add_bar(
            name=f"England, {census.label.lower()} {year_label}",
            x=nat["group_name"],
            y=nat["england_pa"],
            marker_color=ui.SERIES[2],
        )
        fig.add_bar(
            name=f"Statistical neighbours' average, {census.label.lower()} {year_label}",
            x=nat["group_name"],
            y=nat["neighbours_pa"],
            marker_color=ui.SERIES[1],
        )
        if not ctx.synthetic and nat["published_la_pa"].notna().any():
            fig.add_bar(
                name=f"{ctx.la_name}, {census.label.lower()} {year_label}",
                x=nat["group_name"],
                y=nat["published_la_pa"],
                marker_color=ui.SERIES[0],
            )
        ui.style_figure(fig, height=400, y_title="persistent absence, % of pupils")
        hi, lo = nat.loc[nat["england_pa"].idxmax()], nat.loc[nat["england_pa"].idxmin()]
        reading = (
            f"DfE publishes this breakdown only in the {census.label.lower()}, latest {year_label} "
            f"(whole year, all phases, {comparison.rule_label(census.pa_rule)}): another collection and "
            f"year than this page's {p.label} figures from the schools' registers, so it is shown as "
            f"context beside nothing of ours. In England that year PA was {ui.pct(hi['england_pa'])} for "
            f"{hi['group_name']} and {ui.pct(lo['england_pa'])} for {lo['group_name']}."
        )
        if dim == "sen":
            reading += " DfE publishes SEN as any SEN (EHCP or SEN support) against none."
        table = nat[
            ["group_name", "period_label", "england_pa", "neighbours_pa", "england_sa", "neighbours_sa"]
        ]
        if not ctx.synthetic:
            table = table.assign(
                la_pa_published=nat["published_la_pa"], la_sa_published=nat["published_la_sa"]
            )
        ui.chart_block(
            fig,
            reading,
            table.round(2),
            f"cohort_published_{dim}",
            ctx.synthetic,
            note=f"DfE school census absence bands {year_label}",
            key="national",
        )


def cohort_weekly(ctx, dim, group_key, args, group_label, p) -> None:
    """The cohort's absence week by week against all other pupils, over the year, the period
    shaded and read (sections.weekly_trend)."""
    st.subheader("Week by week")
    weekly = queries.run("cohort_weekly", ctx.scope, dimension=dim, group_key=group_key, **args)
    sections.weekly_trend(
        weekly,
        {"cohort": group_label, "others": "All other pupils"},
        file_stem=f"cohort_weekly_{dim}",
        key="weekly",
        synthetic=ctx.synthetic,
        note=f"{group_label}; {ui.format_year(p.academic_year)}; {ctx.phase_label}",
        empty="No weekly figures for this cohort: it has too few pupils each week.",
        compare="others",
        compare_words="all other pupils",
        subject="the cohort's absence",
        other_years=False,
        period=p,
    )


def cohort_reasons(ctx, dim, group_key, args, group_label, p) -> None:
    """The cohort's reasons for absence against all other pupils'."""
    st.subheader("Reasons for absence")
    reasons = queries.run("cohort_reasons", ctx.scope, dimension=dim, group_key=group_key, **args)
    reasons = reasons[
        (reasons["cohort_sessions"].fillna(0) > 0) | (reasons["others_rate"].fillna(0) > 0)
    ].copy()
    if reasons.empty or reasons["cohort_rate"].isna().all():
        st.info("No absence was recorded for this cohort in the period.")
    else:
        reasons.insert(0, "reason_label", reasons["reason"].map(REASON_LABELS).fillna(reasons["reason"]))
        r = reasons.iloc[::-1]
        fig = go.Figure()
        fig.add_bar(
            name=group_label,
            y=r["reason_label"],
            x=r["cohort_rate"],
            orientation="h",
            marker_color=ui.SERIES[0],
        )
        fig.add_bar(
            name="All other pupils",
            y=r["reason_label"],
            x=r["others_rate"],
            orientation="h",
            marker_color=ui.SERIES[2],
        )
        ui.style_figure(fig, height=440)
        fig.update_xaxes(title="% of possible sessions")
        top = reasons.iloc[0]
        unauth = reasons[
            reasons["reason"].isin(
                ["unauthorised_holiday", "other_unauthorised", "not_yet_known", "late_after_close"]
            )
        ]
        reading = (
            f"**{top['reason_label']}** is this cohort's largest reason: {ui.pct(top['cohort_rate'], 2)} of "
            f"sessions, {top['cohort_share_of_absence']:.0f}% of its absence (all other pupils: "
            f"{ui.pct(top['others_rate'], 2)}). Unauthorised reasons make up "
            f"{unauth['cohort_share_of_absence'].sum():.0f}% of the cohort's absence against "
            f"{unauth['others_share_of_absence'].sum():.0f}% for other pupils."
        )
        ui.chart_block(
            fig,
            reading,
            reasons.round(3),
            f"cohort_reasons_{dim}",
            ctx.synthetic,
            note=f"{group_label}; {p.label}",
            key="reasons",
        )


def cohort_schools(ctx, dim, group_key, args, n_min, group_label, p) -> None:
    """The schools holding most of the cohort's persistent absence."""
    st.subheader("Schools holding the cohort's persistent absence")
    schools = queries.run("cohort_schools", ctx.scope, dimension=dim, group_key=group_key, **args)
    named = schools[~schools["suppressed"]]
    if named.empty:
        st.info(f"No school has {n_min} or more pupils in this cohort.")
    else:
        top10 = named.head(10).iloc[::-1]
        fig = go.Figure()
        fig.add_bar(
            name=f"{group_label}: PA %",
            y=top10["school_name"],
            x=top10["cohort_persistent_absence_rate"],
            orientation="h",
            marker_color=ui.SERIES[0],
            customdata=top10[["cohort_pa_enrolments", "share_of_cohort_pa"]],
            hovertemplate="%{y}: %{x:.1f}% (%{customdata[0]} pupils, %{customdata[1]:.0f}% of the "
            "cohort's PA)<extra></extra>",
        )
        fig.add_bar(
            name="Other pupils at the school: PA %",
            y=top10["school_name"],
            x=top10["other_persistent_absence_rate"],
            orientation="h",
            marker_color=ui.SERIES[2],
        )
        ui.style_figure(fig, height=max(320, 60 * len(top10)))
        fig.update_xaxes(title="persistent absence, % of pupils")
        first = named.iloc[0]
        top3 = named.head(3)["share_of_cohort_pa"].sum()
        widest = named.dropna(subset=["gap_persistent_absence"])
        reading = (
            f"**{first['school_name']}** holds the most: {ui.number(first['cohort_pa_enrolments'])} "
            f"persistently absent pupils, {first['share_of_cohort_pa']:.0f}% of the cohort's PA; the three "
            f"largest hold {top3:.0f}%."
        )
        if not widest.empty:
            w = widest.loc[widest["gap_persistent_absence"].idxmax()]
            reading += (
                f" The cohort's gap to other pupils is widest at **{w['school_name']}**: "
                f"{gap_words(w['gap_persistent_absence'])} ({ui.pct(w['cohort_persistent_absence_rate'])} "
                f"against {ui.pct(w['other_persistent_absence_rate'])})."
            )
        hidden = len(schools) - len(named)
        if hidden:
            reading += (
                f" {hidden} school{'s' if hidden > 1 else ''} with fewer than {n_min} such pupils not named."
            )
        table = readable(
            named,
            {
                "school_name": "school",
                "urn": "URN",
                "phase": "phase",
                "size_note": "cohort pupils",
                "cohort_pa_enrolments": "cohort PA pupils",
                "share_of_cohort_pa": "share of the cohort's PA %",
                "cohort_persistent_absence_rate": "cohort PA %",
                "other_persistent_absence_rate": "other pupils' PA %",
                "gap_persistent_absence": "PA gap (points)",
                "cohort_overall_absence_rate": "cohort overall absence %",
                "gap_overall_absence": "overall absence gap (points)",
            },
        )
        ui.chart_block(
            fig,
            reading,
            table,
            f"cohort_schools_{dim}",
            ctx.synthetic,
            note=f"{group_label}; {p.label}",
            key="schools",
        )
        # Links to the School page (where the viewer's navigation has it), with ?urn=
        links = named.head(3)
        if not widest.empty:
            links = ui.pd.concat(
                [links, widest.loc[[widest["gap_persistent_absence"].idxmax()]]]
            ).drop_duplicates("urn")
        link_cols = st.columns(len(links))
        for col, row in zip(link_cols, links.itertuples()):
            try:
                col.page_link(
                    ui.page_file("school"),
                    label=f"Open {row.school_name}",
                    icon=":material/school:",
                    query_params={"urn": str(row.urn)},
                )
            except StreamlitAPIException:  # the School page is not in this viewer's navigation
                break


def intersections(dim, ctx, args, n_min, p) -> None:
    """Two characteristics at once (SEN with FSM, ...): PA in each combination."""
    st.header("Intersections")
    others_dims = [d for d in DIMENSIONS if d != dim]
    dim_b = st.selectbox(
        "Against",
        others_dims,
        format_func=DIMENSIONS.get,
        index=others_dims.index("fsm" if dim != "fsm" else "sen"),
        key=f"cohort_dim_b_{dim}",
    )
    grid = queries.run("cohort_intersection", ctx.scope, dim_a=dim, dim_b=dim_b, **args)
    if grid.empty:
        st.info("No pupils in this selection.")
    else:
        rows = grid.sort_values("order_a")["group_a"].unique().tolist()
        cols_ = grid.sort_values("order_b")["group_b"].unique().tolist()
        z = grid.pivot(index="group_a", columns="group_b", values="persistent_absence_rate").reindex(
            index=rows, columns=cols_
        )
        size = grid.pivot(index="group_a", columns="group_b", values="size_note").reindex(
            index=rows, columns=cols_
        )
        text = [
            [
                (
                    "no pupils"
                    if (isinstance(size.iloc[i, j], float))
                    else f"{z.iloc[i, j]:.0f}%<br>{size.iloc[i, j]} pupils"
                    if not ui._nan(z.iloc[i, j])
                    else f"{size.iloc[i, j]} pupils"
                )
                for j in range(len(cols_))
            ]
            for i in range(len(rows))
        ]
        fig = go.Figure(
            go.Heatmap(
                z=z.values,
                x=cols_,
                y=rows,
                text=text,
                texttemplate="%{text}",
                colorscale="Viridis",
                reversescale=True,
                zmin=0,
                colorbar=dict(title="PA %"),
                hoverongaps=False,
                hovertemplate="%{y} × %{x}: %{text}<extra></extra>",
            )
        )
        ui.style_figure(fig, height=max(300, 70 * len(rows) + 120))
        fig.update_yaxes(autorange="reversed")
        fig.update_traces(textfont=dict(size=13))
        best = grid.dropna(subset=["persistent_absence_rate"])
        if best.empty:
            reading = f"Every cell has fewer than {n_min} pupils."
        else:
            hi = best.loc[best["persistent_absence_rate"].idxmax()]
            lo = best.loc[best["persistent_absence_rate"].idxmin()]
            reading = (
                f"PA is highest for **{hi['group_a']} with {hi['group_b']}**: "
                f"{ui.pct(hi['persistent_absence_rate'])}, {ui.one_in(hi['persistent_absence_rate'])} "
                f"({hi['size_note']} pupils); lowest for {lo['group_a']} with {lo['group_b']} at "
                f"{ui.pct(lo['persistent_absence_rate'])}. Darker is higher PA; cells of fewer than {n_min} "
                "pupils are blank."
            )
        ui.chart_block(
            fig,
            reading,
            readable(
                grid,
                {
                    "group_a": SHORT[dim],
                    "group_b": SHORT[dim_b],
                    "size_note": "pupils (enrolments)",
                    "pa_enrolments": "PA pupils",
                    "persistent_absence_rate": "PA %",
                    "overall_absence_rate": "overall absence %",
                },
            ),
            f"cohort_grid_{dim}_{dim_b}",
            ctx.synthetic,
            note=f"{p.label}; {ctx.phase_label}",
            key="grid",
        )
