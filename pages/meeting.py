"""Targeting Support Meeting (LA education support officer with a school, each term), as its
agenda, one tab open at a time: the school's figures against the LA, England, similar schools
and the last meeting, and its cohorts of concern; what the last meeting agreed and what happened
since; the pupils who may need support; this meeting's record and actions; the evidence of
support and the meeting pack."""

from __future__ import annotations

import streamlit as st

import queries
import ui
from actions import agenda, evidence
from ui import meeting as views
from ui import meeting_record as record
from ui.context import context, require_school

ctx = context()
st.title("Targeting Support Meeting")
urn, schools = require_school(ctx, "its meeting: figures, pupils, actions and the pack")
term_key = views.term_selector(agenda.terms())
if term_key is None:
    st.info("The warehouse holds no school terms yet.")
    st.stop()
weeks = evidence.DEFAULT_WEEKS
ag = agenda.build(ctx.scope, urn, term_key, weeks)
p = ag.term.period
st.caption(
    f"{ag.school_name} (URN {urn}), {ag.term.label}: school weeks {p.week_from:%d %b %Y} to "
    f"{p.week_to:%d %b %Y}. Last meeting: {ag.term.previous.label if ag.term.previous else 'none'}. "
    "The meeting reviews the whole term chosen here. Support first: expect, "
    "monitor, listen and understand, facilitate support; formalise and enforce only when support has been "
    "tried and evidenced."
)
if msg := st.session_state.pop("meeting_flash", None):
    st.success(msg, icon=":material/check_circle:")
    st.toast(msg, icon=":material/check_circle:")


def figures() -> None:
    views.figures(ag, ctx)
    views.cohorts(ag, ctx)


def since_last() -> None:
    record.last_meeting(ag)
    views.last_actions(ag, ctx, weeks)


def pupils() -> None:
    views.pupil_lists(ag, ctx)
    record.lead_practitioners(ag, ctx)


def this_meeting() -> None:
    record.this_meeting(ag, ctx)
    refs = (
        queries.run("pupil_refs", ctx.scope, urn=urn, year=p.academic_year)
        if ctx.scope.pupil_rows_allowed
        else None
    )
    views.record_form(ag, ctx, refs)
    views.this_actions(ag, ctx)


def evidence_and_pack() -> None:
    views.evidence_picker(ag, ctx, weeks)
    views.pack(ag, ctx, weeks)


ui.section_tabs(
    {
        "1. Figures": figures,
        "2. Since the last meeting": since_last,
        "3. Pupils who may need support": pupils,
        "4. This meeting and its actions": this_meeting,
        "5. Evidence and the pack": evidence_and_pack,
    },
    key="meeting_section",
)
