"""A Targeting Support Meeting's agenda, assembled from the warehouse for one school and term:
figures against the LA, England, similar schools and the last meeting (the term before);
cohorts of concern; the lists of pupils who may need support; and the actions agreed at the
last meeting with what happened to each pupil's attendance since. Reuses the School page's
queries (school_headline, school_cohorts, school_weekly, pupil_*_list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

import catalogue
import queries
from data_pipeline import config
from queries import comparison

from . import evidence, meetings, store

LIST_COLUMNS = [
    "pupil_ref",
    "year_group",
    "attendance_rate",
    "overall_absence_rate",
    "days_lost",
    "main_reasons",
    "cohort_flags",
]
# A cohort is 'of concern' when it holds at least the suppression threshold of pupils and its
# PA is CONCERN_GAP points or more above the rest of the school, or both CONCERN_ABOVE_LA
# points above the same group across the LA's schools of the phase and CONCERN_ABOVE_LA above
# the rest of the school (so a school whose every group is above the LA does not flag them all).
CONCERN_ABOVE_LA = 5.0
CONCERN_GAP = 10.0
# A cohort's row in the meeting's table and its pack.
COHORT_COLUMNS = [
    "cohort",
    "enrolments",
    "pa_enrolments",
    "persistent_absence_rate",
    "last_meeting_pa_rate",
    "gap_to_rest_of_school",
    "la_pa_rate",
    "why",
]
HEADLINE_COLUMNS = [
    "comparison",
    "enrolments",
    "attendance_rate",
    "overall_absence_rate",
    "unauthorised_absence_rate",
    "persistent_absence_rate",
    "pa_enrolments",
    "severe_absence_rate",
    "sa_enrolments",
    "days_lost",
    "days_lost_per_pupil",
    "note",
]


@dataclass
class Term:
    key: str  # '2025-Spring'
    label: str  # 'Spring 2026'
    academic_year: int
    term: str
    period: queries.Period
    previous: Term | None = None


@dataclass
class Agenda:
    urn: int
    school_name: str
    phase: str
    term: Term
    headline: pd.DataFrame
    cohorts: pd.DataFrame
    weekly: pd.DataFrame
    pupil_lists: dict[str, pd.DataFrame] | None  # None: the viewer's role sees no pupil rows
    last_actions: pd.DataFrame  # agreed at the last meeting, with attendance before and after
    actions: pd.DataFrame  # agreed at this meeting
    warnings: pd.DataFrame  # formal steps without support done before them (this school)
    meeting: dict | None = None  # this term's meeting record (actions.meetings), if saved
    last_meeting: dict | None = None  # the last term's
    shortlist: pd.DataFrame | None = None  # pupils discussed at this meeting
    last_shortlist: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def last_day(self) -> dt.date:
        """The term's last school day on the calendar (Friday of its last week): the default date
        of a meeting or action, so that a demo's or an old term's record is not dated today."""
        return self.term.period.week_to + dt.timedelta(days=4)


def terms(scope=queries.WHOLE_LA) -> pd.DataFrame:
    return queries.run("meeting_terms")


def term(key: str, scope=queries.WHOLE_LA) -> Term | None:
    """The term for a key such as '2025-Spring', with the term before it (the last meeting)."""
    all_terms = terms()
    cal = queries.run("school_calendar_parts")

    def make(k: str | None, with_previous: bool) -> Term | None:
        rows = all_terms[all_terms["term_key"] == k]
        if rows.empty:
            return None
        r = rows.iloc[0]
        period = queries.resolve_period(cal, int(r["academic_year"]), "Term", r["term"])
        prev = (
            make(r["previous_term_key"], False)
            if with_previous and pd.notna(r["previous_term_key"])
            else None
        )
        return Term(k, r["term_label"], int(r["academic_year"]), r["term"], period, prev)

    return make(key, True)


def school_headline(scope, urn: int, p: queries.Period) -> pd.DataFrame:
    return queries.run(
        "school_headline",
        scope,
        urn=urn,
        year=p.academic_year,
        week_hours=config.SCHOOL_WEEK_HOURS,
        **p.params(),
    )


def _headline(scope, urn: int, t: Term, phase: str) -> pd.DataFrame:
    p = t.period
    head = school_headline(scope, urn, p)
    head = head[head["comparison"] != "This school, same weeks last year"].copy()
    head["comparison"] = head["comparison"].replace(
        {
            "This school": f"This school, {t.label}",
            "LA, same phase": f"The LA's {phase.lower()} schools, {t.label}",
            "Similar schools": f"Similar {phase.lower()} schools, {t.label}",
        }
    )
    if t.previous is not None:
        prev = school_headline(scope, urn, t.previous.period)
        prev = prev[prev["comparison"] == "This school"].copy()
        prev["comparison"] = f"This school, last meeting ({t.previous.label})"
        prev["sort"] = 1.5
        head = pd.concat([head, prev], ignore_index=True)
    bench_phase = phase if phase in ("Primary", "Secondary", "Special") else "Total"
    head = comparison.with_england(head, p, bench_phase)
    return head.sort_values("sort", kind="stable").reset_index(drop=True)


def _cohorts(scope, urn: int, t: Term) -> pd.DataFrame:
    p = t.period
    co = queries.run("school_cohorts", scope, urn=urn, year=p.academic_year, **p.params())
    if co.empty:
        return co.assign(
            last_meeting_pa_rate=pd.Series(dtype=float),
            of_concern=pd.Series(dtype=bool),
            why=pd.Series(dtype=str),
        )
    if t.previous is not None:
        pp = t.previous.period
        prev = queries.run("school_cohorts", scope, urn=urn, year=pp.academic_year, **pp.params())
        co = co.merge(
            prev[["cohort", "enrolments", "pa_enrolments", "persistent_absence_rate"]].rename(
                columns={
                    "enrolments": "last_meeting_enrolments",
                    "pa_enrolments": "last_meeting_pa_enrolments",
                    "persistent_absence_rate": "last_meeting_pa_rate",
                }
            ),
            on="cohort",
            how="left",
        )
    else:
        co["last_meeting_enrolments"] = co["last_meeting_pa_enrolments"] = pd.NA
        co["last_meeting_pa_rate"] = pd.NA
    return flag_concerns(co, scope.suppression_threshold)


def flag_concerns(co: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """of_concern and why, by the rule above (CONCERN_ABOVE_LA, CONCERN_GAP)."""
    out = co.copy()
    whys = []
    for r in out.itertuples():
        why = []
        gap = r.gap_to_rest_of_school if pd.notna(r.gap_to_rest_of_school) else None
        above = (
            r.persistent_absence_rate - r.la_pa_rate
            if pd.notna(r.la_pa_rate) and pd.notna(r.persistent_absence_rate)
            else None
        )
        if r.enrolments >= threshold and gap is not None:
            if gap >= CONCERN_GAP or (
                gap >= CONCERN_ABOVE_LA and above is not None and above >= CONCERN_ABOVE_LA
            ):
                why.append(f"PA {gap:.1f} points above other pupils in the school")
                if above is not None and above >= CONCERN_ABOVE_LA:
                    why.append(f"{above:.1f} points above the same group across the LA")
        whys.append("; ".join(why))
    out["why"] = whys
    out["of_concern"] = out["why"] != ""
    return out


def _weekly(scope, urn: int, t: Term) -> pd.DataFrame:
    p = t.period
    w = queries.run("school_weekly", scope, urn=urn, year=p.academic_year)
    w = w[w["series"].isin(["This year", "LA, same phase"])]
    return w[(w["week_start"].dt.date >= p.week_from) & (w["week_start"].dt.date <= p.week_to)].reset_index(
        drop=True
    )


def pupil_lists(scope, urn: int, p: queries.Period) -> dict[str, pd.DataFrame] | None:
    """Every list of the catalogue (catalogue/pupil_lists.toml) for the school, each over its
    span: the period, or the academic year to the period's end. None: no pupil rows for the role."""
    if not scope.pupil_rows_allowed:
        return None
    year_start = queries.resolve_period(
        queries.run("school_calendar_parts"), p.academic_year, "Year to date"
    ).week_from
    return {
        lst.query: queries.run(
            lst.query,
            scope,
            urn=urn,
            year=p.academic_year,
            **(p.params() | ({"week_from": year_start} if lst.span == "year" else {})),
        )
        for lst in catalogue.pupil_lists()
    }


