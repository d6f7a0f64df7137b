"""Streamlit drawing for the meeting, impact and pupil pages: the sections of a Targeting
Support Meeting, the action form and editor, the evidence view and the pack downloads.
No SQL here: the data comes from the meeting domain in actions/ (agenda, store, evidence,
exports), which draws nothing itself."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import catalogue
import ui
from actions import agenda, evidence, exports, meetings, store, strategies
from ui import pupil_lists as list_section
from ui.meeting_record import saving

USUAL_STAGE = "(the strategy's usual stage)"


# ------------------------------------------------------------------ helpers
def audited_chart_block(
    fig,
    reading: str,
    table: pd.DataFrame,
    file_stem: str,
    synthetic: bool,
    scope,
    key: str,
    params: dict | None = None,
) -> None:
    """ui.chart_block for pupil-level tables: the CSV download is written to the audit log."""
    st.markdown(reading)
    tab_chart, tab_table, tab_dl = st.tabs(["Chart", "Table", "Download"])
    with tab_chart:
        st.markdown(ui.chart_name(reading), unsafe_allow_html=True)
        ui.plotly_chart(fig, key=f"{key}_chart")
    with tab_table:
        st.dataframe(table, hide_index=True)
    with tab_dl:
        ui.csv_download(
            table,
            synthetic,
            "Pupil-level: handle as personal data",
            file_stem,
            f"{key}_csv",
            audited=dict(scope=scope, what=file_stem, params=params, rows=len(table)),
            pupil_rows=True,
        )


def term_selector(terms: pd.DataFrame) -> str | None:
    """The meeting's term, in the URL as ?meeting=<year>-<term>; default the latest term."""
    if terms.empty:
        return None
    keys = terms["term_key"].tolist()[::-1]
    labels = dict(zip(terms["term_key"], terms["term_label"]))
    raw = st.query_params.get("meeting")
    if st.session_state.get("meeting") not in (None, *keys):
        st.session_state.pop("meeting")
    index = keys.index(raw) if raw in keys else 0
    choice = st.selectbox(
        "Meeting term",
        keys,
        index=index,
        key="meeting",
        format_func=lambda k: labels[k],
        help="The term whose figures the meeting reviews; the last meeting is the term before.",
    )
    if st.query_params.get("meeting") != choice:
        st.query_params["meeting"] = choice
    return choice


