"""Technical notes: how every figure is defined, and where the published ones come from."""

from __future__ import annotations

import streamlit as st

import catalogue
import queries
import ui
from data_pipeline import config
from data_pipeline.codes import REASON_LABELS
from ui.context import context

ctx = context()
st.title("Technical notes")

st.header("Measures")
st.markdown(
    "- **Possible sessions**: present + approved educational activity + authorised absence + "
    "unauthorised absence. A school day has two sessions (morning and afternoon).\n"
    + "\n".join(f"- **{m.label}** ({m.unit}): {m.definition}" for m in catalogue.measures().values())
)
st.subheader("Who is counted, and by which rule")
st.markdown(
    "\n".join(f"- **{r.label.capitalize()}**: {r.definition}" for r in catalogue.populations().values())
    + "\n"
    + "\n".join(f"- **PA and SA over {r.label}**: {r.definition}" for r in catalogue.pa_rules().values())
    + "\n- A pupil on roll at two schools is an enrolment at each. Every figure set beside another "
    "names it (period, population, rule, source) and is counted the same way: a term beside the same "
    "term last year; England only where DfE publishes the same span, by England's own PA rule."
)
st.markdown(f"""
- **Days lost** = absence sessions ÷ 2. Overall absence % × {ctx.year_days} ÷ 100 ≈ school days
  missed in a year: a school year here is {ctx.school_year[1]}. One school week is
  {config.SCHOOL_WEEK_HOURS:g} hours (DfE's expected minimum).
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
ui.csv_download(codes, False, "", "attendance_codes", "codes_csv")

st.header("Published benchmarks")
st.markdown(
    "\n".join(
        f"- **{c.long}**: {c.source}; {c.periods}; PA and SA over {catalogue.pa_rules()[c.pa_rule].label}."
        + "".join(f" *{b.label}*: {b.note}" for b in c.breaks)
        for c in catalogue.collections().values()
    )
    + "\n- The two collections are different measures and are never mixed in one series."
)
st.markdown("""
- **Statistical neighbours**: DfE's Children's Services Statistical Neighbour Benchmarking Tool, May 2025
  model (10 most similar LAs); the neighbours' average is the simple mean of their rates, as in LAIT.
  **Geographic neighbours**: LAs whose boundaries touch (ONS, May 2023).
- Ranks and quartile bands follow DfE's LAIT: on the rates as published (2 decimal places), 1st is the best (lowest absence, highest attendance) and equal rates share the higher rank; bands A (best) to D are cut at the 25th, 50th and 75th percentiles of every LA's rate that year (linear interpolation), a rate exactly on a cut falling in the better band when low is good.
- Contains public sector information licensed under the Open Government Licence v3.0; boundaries
  © Crown copyright and database right (ONS).
""")
if ctx.synthetic:
    st.info("This LA's data is synthetic: generated to look like a real LA, with no real pupils.")
