"""Exports: the Targeting Support Meeting pack (PDF and Excel) and the governors' termly
report (PDF). PDFs are drawn with fpdf2, charts with matplotlib as PNG images (no browser).

Each export respects the viewer's scope: the agenda was built with it (one school in the
scope; pupil lists and pupil actions only for roles with pupil-level access), and the
aggregate tables are suppressed for every role but the LA officer's
(queries.suppress_for_export). The caller records an export holding pupil data with
auth.audit (see pages/meeting.py)."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from fpdf import FPDF  # noqa: E402
from fpdf.fonts import FontFace  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

import catalogue  # noqa: E402
import queries  # noqa: E402
from ui import SERIES, SYNTHETIC_LABEL, inert, inert_frame  # noqa: E402
from ui import governors as gov  # noqa: E402
from ui import school as sui  # noqa: E402

from . import agenda as agenda_mod  # noqa: E402
from . import evidence, meetings, store, strategies  # noqa: E402

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
SUPPRESSED = "c"

HEADLINE_SUPPRESSION = dict(
    count_cols=["enrolments", "pa_enrolments", "sa_enrolments"],
    rate_cols={
        "persistent_absence_rate": ("pa_enrolments", "enrolments"),
        "severe_absence_rate": ("sa_enrolments", "enrolments"),
        "attendance_rate": ("enrolments",),
        "overall_absence_rate": ("enrolments",),
        "unauthorised_absence_rate": ("enrolments",),
        "days_lost": ("enrolments",),
        "days_lost_per_pupil": ("enrolments",),
    },
    group_cols=None,
)
COHORT_SUPPRESSION = dict(
    count_cols=[
        "enrolments",
        "pa_enrolments",
        "rest_enrolments",
        "rest_pa_enrolments",
        "last_meeting_enrolments",
        "last_meeting_pa_enrolments",
    ],
    rate_cols={
        "persistent_absence_rate": ("pa_enrolments", "enrolments"),
        "last_meeting_pa_rate": ("last_meeting_pa_enrolments", "last_meeting_enrolments"),
        "gap_to_rest_of_school": ("pa_enrolments", "enrolments", "rest_pa_enrolments", "rest_enrolments"),
        "overall_absence_rate": ("enrolments",),
    },
    group_cols=["cohort_type"],
)
PLAIN = catalogue.column_labels()


# ------------------------------------------------------------------ tables for export
def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return f"{v:%d %b %Y}"
    if isinstance(v, dt.date):
        return f"{v:%d %b %Y}"
    if isinstance(v, (list, tuple)):
        return " ".join(f"{x:.0f}" for x in v)
    try:
        if pd.isna(v):
            return "–"
    except (TypeError, ValueError):
        pass
    return str(v)


def headline_table(ag, scope) -> pd.DataFrame:
    cols = [c for c in agenda_mod.HEADLINE_COLUMNS if c in ag.headline.columns]
    df = ag.headline[cols].copy()
    return queries.suppress_for_export(df, scope, **HEADLINE_SUPPRESSION)


def cohort_table(ag, scope) -> pd.DataFrame:
    if ag.cohorts.empty:
        return pd.DataFrame(columns=["cohort"])
    df = queries.suppress_for_export(ag.cohorts.copy(), scope, **COHORT_SUPPRESSION)
    if df.attrs.get("suppressed"):
        hidden = (df[["enrolments", "pa_enrolments", "persistent_absence_rate"]] == SUPPRESSED).any(axis=1)
        df.loc[hidden, "why"] = SUPPRESSED
    return df[[c for c in agenda_mod.COHORT_COLUMNS if c in df.columns]]


def action_table(actions: pd.DataFrame, with_attendance: bool = False) -> pd.DataFrame:
    if actions.empty:
        return pd.DataFrame(
            columns=[
                "Action",
                "For",
                "Group",
                "Strategy",
                "Stage",
                "Owner",
                "Date",
                "Review by",
                "Status",
                "Outcome or reason not tried",
            ]
        )
    a = actions.sort_values(["action_date", "action_id"])
    out = pd.DataFrame(
        {
            "Action": a["action_id"].astype(int),
            "For": store.subjects(a),
            "Group": a["strategy_group"],
            "Strategy": a["strategy"],
            "Stage": a["stage"],
            "Owner": a["owner"],
            "Date": a["action_date"],
            "Review by": a["review_date"] if "review_date" in a.columns else None,
            "Status": a["status"].map(strategies.STATUS_LABELS),
            "Outcome or reason not tried": [
                r if s == "not tried" else o
                for s, r, o in zip(a["status"], a["reason_not_tried"], a["outcome"])
            ],
        }
    )
    if with_attendance and "attendance_before" in a.columns:
        out["Attendance before %"] = pd.to_numeric(a["attendance_before"], errors="coerce").round(1).values
        out["Attendance after %"] = pd.to_numeric(a["attendance_after"], errors="coerce").round(1).values
        out["Change (points)"] = pd.to_numeric(a["change_points"], errors="coerce").round(1).values
    return out.reset_index(drop=True)


def pupil_list_table(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in agenda_mod.LIST_COLUMNS if c in df.columns]
    return df[cols].rename(columns=PLAIN)


def meeting_table(ag) -> pd.DataFrame:
    """Who met and when: the LA's officer and each attendee."""
    rec = ag.meeting
    if rec is None:
        return pd.DataFrame(columns=["Name", "Role"])
    people = [(rec["la_officer"], "LA officer"), *[(a["name"], a["role"]) for a in rec["attendees"]]]
    return pd.DataFrame(people, columns=["Name", "Role"])