# ------------------------------------------------------------------ 1. figures
def figures(ag: agenda.Agenda, ctx) -> None:
    st.header("Figures against the LA, England, similar schools and the last meeting")
    h = ag.headline
    me = h.iloc[0]
    if not me["enrolments"]:
        st.info(f"{ag.school_name} has no pupils with possible sessions in {ag.term.label}.")
        return
    last = h[h["comparison"].str.contains("last meeting")]
    prev = last.iloc[0] if not last.empty else None

    c = st.columns(4)
    for col, (mid, under) in zip(
        c,
        (
            ("attendance_rate", None),
            (
                "persistent_absence_rate",
                f"{ui.number(me['pa_enrolments'])} of {ui.number(me['enrolments'])} pupils",
            ),
            ("severe_absence_rate", None),
        ),
    ):
        m = catalogue.measure(mid)
        ch = None if prev is None or ui._nan(prev[mid]) else me[mid] - prev[mid]
        col.metric(m.label, ui.pct(me[mid]), **ui.change(ch, m.low_is_good), border=True)
        if under:
            col.caption(under)
    if prev is not None:
        st.caption(f"Changes are on the last meeting's term ({ag.term.previous.label}).")
    c[3].metric("Days lost", ui.number(me["days_lost"]), border=True)
    c[3].caption(f"{me['days_lost_per_pupil']:.1f} days per pupil")
    measures = [(mid, catalogue.measure(mid).label) for mid in catalogue.compared()]
    shown = h[~h["comparison"].str.startswith("Similar") & h["note"].isna()].head(4)  # four series at most
    for r in h[h["note"].notna()].itertuples():
        st.caption(f"{r.comparison}: {r.note}.")
    fig = go.Figure()
    for i, r in enumerate(shown.itertuples()):
        fig.add_bar(
            name=r.comparison,
            x=[m[1] for m in measures],
            y=[getattr(r, m[0]) for m in measures],
            marker_color=ui.SERIES[i],
        )
    ui.style_figure(fig, y_title="% (sessions; PA and SA: pupils)")
    la = h[h["comparison"].str.startswith("The LA's")]
    reading = (
        f"In {ag.term.label} {ag.school_name}'s overall absence was **{ui.pct(me['overall_absence_rate'])}** "
        f"and PA {ui.pct(me['persistent_absence_rate'])}"
        + (
            f", against {ui.pct(prev['persistent_absence_rate'])} PA at the last meeting"
            if prev is not None
            else ""
        )
        + (
            f" and {ui.pct(la.iloc[0]['persistent_absence_rate'])} across the LA's {ag.phase.lower()} schools"
            if not la.empty
            else ""
        )
        + "."
    )
    table = h[[c for c in agenda.HEADLINE_COLUMNS if c in h.columns]]
    ui.chart_block(
        fig,
        reading,
        table,
        f"meeting_{ag.urn}_{ag.term.key}_headline",
        ctx.synthetic,
        note=ag.term.label,
        key="meeting_headline",
    )
    if not ag.weekly.empty:
        fig = go.Figure()
        for i, (series, label) in enumerate(
            (("This year", ag.school_name), ("LA, same phase", "LA, same phase"))
        ):
            s = ag.weekly[ag.weekly["series"] == series]
            fig.add_scatter(
                x=s["week_start"],
                y=s["overall_absence_rate"],
                name=label,
                mode="lines+markers" if i == 0 else "lines",
                line=dict(color=ui.SERIES[0 if i == 0 else 2], dash="solid" if i == 0 else "dot"),
            )
        ui.style_figure(fig, height=320, y_title="overall absence, % of sessions")
        s = ag.weekly[ag.weekly["series"] == "This year"]
        worst = s.loc[s["overall_absence_rate"].idxmax()] if not s.empty else None
        reading = (
            ""
            if worst is None
            else f"The worst week of the term was w/c {worst['week_start']:%d %b %Y}, at "
            f"{ui.pct(worst['overall_absence_rate'])} absence."
        )
        _chart(ag, ctx, fig, reading, ag.weekly, "weekly")


def _chart(ag: agenda.Agenda, ctx, fig, reading: str, table: pd.DataFrame, part: str) -> None:
    """A chart of the meeting's term with its reading, table and download (named for the school
    and term)."""
    ui.chart_block(
        fig,
        reading,
        table,
        f"meeting_{ag.urn}_{ag.term.key}_{part}",
        ctx.synthetic,
        note=ag.term.label,
        key=f"meeting_{part}",
    )


# ------------------------------------------------------------------ 2. cohorts
def cohorts(ag: agenda.Agenda, ctx) -> None:
    st.header("Cohorts of concern")
    co = ag.cohorts
    if co.empty:
        st.info("No pupils in this term.")
        return
    concern = co[co["of_concern"]]
    st.caption(
        f"A group is of concern when its PA is {agenda.CONCERN_GAP:g} points or more above other pupils "
        f"in the school, or {agenda.CONCERN_ABOVE_LA:g} above them and {agenda.CONCERN_ABOVE_LA:g} above the "
        "same group across the LA's schools of the phase (groups of at least "
        f"{ctx.scope.suppression_threshold} pupils)."
    )
    fig = go.Figure()
    for (col, name), colour in zip(
        (
            ("persistent_absence_rate", ag.term.label),
            ("last_meeting_pa_rate", "Last meeting"),
            ("la_pa_rate", "Same group, LA"),
        ),
        ui.SERIES,
    ):
        fig.add_bar(name=name, y=co["cohort"], x=co[col], orientation="h", marker_color=colour)
    ui.style_figure(fig, height=540)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="persistent absence, % of pupils")
    reading = (
        "No group meets the rule this term."
        if concern.empty
        else "Of concern: "
        + "; ".join(
            f"**{r.cohort}** (PA {ui.pct(r.persistent_absence_rate)}: {r.why})" for r in concern.itertuples()
        )
        + "."
    )
    table = co[[*agenda.COHORT_COLUMNS[:-1], "of_concern", "why"]]
    _chart(ag, ctx, fig, reading, table, "cohorts")


