"""The meeting as a record (actions.meetings): the last meeting and what is due for review, this
meeting's date, officer, attendees and shortlist, and a lead practitioner for each severely
absent pupil. Sections of the Targeting Support Meeting page."""

from __future__ import annotations

import contextlib

import pandas as pd
import streamlit as st

import catalogue
import queries
from actions import agenda, meetings, store

SEVERE = "pupil_severe_absence_list"


@contextlib.contextmanager
def saving(failed: str = "Not saved"):
    """Write to the store inside the block and set out["message"]: on a refusal (a check of
    the store or the viewer's scope) say why here; else show the message after a rerun."""
    out = {"message": "Saved."}
    try:
        yield out
    except (store.ActionError, queries.AccessDenied) as exc:
        st.error(f"{failed}: {exc}.")
        return
    st.session_state["meeting_flash"] = out["message"]
    st.rerun()


def _on_lists(ag: agenda.Agenda) -> dict[str, list[str]]:
    """{pupil_ref: the lists they are on}, in the catalogue's order."""
    out: dict[str, list[str]] = {}
    for lst in catalogue.pupil_lists():
        for r in (ag.pupil_lists or {}).get(lst.query, pd.DataFrame(columns=["pupil_ref"]))["pupil_ref"]:
            out.setdefault(r, []).append(lst.label)
    return out


def _people(record: dict) -> str:
    people = [f"{a['name']} ({a['role']})" if a.get("role") else a["name"] for a in record["attendees"]]
    return ", ".join(people) if people else "no attendees recorded"


def last_meeting(ag: agenda.Agenda) -> None:
    """What the last meeting decided and what falls due: its date and people, the pupils it
    discussed, and the actions whose review date has come by the end of this term."""
    st.header("Since the last meeting")
    prev = ag.term.previous
    rec = ag.last_meeting
    if prev is None or rec is None:
        st.info(
            "No meeting is recorded for the term before this one"
            + (f" ({prev.label})" if prev is not None else "")
            + ": record this one below and the next meeting opens with it."
        )
        return
    st.markdown(
        f"**{prev.label} meeting, {rec['meeting_date']:%d %B %Y}**, LA officer {rec['la_officer']}; "
        f"present: {_people(rec)}." + (" *Synthetic demo meeting.*" if rec["synthetic"] else "")
    )
    if rec["notes"]:
        st.markdown(f"Notes: {rec['notes']}")
    a = ag.last_actions
    if not a.empty:
        review = pd.to_datetime(a["review_date"])
        due = a[(a["status"] == "planned") & review.notna() & (review <= pd.Timestamp(ag.last_day))]
        st.markdown(
            f"Of its {len(a)} actions, {int((a['status'] == 'done').sum())} are done and "
            f"{len(due)} still planned with a review date by {ag.last_day:%d %B %Y}: review those first."
        )
    if ag.last_shortlist is not None and not ag.last_shortlist.empty:
        now = _on_lists(ag)
        sl = ag.last_shortlist.assign(
            **{
                "On a list now": [
                    ", ".join(now.get(r, [])) or "none" for r in ag.last_shortlist["pupil_ref"]
                ],
            }
        )
        st.markdown(
            f"{len(sl)} pupils were discussed; {int((sl['On a list now'] != 'none').sum())} of them are on a "
            f"list again in {ag.term.label}."
        )
        st.dataframe(
            sl.drop(columns=["pupil_id"]).rename(
                columns={"pupil_ref": "Pupil", "from_list": "Discussed from"}
            ),
            hide_index=True,
            key="last_shortlist",
        )