def shortlist_table(ag, scope) -> pd.DataFrame:
    """The pupils discussed, the list each came from, their lead practitioner."""
    cols = ["Pupil", "Discussed from", "Lead practitioner"]
    if ag.shortlist is None or ag.shortlist.empty:
        return pd.DataFrame(columns=cols)
    lead = meetings.lead_practitioners(scope, ag.urn).set_index("pupil_ref")
    return pd.DataFrame(
        {
            "Pupil": ag.shortlist["pupil_ref"],
            "Discussed from": ag.shortlist["from_list"],
            "Lead practitioner": [
                f"{lead.loc[r, 'name']} ({lead.loc[r, 'role']})" if r in lead.index else "–"
                for r in ag.shortlist["pupil_ref"]
            ],
        }
    )


def due_actions(ag) -> pd.DataFrame:
    """Actions still planned whose review date falls by the end of the term."""
    both = pd.concat([ag.last_actions, ag.actions], ignore_index=True)
    if both.empty:
        return both
    review = pd.to_datetime(both["review_date"])
    return both[(both["status"] == "planned") & review.notna() & (review <= pd.Timestamp(ag.last_day))]


def shortlist_evidence(ag, scope, weeks: int) -> pd.DataFrame:
    """Every support action recorded for the shortlisted pupils, with attendance either side."""
    if ag.shortlist is None or ag.shortlist.empty:
        return action_table(pd.DataFrame(), True)
    acts = store.list_actions(scope, urn=ag.urn, subject="pupil")
    acts = acts[acts["pupil_ref"].isin(ag.shortlist["pupil_ref"])]
    return action_table(evidence.with_attendance(scope, acts, weeks), True)


def data_quality_line(ag, scope) -> str:
    """The school's register as at the term's last day, in one sentence."""
    q = queries.run("schools_data_quality", scope, as_of=ag.last_day)
    q = q[q["urn"] == ag.urn]
    if q.empty:
        return "Data quality: no marks for this school by the end of the term."
    r = q.iloc[0]
    return (
        f"Data quality at {ag.last_day:%d %b %Y}: {int(r['unresolved_n'])} sessions coded N (reason not yet "
        f"provided) more than 5 school days old, {int(r['missing_sessions'])} sessions with no mark for a pupil "
        f"on roll; latest mark {pd.Timestamp(r['last_mark_date']):%d %b %Y}."
    )