# ------------------------------------------------------------------ 3. pupil lists
def pupil_lists(ag: agenda.Agenda, ctx) -> None:
    st.header("Pupils who may need support")
    if ag.pupil_lists is None:
        st.info(
            "Lists of individual pupils are not shown: the "
            f"{ctx.scope.role.replace('_', ' ')} role sees figures for groups of pupils only. School staff and "
            "LA officers see them here."
        )
        return
    st.caption("Pseudonymous references, as on the School page. Use a reference in *Record an action* below.")
    list_section.tabs(
        ag.pupil_lists, ag.term.label, ctx, ag.urn, "meeting_", {"urn": ag.urn, "term": ag.term.key}
    )


# ------------------------------------------------------------------ 4, 6. actions
def _editor_frame(actions: pd.DataFrame, with_attendance: bool) -> pd.DataFrame:
    a = actions.sort_values(["action_date", "action_id"])
    out = pd.DataFrame(
        {
            "action_id": a["action_id"].astype(int),
            "for": store.subjects(a),
            "strategy": a["strategy_group"] + ": " + a["strategy"],
            "stage": a["stage"],
            "owner": a["owner"],
            "action_date": pd.to_datetime(a["action_date"]),
            "review_date": pd.to_datetime(a["review_date"]),
            "status": a["status"],
            "reason_not_tried": a["reason_not_tried"],
            "outcome": a["outcome"],
        }
    )
    if with_attendance:
        for c in ("attendance_before", "attendance_after", "change_points", "weeks_after"):
            out[c] = pd.to_numeric(a[c], errors="coerce").values
    return out.reset_index(drop=True)


EDITOR_CONFIG = {
    "action_id": st.column_config.NumberColumn("Action", disabled=True, width="small"),
    "for": st.column_config.TextColumn("For", disabled=True),
    "strategy": st.column_config.TextColumn("Strategy", disabled=True, width="large"),
    "stage": st.column_config.SelectboxColumn("Stage", options=list(strategies.STAGES), required=True),
    "owner": st.column_config.TextColumn("Owner"),
    "action_date": st.column_config.DateColumn("Date", format="DD MMM YYYY", required=True),
    "review_date": st.column_config.DateColumn("Review by", format="DD MMM YYYY"),
    "status": st.column_config.SelectboxColumn("Status", options=list(strategies.STATUSES), required=True),
    "reason_not_tried": st.column_config.TextColumn("Reason not tried"),
    "outcome": st.column_config.TextColumn("Outcome", width="large"),
    "attendance_before": st.column_config.NumberColumn("Attendance before %", format="%.1f", disabled=True),
    "attendance_after": st.column_config.NumberColumn("Attendance after %", format="%.1f", disabled=True),
    "change_points": st.column_config.NumberColumn("Change (points)", format="%+.1f", disabled=True),
    "weeks_after": st.column_config.NumberColumn("Weeks after", disabled=True),
}


EDITED = ("stage", "owner", "action_date", "review_date", "status", "reason_not_tried", "outcome")


def action_editor(actions: pd.DataFrame, ctx, key: str, with_attendance: bool = False) -> None:
    """An editable table of actions (status, outcome, owner, date, stage); saved with the history."""
    frame = _editor_frame(actions, with_attendance)
    editable = store.can_record(ctx.scope)
    config = dict(EDITOR_CONFIG)
    if not editable:
        config = {
            k: (v if k not in EDITED else st.column_config.Column(disabled=True)) for k, v in config.items()
        }
    edited = st.data_editor(
        frame,
        hide_index=True,
        column_config=config,
        key=f"{key}_editor",
        num_rows="fixed",
        disabled=not editable,
    )
    if not editable:
        return
    if st.button("Save changes", key=f"{key}_save", icon=":material/save:"):
        saved, errors = 0, []
        for (_, old), (_, new) in zip(frame.iterrows(), edited.iterrows()):
            changes = {c: new[c] for c in EDITED if str(new[c]) != str(old[c])}
            if changes:
                try:
                    saved += store.update_action(ctx.scope, int(old["action_id"]), **changes)
                except store.ActionError as exc:
                    errors.append(f"Action {int(old['action_id'])}: {exc}")
        for e in errors:
            st.error(e)
        if not errors:
            st.session_state["meeting_flash"] = f"Saved changes to {saved} action{'s' if saved != 1 else ''}."
            st.rerun()


