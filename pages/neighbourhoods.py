"""Neighbourhoods: where the pupils who miss school live. A map of the LA's small areas (LSOAs)
by the absence of the pupils who live there, whatever school they attend; wards; PA against
deprivation for the LA and for each school's intake."""

from __future__ import annotations

import streamlit as st

import queries
from ui import neighbourhoods
from ui.context import context, require_period

ctx = context()
st.title("Neighbourhoods")
la_code = ctx.meta.get("la_code")
require_period(ctx)
if not la_code:
    st.info(
        "The warehouse does not say which LA it holds (meta `la_code`); load a schools "
        "file with the LA code or rebuild the demo."
    )
    st.stop()

p = ctx.period
n_min = ctx.scope.suppression_threshold
args = dict(year=p.academic_year, phase=ctx.phase, week_from=p.week_from, week_to=p.week_to, la_code=la_code)
st.caption(
    f"{p.label}, {ctx.phase_label}; pupils of compulsory school age (5 to 15), per enrolment, "
    "placed by their home address (LSOA 2021, about 1,500 residents) whatever school they "
    "attend. PA: 10% or more of possible sessions missed over the period. "
    f"Areas with fewer than {n_min} pupils are not shown."
)

lsoa = queries.run("neighbourhood_lsoa", ctx.scope, **args)
wards = queries.run("neighbourhood_wards", ctx.scope, **args)
if wards.empty:
    st.info(
        f"No pupils of compulsory school age have possible sessions in {p.label} for "
        f"{ctx.phase_label}. Choose another period or phase in the sidebar."
    )
    st.stop()
la_pa = float(wards["la_pa_rate"].iloc[0])
la_abs = float(wards["la_overall_absence_rate"].iloc[0])
known = lsoa[lsoa["enrolments"].notna()]
if known.empty:
    st.info(
        "No home areas are recorded for these pupils (home_lsoa or home_postcode in the pupils "
        "file), so nothing can be mapped. Load pupils files with home postcodes."
    )

schools = queries.run("neighbourhood_schools", ctx.scope, **args)

# ---------------------------------------------------------------- map
neighbourhoods.home_areas_map(la_code, ctx, lsoa, schools, known, la_pa, la_abs, p, n_min)

# ---------------------------------------------------------------- wards
neighbourhoods.ward_ranking(wards, la_pa, ctx, p)

# ---------------------------------------------------------------- deprivation
neighbourhoods.deprivation(schools, ctx, args, n_min, p)
