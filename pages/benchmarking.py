"""Benchmarking: the LA against its statistical and geographic neighbours, region and England,
from DfE's published figures (one collection at a time)."""

from __future__ import annotations

import streamlit as st

import catalogue
import queries
import ui
from ui import benchmarking
from ui.context import context

# The catalogue's rates: DfE publishes each of them for every LA (bench_la_year).
MEASURES = [m.id for m in catalogue.measures().values() if m.per != "total"]
COLLECTIONS = {k: c.long for k, c in catalogue.collections().items()}


ctx = context()
st.title("Benchmarking")
la_code = ctx.meta.get("la_code")
if not la_code:
    st.info(
        "The warehouse does not say which LA it holds (meta `la_code`); load a schools "
        "file with the LA code or rebuild the demo."
    )
    st.stop()

c1, c2, c3 = st.columns([2, 2, 1])
collection = c1.selectbox(
    "Collection",
    list(COLLECTIONS),
    format_func=COLLECTIONS.get,
    key="collection",
    bind="query-params",
    persist_state="session",
)
measure = c2.selectbox(
    "Measure",
    MEASURES,
    index=MEASURES.index("overall_absence_rate"),
    format_func=lambda m: catalogue.measure(m).label,
    key="measure",
    bind="query-params",
    persist_state="session",
)
m = catalogue.measure(measure)
label, unit, low_good = m.label, m.unit, m.low_is_good
data = queries.run(
    "bench_measure_all_areas",
    ctx.scope,
    collection=collection,
    bench_phase=ctx.bench_phase,
    measure=measure,
    la_code=la_code,
    use_own_figures=ctx.synthetic,
    low_is_good=low_good,
)
ranked_years = sorted(data.loc[data["area_type"] == "LA", "time_period"].unique().tolist())
if not ranked_years:
    st.info(
        f"The synthetic demo LA has no figures in the {COLLECTIONS[collection]}: its own figures are "
        "computed from its made-up registers as the daily collection counts them, and the real "
        f"{ctx.la_name.split(' (')[0]}'s published figures are never shown as the demo LA's. "
        "Choose the daily collection to place the demo LA among real LAs."
        if ctx.synthetic
        else f"DfE publishes no {label.lower()} figures for this LA in the {COLLECTIONS[collection]} "
        f"for {ctx.phase_label}. Choose another measure, phase or collection."
    )
    st.stop()
labels = dict(zip(data["time_period"], data["period_label"]))
default_year = (
    max([y for y in ranked_years if y <= ctx.period.academic_year] or ranked_years)
    if ctx.period
    else ranked_years[-1]
)
year = c3.selectbox(
    "Year",
    ranked_years[::-1],
    index=ranked_years[::-1].index(default_year),
    format_func=labels.get,
    key=f"bench_year_{collection}",
)
year_rows = data[data["time_period"] == year]
las = year_rows[year_rows["rank"].notna()].sort_values("rank")
me = las[las["is_la"].astype(bool)]
if me.empty or len(las) < 10:
    st.info(
        f"{label} is not published for enough LAs in {labels[year]} ({COLLECTIONS[collection]}, "
        f"{ctx.phase_label}) to rank. Choose another measure or year."
    )
    st.stop()
me = me.iloc[0]
own = me["source_file"].startswith("Demo LA")
la_label = f"{me['la_name']} (demo LA)" if own else me["la_name"]
direction = "low is good" if low_good else "high is good"
n = int(me["n_ranked"])
rank_words = (
    f"{ui.ordinal(me['rank'])} of {n} LAs, {benchmarking.QUARTILE_WORDS[int(me['quartile'])]} "
    f"(1st = {'lowest' if low_good else 'highest'}; {direction})"
)
st.markdown(f"## {la_label}: {ui.pct(me['value'], 2)} — {rank_words}")
src = (
    "the LA's own figures computed from the warehouse (synthetic; compulsory school age, whole "
    "year to date, PA by DfE's daily rule: enrolments with more than 10 possible sessions)"
    if own
    else f"DfE's published file {me['source_file']}"
)
st.caption(
    f"{label}, {unit}, {labels[year]}, {ctx.phase_label}, {COLLECTIONS[collection]}. "
    f"{la_label}: {src}. Every other LA, the region and England: DfE's published figures."
)

# ---------------------------------------------------------------- comparators
benchmarking.comparators(
    year_rows, la_label, label, unit, low_good, me, measure, ctx, year, labels, collection
)

# ---------------------------------------------------------------- ranked bars
benchmarking.ranked(n, las, me, la_label, label, unit, low_good, rank_words, measure, year, ctx, labels)

# ---------------------------------------------------------------- trend
benchmarking.trend(data, collection, la_label, label, unit, COLLECTIONS, measure, ctx)

# ---------------------------------------------------------------- map
benchmarking.england_map(las, la_code, label, labels, year, direction, la_label, me, measure, ctx)
