"""Schools (LA officers): every school's figures, filterable and downloadable, and a funnel
plot of persistent absence against size so that real outliers stand apart from small schools."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import queries
import ui
from ui import schools as schools_ui
from ui import sections
from ui.context import context, require_period

ctx = context()
st.title("Schools")
require_period(ctx)

p = ctx.period
args = dict(year=p.academic_year, phase=ctx.phase, **p.params())
everything = queries.run("schools_table", ctx.scope, school_type=None, ward=None, **args)
if everything.empty:
    st.info(
        f"No school has pupils of compulsory school age with possible sessions in {p.label} "
        f"for {ctx.phase_label}. Choose another period or phase in the sidebar."
    )
    st.stop()

c1, c2 = st.columns(2)
ANY = "All"
types = [ANY, *sorted(everything["establishment_type"].dropna().unique())]
wards = [ANY, *sorted(everything["ward_name"].dropna().unique())]
for key, options in (("school_type", types), ("ward", wards)):
    if st.session_state.get(key) not in (None, *options):
        st.session_state.pop(key)
school_type = c1.selectbox("Type of school", types, key="school_type", bind="query-params")
ward = c2.selectbox("Area (ward of the school's location)", wards, key="ward", bind="query-params")
filters = dict(school_type=None if school_type == ANY else school_type, ward=None if ward == ANY else ward)
table = queries.run("schools_table", ctx.scope, **filters, **args)

# ---------------------------------------------------------------- table
st.header("Every school")
st.caption(
    f"{p.label}, {ctx.phase_label}. Rates are for pupils of compulsory school age (5 to 15), "
    "per enrolment; roll counts every pupil on roll with possible sessions. PA: 10% or more of "
    f"sessions missed over the period; SA: 50% or more. Change is in percentage points on {p.ly_label}. "
    "Schools with the highest persistent absence come first; click a column "
    "heading to sort otherwise; open a school's page from the link."
)
if table.empty:
    st.info("No school matches these filters. Choose another type or area.")
    st.stop()
worst = table.loc[table["persistent_absence_rate"].idxmax()]
st.markdown(
    f"**{len(table)} schools**, {ui.number(table['enrolments'].sum())} pupils of compulsory school "
    f"age. Persistent absence ranges from {ui.pct(table['persistent_absence_rate'].min())} to "
    f"{ui.pct(worst['persistent_absence_rate'])} ({worst['school_name']}); together the schools "
    f"lost {ui.number(table['days_lost'].sum())} school days."
)
# most concern first: persistent absence, then days lost (the heading sorts it otherwise)
table = table.sort_values(
    ["persistent_absence_rate", "days_lost", "school_name"],
    ascending=[False, False, True],
    na_position="last",
).reset_index(drop=True)
shown = table.copy()
shown.insert(1, "school_page", "/school?urn=" + shown["urn"].astype(str))
pct_col = lambda label: st.column_config.NumberColumn(label, format="%.1f")  # noqa: E731
st.dataframe(
    shown,
    hide_index=True,
    key="schools_table",
    column_config={
        "urn": st.column_config.NumberColumn("URN", format="%d"),
        "school_page": st.column_config.LinkColumn("Page", display_text="open"),
        "school_name": st.column_config.TextColumn("School", pinned=True),
        "phase": "Phase",
        "establishment_type": "Type",
        "ward_name": "Ward",
        "roll": "Roll",
        "enrolments": "Pupils 5–15",
        "attendance_rate": pct_col("Attendance %"),
        "overall_absence_rate": pct_col("Absence %"),
        "authorised_absence_rate": pct_col("Authorised %"),
        "unauthorised_absence_rate": pct_col("Unauthorised %"),
        "pa_enrolments": "PA pupils",
        "persistent_absence_rate": pct_col("PA %"),
        "sa_enrolments": "SA pupils",
        "severe_absence_rate": pct_col("SA %"),
        "overall_absence_change": st.column_config.NumberColumn("Absence change (pts)", format="%+.1f"),
        "pa_rate_change": st.column_config.NumberColumn("PA change (pts)", format="%+.1f"),
        "fsm_share": pct_col("FSM %"),
        "sen_share": pct_col("SEN %"),
        "days_lost": st.column_config.NumberColumn("Days lost", format="%.0f"),
    },
)
ui.csv_download(table, ctx.synthetic, f"{p.label}, {ctx.phase_label}", "schools", "schools_csv")

names = dict(zip(table["urn"], table["school_name"]))
pick = st.selectbox(
    "Open a school's page",
    list(names),
    index=None,
    format_func=names.get,
    placeholder="Choose a school",
    key="open_school",
)
if pick is not None:
    st.page_link(
        ui.page_file("school"),
        label=f"Open {names[pick]}",
        icon=":material/school:",
        query_params={"urn": str(pick)},
    )

# ---------------------------------------------------------------- funnel
schools_ui.funnel(ctx, table, filters, args)

# ---------------------------------------------------------------- data quality
st.header("Data quality: the registers behind these figures")
as_of = dt.date.fromisoformat(ctx.meta["data_up_to"])
sections.data_quality(
    queries.run("schools_data_quality", ctx.scope, as_of=as_of),
    as_of,
    file_stem="schools_data_quality",
    key="quality",
    synthetic=ctx.synthetic,
)