def before_after_chart(labels: list[str], before, after, weeks: int) -> go.Figure:
    """Attendance in the school weeks before each action (circle) and after it (diamond)."""
    fig = go.Figure()
    for x, name, colour, symbol in (
        (before, f"Up to {weeks} weeks before", ui.SERIES[1], "circle"),
        (after, f"Up to {weeks} weeks after", ui.SERIES[0], "diamond"),
    ):
        fig.add_scatter(
            x=x, y=labels, mode="markers", name=name, marker=dict(color=colour, size=11, symbol=symbol)
        )
    ui.style_figure(fig, height=max(260, 40 * len(labels) + 120))
    fig.update_xaxes(title="attendance, % of sessions", range=[0, 102])
    return fig


def last_actions(ag: agenda.Agenda, ctx, weeks: int) -> None:
    prev = ag.term.previous
    st.header("Actions agreed at the last meeting")
    if prev is None:
        st.info("There is no earlier term in the warehouse, so no last meeting to review.")
        return
    a = ag.last_actions
    if a.empty:
        st.info(f"No actions were recorded at the last meeting ({prev.label}).")
        return
    pupils = a[a["subject"] == "pupil"]
    done = a[a["status"] == "done"]
    st.markdown(
        f"{len(a)} action{'s' if len(a) != 1 else ''} agreed at the {prev.label} meeting: {len(done)} done, "
        f"{int((a['status'] == 'planned').sum())} still planned, "
        f"{int((a['status'] == 'not tried').sum())} not tried. Review each, record what happened "
        "(status and outcome) and save."
    )
    if not pupils.empty:
        p = pupils.dropna(subset=["attendance_before", "attendance_after"])
        labels = [f"{r.pupil_ref}: {r.strategy[:40]}" for r in p.itertuples()]
        fig = before_after_chart(labels, p["attendance_before"], p["attendance_after"], weeks)
        up = int((p["change_points"] > 0).sum())
        reading = (
            f"Since the last meeting, attendance rose after {up} of the {len(p)} pupil actions with weeks on "
            f"both sides (up to {weeks} school weeks before against up to {weeks} after; not a controlled comparison)."
        )
        table = evidence.evidence_table(p).assign(Pupil=p["pupil_ref"].values)
        audited_chart_block(
            fig,
            reading,
            table,
            f"meeting_{ag.urn}_{prev.key}_last_actions",
            ctx.synthetic,
            ctx.scope,
            key="meeting_last",
            params={"urn": ag.urn, "term": prev.key},
        )
    action_editor(a, ctx, "meeting_last", with_attendance=True)
    formal_step_warnings(ag, a)


def formal_step_warnings(ag: agenda.Agenda, actions: pd.DataFrame | None = None) -> None:
    """Formal steps recorded with no support done before them (evidence.formal_warnings), of
    the actions given (all the school's when None), where the meeting reviews those actions."""
    warn = ag.warnings
    if actions is not None and not warn.empty:
        warn = warn[warn["action_id"].isin(actions["action_id"])]
    for w in warn["warning"] if not warn.empty else []:
        st.error(w, icon=":material/gavel:")


def this_actions(ag: agenda.Agenda, ctx) -> None:
    st.header("Actions agreed at this meeting")
    if ag.actions.empty:
        st.info(f"No actions recorded yet for the {ag.term.label} meeting.")
    else:
        action_editor(ag.actions, ctx, "meeting_this")
    formal_step_warnings(ag)
    if store.can_record(ctx.scope):
        with st.expander("Who recorded what, and when (history of every change)"):
            hist = store.history(ctx.scope, ag.urn)
            st.dataframe(hist, hide_index=True)


