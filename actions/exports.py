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

import catalogue  # noqa: E402
import queries  # noqa: E402
from ui import SERIES, SYNTHETIC_LABEL, inert, inert_frame  # noqa: E402

from . import agenda as agenda_mod  # noqa: E402
from . import evidence, strategies  # noqa: E402

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
    keep = [
        "cohort",
        "enrolments",
        "pa_enrolments",
        "persistent_absence_rate",
        "last_meeting_pa_rate",
        "gap_to_rest_of_school",
        "la_pa_rate",
        "why",
    ]
    return df[[c for c in keep if c in df.columns]]


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
                "Status",
                "Outcome or reason not tried",
            ]
        )
    a = actions.sort_values(["action_date", "action_id"])
    out = pd.DataFrame(
        {
            "Action": a["action_id"].astype(int),
            "For": [
                r if s == "pupil" else f"Cohort: {c}"
                for s, r, c in zip(a["subject"], a["pupil_ref"], a["cohort"])
            ],
            "Group": a["strategy_group"],
            "Strategy": a["strategy"],
            "Stage": a["stage"],
            "Owner": a["owner"],
            "Date": a["action_date"],
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
    ]
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


def term_chart(terms: pd.DataFrame) -> bytes | None:
    if terms.empty:
        return None
    vals = [_num(v) for v in terms["attendance_rate"]]
    fig, ax = plt.subplots(figsize=(7.0, 2.4))
    ax.bar(
        [t for t, v in zip(terms["term_label"], vals) if v is not None],
        [v for v in vals if v is not None],
        color=SERIES[0],
    )
    ax.set_ylim(max(0, min([v for v in vals if v is not None] or [80]) - 10), 100)
    ax.set_ylabel("attendance, % of sessions")
    ax.spines[["top", "right"]].set_visible(False)
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
        self.set_font("DejaVu", "", size)
        avail = self.w - self.l_margin - self.r_margin
        pad = 2.4
        natural = []
        for c in df.columns:  # the longest heading word and the longest value (capped), in mm
            self.set_font("DejaVu", "B", size)  # headings are bold
            words = [self.get_string_width(w) for w in str(c).split()] or [5]
            self.set_font("DejaVu", "", size)
            values = [self.get_string_width(_fmt(v)) for v in df[c].head(300)]
            natural.append(min(max(words + values), 70) + pad)
        if sum(natural) > avail:  # narrow the widest (text) columns until the table fits
            fixed = [w for w in natural if w <= 24]
            room = max(avail - sum(fixed), 24)
            wide = sum(w for w in natural if w > 24)
            natural = [w if w <= 24 else max(16, w * room / wide) for w in natural]
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
    head = secs[0][2]
    pdf.h2("Headline figures")
    for s in _sentences(ag):
        pdf.para(s)
    pdf.chart(headline_chart(head))
    pdf.table(head)
    eng = ag.headline[ag.headline["comparison"].str.startswith("England")]
    pdf.para(
        "Rates are % of possible sessions; PA (10%+ missed) and SA (50%+) are % of pupils, over the term. "
        "Pupils of compulsory school age, per enrolment. "
        + (
            f"{eng.iloc[0]['comparison']}: {eng.iloc[0]['note']}."
            if not eng.empty and pd.notna(eng.iloc[0]["note"])
            else "England: DfE daily collection; its PA by its own rule (enrolments with more than 10 "
            "possible sessions)."
        ),
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
    for sheet, heading, df in secs[2:]:
        if sheet in ("Last meeting actions", "Actions this meeting", "Formal step warnings"):
            continue
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
            for i, c in enumerate(out.columns, start=1):
                ws.column_dimensions[ws.cell(row=4, column=i).column_letter].width = min(
                    50, max(10, len(str(c)) + 2)
                )
    return buf.getvalue()


# ------------------------------------------------------------------ governors' termly report
def governors_report_pdf(scope, urn: int, period: queries.Period, meta: dict) -> bytes:
    """The governors' termly report: the summary of what changed since last term, term by term,
    year groups and pupil groups, suppressed as the viewer's exports must be (no pupil rows)."""
    from ui import school as sui

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
    pdf.h2("What changed since last term")
    for s in sui.term_summary(terms):
        pdf.para("• " + s)
    pdf.h2("Term by term")
    pdf.chart(term_chart(terms), 150)
    pdf.table(sui.plain(sui.governor_table("governor_term_summary", terms)) if not terms.empty else terms)
    pdf.h2("Year groups")
    pdf.table(sui.plain(sui.governor_table("school_year_groups", yg)) if not yg.empty else yg)
    pdf.h2("Pupil groups")
    pdf.table(sui.plain(sui.governor_table("school_cohorts", co)) if not co.empty else co)
    pdf.para(
        f"Rates are % of possible sessions (persistent absence: % of pupils missing 10% or more; severe: 50% "
        f"or more). 'c': fewer than {t} pupils (and rates built on them), not shown so that no pupil can be "
        "identified.",
        7.5,
    )
    return bytes(pdf.output())
