"""Pupils to watch across the LA (LA officer): pupils in the vulnerable cohorts with their PA, SA
and the national framework's threshold at every school, and an early-warning list of pupils
close to the persistent absence line and getting worse."""

from __future__ import annotations

import streamlit as st

import queries
from ui import watch
from ui.context import context, require_period

ctx = context()
st.title("Pupils to watch across the LA")
require_period(ctx)
p = ctx.period
args = dict(year=p.academic_year, **p.params())
st.caption(
    f"{p.label}; pupils of compulsory school age at every school in {ctx.la_name}, per enrolment (a pupil who "
    "moved school has a row at each), shown by pseudonymous reference. The threshold follows a pupil across "
    "schools: 10 or more unauthorised sessions in their latest 10 school weeks to the end of the period."
)
watch.vulnerable(queries.run("la_vulnerable_pupils", ctx.scope, **args), ctx, p)
watch.early_warning(queries.run("la_early_warning", ctx.scope, **args), ctx, p)