def this_meeting(ag: agenda.Agenda, ctx) -> None:
    """This meeting's record: date, the LA's officer, attendees, notes and the shortlist."""
    st.header("This meeting")
    rec = ag.meeting
    on_lists = _on_lists(ag)
    if not store.can_record(ctx.scope):
        if rec is None:
            st.info(f"No record of the {ag.term.label} meeting yet.")
        else:
            st.markdown(
                f"Held {rec['meeting_date']:%d %B %Y}; LA officer {rec['la_officer']}; present: {_people(rec)}."
            )
        return
    chosen = [] if ag.shortlist is None else ag.shortlist["pupil_ref"].tolist()
    people = pd.DataFrame(rec["attendees"] if rec else [], columns=["name", "role"])
    with st.form("meeting_record", border=True):
        c = st.columns(2)
        when = c[0].date_input(
            "Date of the meeting",
            value=rec["meeting_date"] if rec else ag.last_day,
            key="meeting_date",
            format="DD/MM/YYYY",
        )
        officer = c[1].text_input(
            "LA officer",
            value=rec["la_officer"] if rec else "",
            key="meeting_officer",
            max_chars=meetings.MAX_TEXT["name"],
        )
        st.markdown("Attendees (name and role; add a row for each)")
        edited = st.data_editor(
            people,
            num_rows="dynamic",
            hide_index=True,
            key="meeting_attendees",
            column_config={
                "name": st.column_config.TextColumn("Name", max_chars=meetings.MAX_TEXT["name"]),
                "role": st.column_config.TextColumn("Role", max_chars=meetings.MAX_TEXT["role"]),
            },
        )
        shortlist = st.multiselect(
            "Pupils discussed (the shortlist)",
            sorted(on_lists, key=lambda r: (-len(on_lists[r]), r)),
            default=[r for r in chosen if r in on_lists],
            key="meeting_shortlist",
            format_func=lambda r: f"{r} · {', '.join(on_lists.get(r, []))}",
            placeholder="Choose from the lists below",
        )
        notes = st.text_area(
            "Notes",
            value=rec["notes"] if rec else "",
            key="meeting_notes",
            height=80,
            max_chars=meetings.MAX_TEXT["notes"],
        )
        saved = st.form_submit_button("Save the meeting record", icon=":material/save:")
    if saved:
        with saving() as out:
            meeting_id = meetings.save_meeting(
                ctx.scope,
                urn=ag.urn,
                meeting_term=ag.term.key,
                meeting_date=when,
                la_officer=officer,
                attendees=edited.dropna(subset=["name"]).to_dict("records"),
                notes=notes,
            )
            meetings.set_shortlist(
                ctx.scope,
                meeting_id,
                {store.resolve_pupil(ctx.scope, ag.urn, r): ", ".join(on_lists[r]) for r in shortlist},
            )
            out["message"] = (
                f"Saved the {ag.term.label} meeting record with {len(shortlist)} pupils on the shortlist."
            )
    elif rec is not None and rec["synthetic"]:
        st.caption("Synthetic demo meeting.")


def lead_practitioners(ag: agenda.Agenda, ctx) -> None:
    """A lead practitioner for every severely absent pupil, with their support plan's state."""
    st.header("Lead practitioners for severely absent pupils")
    if ag.pupil_lists is None:
        st.info("Pupil-level: shown to school staff and LA officers only.")
        return
    severe = ag.pupil_lists[SEVERE]
    if severe.empty:
        st.success(f"No pupil missed half or more of their sessions in {ag.term.label}.")
        return
    leads = meetings.lead_practitioners(ctx.scope, ag.urn).set_index("pupil_ref")
    acts = store.list_actions(ctx.scope, urn=ag.urn, subject="pupil")
    plan = acts.groupby("pupil_ref")["status"].value_counts().unstack(fill_value=0)
    frame = pd.DataFrame(
        {
            "pupil_ref": severe["pupil_ref"],
            "days_lost": severe["days_lost"],
            "name": [leads["name"].get(r, "") for r in severe["pupil_ref"]],
            "role": [leads["role"].get(r, "") for r in severe["pupil_ref"]],
            "plan": [
                ", ".join(f"{int(n)} {s}" for s, n in plan.loc[r].items() if n)
                if r in plan.index
                else "no support recorded"
                for r in severe["pupil_ref"]
            ],
        }
    )
    missing = int((frame["name"] == "").sum())
    st.markdown(
        f"{len(frame)} pupils missed half or more of their sessions in {ag.term.label}; "
        + (f"**{missing} have no lead practitioner**." if missing else "each has a lead practitioner.")
        + " The support plan is the pupil's actions from the checklist (see the evidence view)."
    )
    editable = store.can_record(ctx.scope)
    edited = st.data_editor(
        frame,
        hide_index=True,
        key="lead_editor",
        disabled=not editable or ["pupil_ref", "days_lost", "plan"],
        column_config={
            "pupil_ref": "Pupil (pseudonym)",
            "days_lost": st.column_config.NumberColumn("Days missed", format="%.1f"),
            "name": st.column_config.TextColumn("Lead practitioner", max_chars=meetings.MAX_TEXT["name"]),
            "role": st.column_config.TextColumn("Their role", max_chars=meetings.MAX_TEXT["role"]),
            "plan": "Support plan (actions by status)",
        },
    )
    if editable and st.button("Save lead practitioners", key="lead_save", icon=":material/save:"):
        changed = edited[(edited["name"] != frame["name"]) | (edited["role"] != frame["role"])]
        with saving() as out:
            for r in changed.itertuples():
                if str(r.name or "").strip():
                    pupil_id = store.resolve_pupil(ctx.scope, ag.urn, r.pupil_ref)
                    meetings.set_lead_practitioner(ctx.scope, ag.urn, pupil_id, r.name, r.role, ag.last_day)
            out["message"] = f"Saved {len(changed)} lead practitioner(s)."