# ------------------------------------------------------------------ 5. the form
def record_form(ag: agenda.Agenda, ctx, pupil_refs: pd.DataFrame | None) -> None:
    st.header("Record an action")
    if not store.can_record(ctx.scope):
        st.info(
            f"The {ctx.scope.role.replace('_', ' ')} role cannot record actions: school staff and LA officers "
            "record them."
        )
        return
    on_lists: dict[str, list[str]] = {}
    for lst in catalogue.pupil_lists():
        for r in (ag.pupil_lists or {}).get(lst.query, pd.DataFrame(columns=["pupil_ref"]))["pupil_ref"]:
            on_lists.setdefault(r, []).append(lst.label)
    years = (
        dict(zip(pupil_refs["pupil_ref"], pupil_refs["year_group"].fillna("year not known")))
        if pupil_refs is not None
        else {}
    )
    refs = list(on_lists) + [r for r in years if r not in on_lists]
    with st.form("record_action", clear_on_submit=True, border=True):
        subject = st.radio("For", ["A pupil", "A cohort"], horizontal=True, key="action_subject")
        c = st.columns(2)
        ref = c[0].selectbox(
            "Pupil (pseudonymous reference)",
            refs,
            index=None,
            key="action_pupil",
            placeholder="Pupils on the lists first",
            format_func=lambda r: (
                f"{r} ({years.get(r, '')})" + (f" · {', '.join(on_lists[r])}" if r in on_lists else "")
            ),
        )
        cohort = c[1].selectbox(
            "Cohort",
            agenda.cohort_options(ag),
            index=None,
            key="action_cohort",
            placeholder="For a cohort action",
        )
        strategy = st.selectbox(
            "Strategy (the support checklist)",
            strategies.options(),
            index=None,
            key="action_strategy",
            format_func=strategies.option_label,
            placeholder="Type to search the checklist",
        )
        c = st.columns(3)
        stage = c[0].selectbox(
            "Stage of the graduated response", [USUAL_STAGE, *strategies.STAGES], key="action_stage"
        )
        owner = c[1].text_input(
            "Owner", key="action_owner", placeholder="Who will do it", max_chars=store.MAX_TEXT["owner"]
        )
        when = c[2].date_input(
            "Date", value=min(dt.date.today(), ag.last_day), key="action_date", format="DD/MM/YYYY"
        )
        c = st.columns(3)
        status = c[0].selectbox(
            "Status", list(strategies.STATUSES), key="action_status", format_func=strategies.STATUS_LABELS.get
        )
        review = c[1].date_input("Review by", value=None, key="action_review", format="DD/MM/YYYY")
        reason = c[2].text_input(
            "Reason not tried (if not tried)",
            key="action_reason",
            max_chars=store.MAX_TEXT["reason_not_tried"],
        )
        outcome = st.text_area(
            "Outcome", key="action_outcome", height=80, max_chars=store.MAX_TEXT["outcome"]
        )
        submitted = st.form_submit_button("Record the action", icon=":material/add_task:", type="primary")
    if submitted:
        with saving("Not recorded") as out:
            if strategy is None:
                raise store.ActionError("choose a strategy from the checklist")
            if subject == "A pupil" and not ref:
                raise store.ActionError("choose a pupil")
            if subject == "A cohort" and not cohort:
                raise store.ActionError("choose a cohort")
            chosen_stage = strategies.by_id()[strategy]["default_stage"] if stage == USUAL_STAGE else stage
            new_id = store.add_action(
                ctx.scope,
                urn=ag.urn,
                meeting_term=ag.term.key,
                strategy_id=strategy,
                stage=chosen_stage,
                action_date=when,
                review_date=review,
                status=status,
                owner=owner,
                reason_not_tried=reason,
                outcome=outcome,
                pupil_ref=ref if subject == "A pupil" else None,
                cohort=cohort if subject == "A cohort" else None,
            )
            who = ref if subject == "A pupil" else f"cohort {cohort}"
            out["message"] = f"Recorded action {new_id}: {strategies.label(strategy)} for {who}."