def build(scope, urn: int, term_key: str, weeks: int = evidence.DEFAULT_WEEKS) -> Agenda | None:
    """The whole agenda (None if the term is unknown). Every query runs with the scope."""
    t = term(term_key)
    if t is None:
        return None
    schools = queries.run("schools_list", scope).set_index("urn")
    if urn not in schools.index:
        raise queries.AccessDenied(f"school {urn} is outside the viewer's scope")
    notes = []
    last = (
        store.list_actions(scope, urn=urn, meeting_term=t.previous.key)
        if t.previous is not None
        else store.list_actions(scope, urn=urn, meeting_term="-")
    )
    last = evidence.with_attendance(scope, last, weeks)
    this = store.list_actions(scope, urn=urn, meeting_term=t.key)
    every = store.list_actions(scope, urn=urn)
    if not scope.pupil_rows_allowed:
        notes.append(
            "Pupil lists and pupil actions are not shown: the "
            f"{scope.role.replace('_', ' ')} role sees figures for groups of pupils only."
        )
    record = meetings.meeting(scope, urn, t.key)
    last_record = meetings.meeting(scope, urn, t.previous.key) if t.previous is not None else None
    return Agenda(
        urn=urn,
        school_name=str(schools.loc[urn, "school_name"]),
        phase=str(schools.loc[urn, "phase"]),
        term=t,
        headline=_headline(scope, urn, t, str(schools.loc[urn, "phase"])),
        cohorts=_cohorts(scope, urn, t),
        weekly=_weekly(scope, urn, t),
        pupil_lists=pupil_lists(scope, urn, t.period),
        last_actions=last,
        actions=this,
        warnings=evidence.formal_warnings(every),
        meeting=record,
        last_meeting=last_record,
        shortlist=meetings.shortlist(scope, record["meeting_id"]) if record else None,
        last_shortlist=meetings.shortlist(scope, last_record["meeting_id"]) if last_record else None,
        notes=notes,
    )


def cohort_options(ag: Agenda) -> list[str]:
    """Cohorts an action can be for: the school's pupil groups and its year groups."""
    groups = ag.cohorts["cohort"].tolist() if not ag.cohorts.empty else []
    years = ["Reception", *[f"Year {n}" for n in range(1, 14)]]
    return [*groups, *years, "Whole school"]
