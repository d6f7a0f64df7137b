"""Accessibility statement (everyone): what works, what does not yet, how to report a problem, the
standard (WCAG 2.2 AA) and when and how the dashboard was last tested, laid out as GOV.UK's
sample statement for public sector websites is."""

from __future__ import annotations

import os

import streamlit as st

from ui.context import context

# When the dashboard was last tested, and with what (update both on each re-test).
LAST_TESTED = "6 December 2026"
HOW_TESTED = (
    "axe-core (WCAG 2.0, 2.1 and 2.2 level A and AA rules) in Chromium, on every page each role "
    "opens, run by the project's test suite on every change; keyboard-only use, the focus outline, "
    "200% zoom and a 640 px wide window checked by hand on the demo LA"
)

ctx = context()
la = ctx.meta.get("la_name", "the local authority")
contact = os.environ.get("ATTENDANCE_ACCESSIBILITY_CONTACT", "").strip()

st.title("Accessibility statement")
st.markdown(
    f"This statement is for the school attendance dashboard run by **{la}**. We want as many "
    "people as possible to be able to use it. You should be able to:\n"
    "- zoom in up to 200% without the text spilling off the screen, and use it in a narrow window "
    "(the menu folds away behind the button at the top left);\n"
    "- get to every page, filter, tab and download with a keyboard alone, and see where you are "
    "(whatever has focus has a thick dark outline with a yellow edge);\n"
    "- read every chart as a table: each chart has a **Table** tab with the figures it draws and a "
    "**Download** tab with the same figures as a CSV file, and a sentence above it saying what it "
    "shows;\n"
    "- read changes in words (for example 'down 0.3 points, better') as well as by colour and arrow;\n"
    "- use a screen reader: each page has one main heading, headings in order, and a page title "
    "of its own."
)

st.header("How accessible the dashboard is")
st.markdown(
    "Parts of the dashboard are not fully accessible. We know that:\n"
    "- the maps (Neighbourhoods, and Benchmarking's map of England) are pictures drawn on a canvas: a "
    "screen reader cannot read them. Their **Table** tab holds every area's figure;\n"
    "- tables are drawn on a canvas too: screen readers read them through the grid's own table, "
    "which is less easy to move around than a plain table. Each can be downloaded as a CSV file;\n"
    "- on the Pupil page two colours of the calendar of attendance codes (unauthorised absence and "
    "not a possible session) are hard to tell apart with some kinds of colour blindness; each cell "
    "also shows its code;\n"
    "- the maps' lightest shades (the lowest band, and 'no pupils' on the Neighbourhoods map) are "
    "faint against white; the map's Table tab gives each area's figure;\n"
    "- at 320 px wide some chart legends and axis titles are cut off;\n"
    "- the PDF and Excel files (the meeting pack, the governors' report) are not tagged for screen "
    "readers; the same figures are on the pages and in the CSV downloads."
)

st.header("Feedback and contact information")
st.markdown(
    "If you find a problem not listed here, or you need the information on a page in a different "
    "format (accessible PDF, large print, easy read, audio), "
    + (
        f"contact **{contact}**."
        if contact
        else f"contact the attendance team at {la}, who run this service."
    )
    + " Say which page, what you were trying to do and what happened; we aim to reply within 10 "
    "working days."
)

st.header("Reporting accessibility problems with this dashboard")
st.markdown(
    "We are always looking to improve the accessibility of this dashboard. If you find a problem "
    "not listed on this page, or think we are not meeting accessibility requirements, tell us as "
    "above. Problems found in the software itself can also be reported to the open-source project "
    "it is built from."
)

st.header("Enforcement procedure")
st.markdown(
    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector "
    "Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the "
    "'accessibility regulations'). If you are not happy with how we respond to your complaint, "
    "contact the Equality Advisory and Support Service (EASS)."
)

st.header("Technical information about this dashboard's accessibility")
st.markdown(
    f"{la} is committed to making its websites and services accessible, in accordance with the "
    "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018."
)
st.subheader("Compliance status")
st.markdown(
    "This dashboard is **partially compliant** with the [Web Content Accessibility Guidelines "
    "version 2.2](https://www.w3.org/TR/WCAG22/) **AA standard**, due to the non-compliances "
    "listed under 'How accessible the dashboard is'."
)

st.header("Preparation of this accessibility statement")
st.markdown(
    f"This statement was prepared on 6 December 2026. The dashboard was last tested on "
    f"**{LAST_TESTED}**: {HOW_TESTED}."
)
