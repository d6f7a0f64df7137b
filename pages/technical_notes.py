"""Technical notes: how every figure is defined, and where the published ones come from."""

from __future__ import annotations

import streamlit as st

import queries
import ui
from data_pipeline import config
from data_pipeline.codes import REASON_LABELS
from ui.context import context

ctx = context()
st.title("Technical notes")

st.header("Measures")
st.markdown(f"""
- **Possible sessions**: present + approved educational activity + authorised absence + unauthorised
  absence. A school day has two sessions (morning and afternoon).
- **Attendance rate**: (present + approved educational activity) ÷ possible sessions.
- **Overall absence rate**: (authorised + unauthorised absence) ÷ possible sessions; authorised and
  unauthorised rates likewise. A reason's rate is its sessions ÷ possible sessions.
- **Persistent absence (PA)**: an enrolment that missed **10% or more** of its possible sessions over the
  period shown (whole-number arithmetic, so exactly 10% counts). PA rate = PA enrolments ÷ enrolments.
- **Severe absence (SA)**: **50% or more**.
- **Who counts**: enrolments of pupils of compulsory school age (5 to 15 on 31 August before the year),
  as DfE. A pupil on roll at two schools is an enrolment at each. Enrolments with no possible sessions
  in the period are left out. The LA overview counts every such enrolment (school census rule); the
  demo LA's own figures on the Benchmarking page follow DfE's daily-collection rule and leave out
  enrolments with 10 or fewer possible sessions.
- **Days lost** = absence sessions ÷ 2. Overall absence % × {ui.SCHOOL_DAYS_A_YEAR} ÷ 100 ≈ school days
  missed in a year; one school week is {config.SCHOOL_WEEK_HOURS:g} hours (DfE's expected minimum).
- **Periods**: year to date, a term, a half term, or custom dates snapped to whole school weeks. The
  comparison is the same term or half term last year, or the same school weeks of last year. PA over
  a short period is noisy.
- **Suppression**: groups of fewer than {ctx.scope.suppression_threshold} pupils are not shown below LA level.
""")

st.header("Reasons for absence")
st.markdown("\n".join(f"- {label}" for label in REASON_LABELS.values()))

st.header("Attendance codes")
codes = queries.run("attendance_codes")
st.dataframe(codes, hide_index=True)
data = ui.csv_bytes(codes, False)
st.download_button(
    f"Download CSV ({ui.size_label(len(data))})", data, file_name="attendance_codes.csv", mime="text/csv"
)

st.header("Published benchmarks")
st.markdown("""
- **Daily attendance collection** (DfE, 2022/23 on, year to date at year end) and **school census
  absence** (DfE, 2006/07 on; LAIT for 2020/21 on) are different measures and are never mixed in one
  series. 2019/20 was not collected; 2020/21 covers autumn and spring only.
- **Statistical neighbours**: DfE's Children's Services Statistical Neighbour Benchmarking Tool, May 2025
  model (10 most similar LAs); the neighbours' average is the simple mean of their rates, as in LAIT.
  **Geographic neighbours**: LAs whose boundaries touch (ONS, May 2023).
- Ranks and quartile bands follow DfE's LAIT: on the rates as published (2 decimal places), 1st is the best (lowest absence, highest attendance) and equal rates share the higher rank; bands A (best) to D are cut at the 25th, 50th and 75th percentiles of every LA's rate that year (linear interpolation), a rate exactly on a cut falling in the better band when low is good.
- Contains public sector information licensed under the Open Government Licence v3.0; boundaries
  © Crown copyright and database right (ONS).
""")
if ctx.synthetic:
    st.info("This LA's data is synthetic: generated to look like a real LA, with no real pupils.")
