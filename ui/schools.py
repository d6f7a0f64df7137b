"""The Schools page's funnel plot: each school's persistent absence against its size, with the
control limits around the LA's rate for the phase."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import queries
import ui


def funnel(ctx, table, filters: dict, args: dict) -> None:
    p = ctx.period
    st.header("Persistent absence against school size")
    # One phase at a time: primary schools sit low and secondaries high, so phases mixed put many
    # schools outside limits drawn around a rate that fits neither. With "All phases" in the
    # sidebar the funnel takes the largest phase first; all phases together is still offered.
    TOGETHER = "All phases together"
    funnel_phase = ctx.phase
    if ctx.phase is None:
        phases = table["phase"].value_counts().index.tolist()
        choice = st.radio(
            "Phase for the funnel plot",
            [*phases, TOGETHER],
            horizontal=True,
            key="funnel_phase",
            help="Each phase against the LA's rate for that phase.",
        )
        funnel_phase = None if choice == TOGETHER else choice
    funnel = queries.run("schools_funnel", ctx.scope, **filters, **{**args, "phase": funnel_phase})
    if funnel.empty:
        st.info("No school to plot for this selection.")
        return
    la_rate = float(funnel["la_pa_rate"].iloc[0])
    limits = queries.run(
        "schools_funnel_limits", la_rate=la_rate, n_max=int(max(funnel["enrolments"].max() * 1.15, 50))
    )
    fig = go.Figure()
    for name, lo, hi, colour, dash in (
        ("95% limits", "lower_95", "upper_95", ui.SERIES[1], "dash"),
        ("99.8% limits", "lower_998", "upper_998", ui.SERIES[2], "solid"),
    ):
        x = [*limits["enrolments"], None, *limits["enrolments"]]
        y = [*limits[lo], None, *limits[hi]]
        fig.add_scatter(
            x=x, y=y, mode="lines", name=name, line=dict(color=colour, dash=dash, width=2), hoverinfo="skip"
        )
    fig.add_scatter(
        x=limits["enrolments"],
        y=limits["la_pa_rate"],
        mode="lines",
        name=f"LA rate {ui.pct(la_rate)}",
        line=dict(color=ui.OKABE_ITO["grey"], width=2),
        hoverinfo="skip",
    )
    outside = funnel["position"].str.contains("99.8")
    # outliers are numbered on the chart and named in the sentence (names would overlap)
    number = outside.cumsum().where(outside)
    fig.add_scatter(
        x=funnel["enrolments"],
        y=funnel["persistent_absence_rate"],
        mode="markers+text",
        name="Schools",
        marker=dict(
            color=ui.SERIES[0],
            size=12,
            symbol=["diamond" if o else "circle" for o in outside],
            line=dict(color="white", width=1),
        ),
        text=[f"{int(n)}" if n == n else "" for n in number],
        textposition=["middle left" if n == n and n % 2 == 0 else "middle right" for n in number],
        textfont=dict(size=15, color=ui.OKABE_ITO["black"]),
        customdata=funnel[["school_name", "pa_enrolments", "position"]].values,
        hovertemplate="%{customdata[0]}<br>PA %{y:.1f}% (%{customdata[1]} of %{x} pupils)<br>"
        "%{customdata[2]}<extra></extra>",
    )
    ui.style_figure(fig, height=480, y_title="persistent absence, % of pupils")
    fig.update_xaxes(title="pupils of compulsory school age (enrolments)", rangemode="tozero")
    fig.update_yaxes(rangemode="tozero")
    out = funnel[outside]
    if out.empty:
        reading = (
            f"No school lies outside the 99.8% limits around the LA's PA rate of {ui.pct(la_rate)}: "
            "the differences between schools are within what chance and size explain."
        )
    else:
        parts = [
            f"({i}) **{r.school_name}** ({ui.pct(r.persistent_absence_rate)}, "
            f"{'above' if r.position.startswith('above') else 'below'})"
            for i, r in enumerate(out.itertuples(), 1)
        ]
        reading = (
            f"{len(out)} of {len(funnel)} schools lie outside the 99.8% limits around the LA's PA rate "
            f"of {ui.pct(la_rate)}, so their rates are very unlikely to be chance given their size: "
            + ", ".join(parts)
            + "."
        )
    if funnel_phase is None:
        reading += (
            " All phases are shown together: primary schools tend to sit low and secondaries high, "
            "so choose a phase above for a like-for-like comparison."
        )
    else:
        reading = f"{funnel_phase} schools, against the LA's {funnel_phase.lower()} rate: " + reading
    st.caption(
        "Control limits: the LA's rate ± 1.96 (95%) and ± 3.09 (99.8%) standard errors of a "
        "proportion, √(p(1−p)/n): a normal approximation to the binomial. A school outside the "
        "99.8% limits would be there by chance about 2 times in 1,000."
    )
    ui.chart_block(
        fig,
        reading,
        funnel,  # each school's control limits at its size are columns (lower_95 ... upper_998)
        "schools_funnel",
        ctx.synthetic,
        note=f"{p.label}, {funnel_phase or 'all phases'}",
        key="funnel",
    )