# ------------------------------------------------------------------ 7. evidence
def show_evidence(
    scope, urn: int, pupil_ref: str, synthetic: bool, key: str, weeks: int = evidence.DEFAULT_WEEKS
) -> None:
    """The evidence of support for one pupil: strategies tried, when, attendance before and
    after each, and the formal-step warning."""
    if not scope.pupil_rows_allowed:
        st.info("The evidence of support is pupil-level: shown to school staff and LA officers only.")
        return
    acts = store.list_actions(scope, urn=urn, subject="pupil")
    acts = acts[acts["pupil_ref"] == pupil_ref]
    if acts.empty:
        st.info(
            f"No support is recorded for {pupil_ref} yet. Record what was agreed and tried on the "
            f"[Targeting Support Meeting page](/meeting?urn={urn})."
        )
        return
    lead = meetings.lead_practitioners(scope, urn).set_index("pupil_ref")
    st.markdown(
        f"**Lead practitioner:** {lead.loc[pupil_ref, 'name']}"
        + (f" ({lead.loc[pupil_ref, 'role']})" if lead.loc[pupil_ref, "role"] else "")
        + f", since {pd.Timestamp(lead.loc[pupil_ref, 'since']):%d %B %Y}."
        if pupil_ref in lead.index
        else "**Lead practitioner:** none recorded (every severely absent pupil needs one)."
    )
    warnings = evidence.formal_warnings(acts)["warning"]
    acts = evidence.with_attendance(scope, acts, weeks)
    table = evidence.evidence_table(acts)
    done = acts[acts["status"] == "done"]
    y = [f"{d:%d %b %Y}: {s[:45]}" for d, s in zip(table["Date"], table["Strategy"])]
    fig = before_after_chart(y, table["Attendance before %"], table["Attendance after %"], weeks)
    fig.update_yaxes(autorange="reversed")
    first = acts.sort_values("action_date").iloc[0]
    reading = (
        f"{len(acts)} action{'s' if len(acts) != 1 else ''} recorded for {pupil_ref} since "
        f"{pd.Timestamp(first['action_date']):%d %B %Y}, {len(done)} done; attendance in the {weeks} school "
        f"weeks before the first was {ui.pct(first['attendance_before'])}"
        + (
            f" and {ui.pct(first['attendance_after'])} after it."
            if pd.notna(first["attendance_after"])
            else " (no weeks after it yet)."
        )
    )
    audited_chart_block(
        fig,
        reading,
        table,
        f"evidence_{pupil_ref}",
        synthetic,
        scope,
        key=key,
        params={"urn": urn, "pupil_ref": pupil_ref},
    )
    # the support plan comes first; then any formal step taken without support before it
    for w in warnings:
        st.error(w, icon=":material/gavel:")


def evidence_picker(ag: agenda.Agenda, ctx, weeks: int) -> None:
    st.header("Evidence of support for a pupil")
    if ag.pupil_lists is None:
        st.info("Pupil-level: shown to school staff and LA officers only.")
        return
    acts = store.list_actions(ctx.scope, urn=ag.urn, subject="pupil")
    refs = sorted(acts["pupil_ref"].dropna().unique().tolist())
    if not refs:
        st.info("No support has been recorded for any pupil at this school yet.")
        return
    flagged = set(ag.warnings["pupil_ref"]) if not ag.warnings.empty else set()
    ref = st.selectbox(
        "Pupil",
        refs,
        key="evidence_pupil",
        format_func=lambda r: r + (" ⚠ formal step without support" if r in flagged else ""),
    )
    show_evidence(ctx.scope, ag.urn, ref, ctx.synthetic, key="meeting_evidence", weeks=weeks)


# ------------------------------------------------------------------ 8. the pack
def pack(ag: agenda.Agenda, ctx, weeks: int) -> None:
    st.header("The meeting pack")
    personal = ag.pupil_lists is not None
    st.markdown(
        "The agenda above as a PDF (charts, tables and the action list) and as an Excel workbook (a sheet "
        "per section)"
        + (
            ", with the pupil lists: personal data, so each download is recorded in the audit log."
            if personal
            else ", with figures for groups of pupils only."
        )
    )
    stamp = (
        ag.urn,
        ag.term.key,
        len(ag.actions),
        len(ag.last_actions),
        str(ag.actions["updated_at"].max() if not ag.actions.empty else ""),
    )
    if st.button("Prepare the meeting pack", key="pack_prepare", icon=":material/description:"):
        with st.spinner("Drawing the charts and tables"):
            st.session_state["meeting_pack"] = (
                stamp,
                exports.meeting_pack_pdf(ag, ctx.scope, ctx.meta, weeks),
                exports.meeting_pack_xlsx(ag, ctx.scope, ctx.meta, weeks),
            )
    held = st.session_state.get("meeting_pack")
    if not held or held[0] != stamp:
        st.caption("Prepare the pack to download it (it reflects the actions as they are now).")
        return
    _, pdf, xlsx = held
    stem = f"meeting_pack_{ag.urn}_{ag.term.key}"
    params = {"urn": ag.urn, "term": ag.term.key}
    c = st.columns(2)
    for col, data, ext, mime, label in (
        (c[0], pdf, "pdf", "application/pdf", "PDF"),
        (c[1], xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    ):
        with col:
            ui.download(
                f"Download the pack ({label}, {ui.size_label(len(data))})",
                lambda data=data: data,
                file_name=f"{stem}.{ext}",
                mime=mime,
                key=f"pack_{ext}",
                audited=dict(scope=ctx.scope, what=f"meeting_pack_{ext}", params=params)
                if personal
                else None,
            )