def sections(ag, scope, weeks: int = evidence.DEFAULT_WEEKS) -> list[tuple[str, str, pd.DataFrame]]:
    """(sheet name, heading, table) for every section of the pack, as the viewer may see them."""
    out = [
        (
            "Headline figures",
            f"Figures for {ag.term.label} against the last meeting, the LA, similar schools and England",
            headline_table(ag, scope).rename(columns=PLAIN),
        ),
        (
            "Cohorts",
            "Pupil groups (cohorts of concern flagged)",
            cohort_table(ag, scope).rename(columns=PLAIN),
        ),
        ("Attendees", f"The {ag.term.label} meeting: the LA's officer and attendees", meeting_table(ag)),
        (
            "Actions due",
            f"Actions still planned with a review date by {ag.last_day:%d %b %Y}",
            action_table(due_actions(ag)),
        ),
    ]
    if ag.pupil_lists is not None:
        out.append(("Shortlist", "The pupils discussed at this meeting", shortlist_table(ag, scope)))
        out.append(
            (
                "Evidence",
                f"Evidence of support for the pupils discussed: every action and attendance in the {weeks} "
                "school weeks either side",
                shortlist_evidence(ag, scope, weeks),
            )
        )
    if ag.pupil_lists is not None:
        for lst in catalogue.pupil_lists():
            rule = lst.rule_for(ag.term.label).replace("**", "")
            out.append((lst.label[:31], f"{lst.label}: {rule}", pupil_list_table(ag.pupil_lists[lst.query])))
    prev = ag.term.previous.label if ag.term.previous else "no earlier term"
    out.append(
        (
            "Last meeting actions",
            f"Actions agreed at the last meeting ({prev}) and attendance in the "
            f"{weeks} school weeks before and after each",
            action_table(ag.last_actions, True),
        )
    )
    out.append(
        (
            "Actions this meeting",
            f"Actions agreed at this meeting ({ag.term.label})",
            action_table(ag.actions),
        )
    )
    warn = ag.warnings
    out.append(
        (
            "Formal step warnings",
            "Formal steps recorded without support done before them",
            pd.DataFrame({"Warning": warn["warning"].tolist()})
            if not warn.empty
            else pd.DataFrame({"Warning": []}),
        )
    )
    return out


# ------------------------------------------------------------------ charts (matplotlib PNG)
def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _num(v):
    try:
        x = float(v)
        return None if math.isnan(x) else x
    except (TypeError, ValueError):
        return None


def headline_chart(head: pd.DataFrame) -> bytes | None:
    """Grouped bars: absence, unauthorised, PA, SA for up to four comparisons (no similar schools)."""
    rows = head[~head["Comparison"].str.startswith("Similar")].head(4)
    if rows.empty:
        return None
    measures = [
        ("Absence %", "Overall absence"),
        ("Unauthorised %", "Unauthorised"),
        ("PA %", "Persistent\nabsence"),
        ("SA %", "Severe\nabsence"),
    ]
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    width = 0.8 / len(rows)
    for i, (_, r) in enumerate(rows.iterrows()):
        ys = [_num(r.get(m)) for m, _ in measures]
        xs = [k + i * width for k in range(len(measures))]
        ax.bar(
            [x for x, y in zip(xs, ys) if y is not None],
            [y for y in ys if y is not None],
            width,
            label=r["Comparison"],
            color=SERIES[i % 4],
        )
    ax.set_xticks([k + width * (len(rows) - 1) / 2 for k in range(len(measures))], [m[1] for m in measures])
    ax.set_ylabel("% (sessions; PA, SA: pupils)")
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def cohort_chart(co: pd.DataFrame, school: str) -> bytes | None:
    if co.empty or "PA %" not in co.columns:
        return None
    pa = [_num(v) for v in co["PA %"]]
    la = [_num(v) for v in co.get("LA same group PA %", [None] * len(co))]
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(co) + 0.9))
    ys = range(len(co))
    ax.barh(
        [y - 0.2 for y, v in zip(ys, pa) if v is not None],
        [v for v in pa if v is not None],
        0.4,
        color=SERIES[0],
        label=school,
    )
    ax.barh(
        [y + 0.2 for y, v in zip(ys, la) if v is not None],
        [v for v in la if v is not None],
        0.4,
        color=SERIES[2],
        label="Same group, LA schools of the phase",
    )
    for y, v in zip(ys, pa):
        if v is None:
            ax.text(0.5, y - 0.2, SUPPRESSED, va="center", fontsize=7)
    ax.set_yticks(list(ys), co["Pupil group"].tolist(), fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("persistent absence, % of pupils")
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def weekly_chart(weekly: pd.DataFrame, school: str) -> bytes | None:
    if weekly.empty:
        return None
    fig, ax = plt.subplots(figsize=(7.5, 2.6))
    for i, (series, label) in enumerate((("This year", school), ("LA, same phase", "LA, same phase"))):
        s = weekly[weekly["series"] == series]
        if not s.empty:
            ax.plot(
                s["week_start"],
                s["overall_absence_rate"],
                marker="o" if i == 0 else None,
                color=SERIES[0 if i == 0 else 2],
                linestyle="-" if i == 0 else ":",
                label=label,
            )
    ax.set_ylabel("absence, % of sessions")
    ax.legend(fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%d %b"))
    ax.set_xlabel("week commencing")
    return _png(fig)


# ------------------------------------------------------------------ the PDF
class _Pdf(FPDF):
    def __init__(self, title: str, synthetic: bool, footer_note: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title, self.synthetic, self.footer_note = title, synthetic, footer_note
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=16)
        self.set_margins(14, 14, 14)
        self.set_title(title)
        self.set_creator("attendance dashboard")

    def header(self):
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, self.doc_title, new_x="LMARGIN", new_y="NEXT")
        if self.synthetic:
            self.set_text_color(170, 60, 0)
            self.set_font("DejaVu", "B", 8)
            self.cell(0, 4, SYNTHETIC_LABEL.upper(), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, f"{self.footer_note}   Page {self.page_no()} of {{nb}}", align="C")

    def h1(self, text):
        self.set_font("DejaVu", "B", 16)
        self.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")

    def h2(self, text, need: float = 30):
        if self.get_y() + need > self.h - 18:  # keep a heading with what follows it
            self.add_page()
        self.ln(2)
        self.set_font("DejaVu", "B", 11)
        self.set_draw_color(0, 114, 178)
        self.multi_cell(0, 6, text, border="B", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def para(self, text, size=9, bold=False):
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, 4.6, text, align="L", new_x="LMARGIN", new_y="NEXT", markdown=True)

    def warning(self, text):
        self.set_fill_color(253, 236, 234)
        self.set_text_color(150, 20, 20)
        self.set_font("DejaVu", "B", 8.5)
        self.multi_cell(0, 4.6, text, fill=True, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def chart(self, png: bytes | None, w: float = 170):
        if png is None:
            return
        img = io.BytesIO(png)
        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            h = w * im.height / im.width
        if self.get_y() + h > self.h - 18:
            self.add_page()
        self.image(img, w=w)
        self.ln(1)

    def table(self, df: pd.DataFrame, empty: str = "None.", size: float = 7):
        if df.empty:
            self.para(empty, 8.5)
            return
        avail = self.w - self.l_margin - self.r_margin
        # a column is never narrower than its longest word (a word is never broken in the
        # middle): each column gives up a share of its room above that; when even the words do
        # not fit, the type gets smaller
        while True:
            natural, least = self._widths(df, size)
            if sum(least) <= avail or size <= 5:
                break
            size -= 0.5
        if sum(natural) > avail:
            f = max(0.0, (avail - sum(least)) / (sum(natural) - sum(least)))
            natural = [m + (n - m) * f for n, m in zip(natural, least)]
        self.set_font("DejaVu", "", size)
        heading = FontFace(emphasis="BOLD", fill_color=(238, 244, 250))
        with super().table(
            col_widths=natural,
            width=min(sum(natural), avail),
            line_height=size * 0.5,
            text_align="LEFT",
            headings_style=heading,
            first_row_as_headings=True,
            repeat_headings=1,
            align="LEFT",
        ) as t:
            t.row([str(c) for c in df.columns])
            for r in df.itertuples(index=False):
                t.row([_fmt(v) for v in r])
        self.ln(1)

    def _widths(self, df: pd.DataFrame, size: float) -> tuple[list[float], list[float]]:
        """Each column's natural width (its longest value, capped) and least width (its longest
        word), in mm, at this type size; headings are bold."""
        pad = 2.4
        natural, least = [], []
        for c in df.columns:
            self.set_font("DejaVu", "B", size)
            heading = [self.get_string_width(w) for w in str(c).split()] or [5]
            self.set_font("DejaVu", "", size)
            texts = [_fmt(v) for v in df[c].head(300)]
            values = [self.get_string_width(t) for t in texts]
            words = [self.get_string_width(w) for t in texts for w in t.split()]
            natural.append(min(max(heading + values), 70) + pad)
            least.append(max(heading + words) + pad)
        return natural, least


def _sentences(ag) -> list[str]:
    h = ag.headline.set_index("comparison")
    me = h.iloc[0] if not h.empty else None
    out = []
    if me is None or not _num(me.get("enrolments")):
        return [f"{ag.school_name} has no pupils with possible sessions in {ag.term.label}."]
    out.append(
        f"In {ag.term.label} attendance was **{_num(me['attendance_rate']):.1f}%** and "
        f"{_num(me['persistent_absence_rate']):.1f}% of pupils were persistently absent "
        f"({int(me['pa_enrolments'])} of {int(me['enrolments'])}); pupils missed "
        f"{_num(me['days_lost']):,.0f} school days, {_num(me['days_lost_per_pupil']):.1f} each."
    )
    last = [c for c in h.index if "last meeting" in c]
    if last and _num(h.loc[last[0], "attendance_rate"]) is not None:
        d = _num(me["attendance_rate"]) - _num(h.loc[last[0], "attendance_rate"])
        out.append(
            f"Attendance is {'up' if d > 0 else 'down'} {abs(d):.1f} points on the last meeting's term."
        )
    la = [c for c in h.index if c.startswith("The LA's")]
    if la:
        out.append(
            f"Across the LA's schools of the phase attendance was {_num(h.loc[la[0], 'attendance_rate']):.1f}% "
            f"and PA {_num(h.loc[la[0], 'persistent_absence_rate']):.1f}%."
        )
    return out


def _comparator_note(ag) -> str:
    eng = ag.headline[ag.headline["comparison"].str.startswith("England")]
    if not eng.empty and pd.notna(eng.iloc[0]["note"]):
        return f"{eng.iloc[0]['comparison']}: {eng.iloc[0]['note']}."
    return "England: DfE daily collection; its PA by its own rule (enrolments with more than 10 possible sessions)."


def meeting_pack_pdf(ag, scope, meta: dict, weeks: int = evidence.DEFAULT_WEEKS) -> bytes:
    """The meeting pack as PDF bytes: title, school, term, synthetic label, headline figures,
    charts (PNG), the tables of every section and the action list."""
    synthetic = str(meta.get("synthetic", "")).lower() == "true"
    personal = ag.pupil_lists is not None
    title = f"Targeting Support Meeting: {ag.school_name} (URN {ag.urn}), {ag.term.label}"
    note = (
        "Pupil-level (pseudonymous): personal data, keep securely."
        if personal
        else "Figures for groups of pupils only."
    )
    pdf = _Pdf(title, synthetic, note)
    pdf.add_page()
    pdf.h1("Targeting Support Meeting")
    pdf.para(
        f"**{ag.school_name}** (URN {ag.urn}, {ag.phase.lower()}) · **{ag.term.label}** · "
        f"{meta.get('la_name', '')}",
        10,
    )
    pdf.para(
        f"Prepared {dt.datetime.now():%d %B %Y %H:%M} by {scope.user} ({scope.role.replace('_', ' ')}). "
        f"Term: school weeks {ag.term.period.week_from:%d %b %Y} to "
        f"{ag.term.period.week_to + dt.timedelta(days=4):%d %b %Y}.",
        8,
    )
    if synthetic:
        pdf.warning(f"{SYNTHETIC_LABEL}: every school, pupil and figure for this LA is generated.")
    for n in ag.notes:
        pdf.para(n, 8)
    secs = sections(ag, scope, weeks)
    by = {sheet: (heading, df) for sheet, heading, df in secs}
    head = by["Headline figures"][1]
    # page one: the summary the meeting starts from
    pdf.h2("At a glance")
    for s in _sentences(ag):
        pdf.para(s)
    brief = [
        PLAIN[c]
        for c in ("comparison", "attendance_rate", "persistent_absence_rate", "severe_absence_rate")
        if PLAIN[c] in head.columns
    ]
    pdf.table(head[brief] if len(brief) > 1 else head)
    pdf.para(_comparator_note(ag), 7)
    pdf.para(data_quality_line(ag, scope), 8)
    if "Shortlist" in by:
        pdf.h2(f"Pupils discussed ({len(by['Shortlist'][1])})")
        pdf.table(by["Shortlist"][1], "No shortlist saved for this meeting yet.", 7)
    pdf.h2(f"{by['Actions due'][0]} ({len(by['Actions due'][1])})")
    due = by["Actions due"][1]
    pdf.table(due[[c for c in ("For", "Strategy", "Owner", "Review by") if c in due.columns]], "None due.", 7)
    pdf.add_page()
    pdf.h2(by["Attendees"][0])
    pdf.table(by["Attendees"][1], "No meeting record saved yet.", 7.5)
    pdf.h2("Headline figures")
    pdf.chart(headline_chart(head))
    pdf.table(head)
    pdf.para(
        "Rates are % of possible sessions; PA (10%+ missed) and SA (50%+) are % of pupils, over the term. "
        "Pupils of compulsory school age, per enrolment. " + _comparator_note(ag),
        7,
    )
    pdf.h2("Week by week this term", 75)
    pdf.chart(weekly_chart(ag.weekly, ag.school_name), 160)
    co = secs[1][2]
    pdf.h2("Pupil groups and cohorts of concern", 110)
    concern = ag.cohorts[ag.cohorts["of_concern"]]["cohort"].tolist() if not ag.cohorts.empty else []
    pdf.para(
        "Of concern: "
        + (", ".join(concern) if concern else "no group meets the rule")
        + " (PA 10 points or more above other pupils, or 5 above them and 5 above the same group in the LA).",
        8.5,
    )
    pdf.chart(cohort_chart(co, ag.school_name))
    pdf.table(co)
    if ag.pupil_lists is None:
        pdf.h2("Pupils who may need support")
        pdf.para("Not included: lists of individual pupils are shown only to school staff and LA officers.")
    if "Evidence" in by:
        pdf.h2(by["Evidence"][0])
        pdf.table(by["Evidence"][1], "No support recorded yet for the pupils discussed.", 6.5)
    for lst in catalogue.pupil_lists() if ag.pupil_lists is not None else ():
        heading, df = by[lst.label[:31]]
        pdf.h2(f"{heading} ({len(df)})")
        pdf.table(df, "No pupil meets this rule.", 6.5)
    last, now, warn = secs[-3][2], secs[-2][2], secs[-1][2]
    pdf.h2(secs[-3][1])
    pdf.table(last, "No actions were recorded at the last meeting.", 6.5)
    pdf.h2(secs[-2][1])
    pdf.table(now, "No actions recorded yet.", 6.5)
    pdf.h2("Formal steps and the evidence of support")
    if warn.empty:
        pdf.para("Every formal step recorded for this school's pupils follows support done before it.", 8.5)
    for w in warn["Warning"]:
        pdf.warning("Warning: " + w)
    pdf.para(
        "Attendance before and after an action is the pupil's attendance in the school weeks either side "
        "of the week of the action: not a controlled comparison.",
        7,
    )
    return bytes(pdf.output())


def meeting_pack_xlsx(ag, scope, meta: dict, weeks: int = evidence.DEFAULT_WEEKS) -> bytes:
    """The meeting pack as an Excel workbook: an About sheet, then a sheet per section."""
    synthetic = str(meta.get("synthetic", "")).lower() == "true"
    about = pd.DataFrame(
        {
            "": [
                "Targeting Support Meeting",
                "School",
                "URN",
                "Term",
                "Local authority",
                "Prepared",
                "Prepared by",
                "Data",
                "Pupil data",
            ],
            " ": [
                "",
                ag.school_name,
                ag.urn,
                ag.term.label,
                meta.get("la_name", ""),
                f"{dt.datetime.now():%d %B %Y %H:%M}",
                f"{scope.user} ({scope.role})",
                SYNTHETIC_LABEL if synthetic else "",
                "pseudonymous pupil references; personal data"
                if ag.pupil_lists is not None
                else "none: figures for groups only",
            ],
        }
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        # every text cell inert: typed action text or a school name must never become a formula
        inert_frame(about).to_excel(xw, sheet_name="About", index=False, header=False)
        for sheet, heading, df in sections(ag, scope, weeks):
            out = df.copy()
            for c in out.columns:
                if out[c].map(lambda v: isinstance(v, (list, tuple))).any():
                    out[c] = out[c].map(_fmt)
            out = inert_frame(out)
            out.to_excel(xw, sheet_name=sheet, index=False, startrow=3)
            ws = xw.sheets[sheet]
            ws["A1"] = inert(heading)
            ws["A2"] = inert(
                f"{ag.school_name} (URN {ag.urn}), {ag.term.label}"
                + (f". {SYNTHETIC_LABEL}." if synthetic else "")
            )
            _sheet_layout(ws, out)
    return buf.getvalue()


def _sheet_layout(ws, df: pd.DataFrame) -> None:
    """A readable sheet: the header row (row 4) frozen with filters on it, widths from the
    content, rates and days shown to one decimal place and dates as dates (values kept exact)."""
    last_row = 4 + len(df)
    ws.freeze_panes = "A5"
    if len(df.columns):
        ws.auto_filter.ref = f"A4:{get_column_letter(len(df.columns))}{max(last_row, 4)}"
    for i, c in enumerate(df.columns, start=1):
        letter = get_column_letter(i)
        longest = max([len(str(c)), *(len(_fmt(v)) for v in df[c].head(300))])
        ws.column_dimensions[letter].width = min(60, max(9, longest + 2))
        fmt = (
            "0.0"
            if pd.api.types.is_float_dtype(df[c])
            else "dd mmm yyyy"
            if df[c].map(lambda v: isinstance(v, (dt.date, pd.Timestamp))).any()
            else None
        )
        if fmt:
            for row in ws.iter_rows(min_row=5, max_row=last_row, min_col=i, max_col=i):
                for cell in row:
                    cell.number_format = fmt


# ------------------------------------------------------------------ governors' termly report
def governors_report_pdf(scope, urn: int, period: queries.Period, meta: dict) -> bytes:
    """The governors' termly report: the summary of what changed since last term, term by term,
    year groups and pupil groups, suppressed as the viewer's exports must be (no pupil rows)."""

    def sup(q, **params):
        return queries.run_suppressed(q, scope, **sui.GOVERNOR_SUPPRESSION[q], export=True, **params)

    synthetic = str(meta.get("synthetic", "")).lower() == "true"
    schools = queries.run("schools_list", scope).set_index("urn")
    name = str(schools.loc[urn, "school_name"])
    args = dict(urn=urn, year=period.academic_year, **period.params())
    terms = sup("governor_term_summary", urn=urn, year=period.academic_year, week_to=period.week_to)
    yg = sup("school_year_groups", **args)
    co = sup("school_cohorts", **args)
    t = scope.suppression_threshold
    title = f"{name}: attendance report for governors, {period.label}"
    pdf = _Pdf(title, synthetic, f"No pupil-level data. 'c': fewer than {t} pupils, not shown.")
    pdf.add_page()
    pdf.h1("Attendance report for governors")
    pdf.para(
        f"**{name}** (URN {urn}) · **{period.label}** · {meta.get('la_name', '')} · pupils of compulsory "
        "school age",
        10,
    )
    if synthetic:
        pdf.warning(f"{SYNTHETIC_LABEL}: every school, pupil and figure for this LA is generated.")
    pdf.h2("Against the LA and England")
    pdf.table(
        gov.plain(gov.headline_table(scope, urn, str(schools.loc[urn, "phase"]), period, export=True)),
        size=6.5,
    )
    held = meetings.statement(scope, urn)
    if held:
        pdf.h2("The school's attendance strategy")
        pdf.para(held["statement"], 8)
    pdf.h2("What changed since last term")
    for s in sui.term_summary(terms):
        pdf.para("• " + s, 8.5)
    pdf.h2("Term by term")
    pdf.table(
        sui.plain(sui.governor_table("governor_term_summary", terms)) if not terms.empty else terms, size=6.5
    )
    pdf.h2("Year groups")
    pdf.table(sui.plain(sui.governor_table("school_year_groups", yg)) if not yg.empty else yg, size=6.5)
    pdf.h2("Pupil groups")
    pdf.table(sui.plain(sui.governor_table("school_cohorts", co)) if not co.empty else co, size=6.5)
    pdf.para(
        f"Rates are % of possible sessions (persistent absence: % of pupils missing 10% or more; severe: 50% "
        f"or more). 'c': fewer than {t} pupils (and rates built on them), not shown so that no pupil can be "
        "identified.",
        7.5,
    )
    return bytes(pdf.output())
