"""Synthetic Targeting Support Meetings for the demo LA, so that the meeting cycle has something
to show on first open: two terms of meetings (the demo year's autumn and spring) for a dozen
schools, each with attendees, a shortlist of the pupils with the most absence that term,
actions of every stage and status with outcomes and review dates, lead practitioners for the
severely absent, and a few formal steps: some after support was done (evidenced), some without
(the warning must catch them). Dated on the demo's own calendar, never today's date.

Written to the demo's own app store (never a store holding real meetings), every meeting
marked synthetic. The pupils are chosen from the warehouse's own term figures."""

from __future__ import annotations

import datetime as dt
import os
from contextlib import closing
from pathlib import Path

import duckdb
import numpy as np

from access import Scope
from actions import meetings, strategies
from actions import store as actions_store
from auth import store as app_store

SCHOOLS_PER_PHASE = {"Primary": 6, "Secondary": 4, "Special": 2}
SHORTLIST = 6
DEMO_OFFICER = Scope(pupil_rows_allowed=True, role="la_officer", user="demo.officer@synthetic.invalid")
OFFICERS = ["Sam Okafor", "Priya Shah", "Tom Brennan"]
ATTENDEES = [
    ("Headteacher", ["R. Hughes", "A. Begum", "D. Walsh", "K. Evans", "M. Osei", "L. Turner"]),
    ("Attendance lead", ["J. Price", "S. Ali", "C. Moore", "H. Singh", "E. Ward", "N. Clarke"]),
    ("SENCo", ["F. Reid", "P. Kaur", "B. Hall", "G. Lewis", "T. Wood", "Y. Ahmed"]),
]
SUPPORT = [
    ("phone_parents", "Parent keen to work with school; morning routine agreed."),
    ("pupil_voice", "Pupil named anxiety about one lesson; timetable adjustment offered."),
    ("meeting_in_school", "Plan agreed with parent: weekly check-in with form tutor."),
    ("trusted_adult", "Meets a trusted adult at the gate each morning; settles quickly."),
    ("early_help_assessment", "Family accepted early help; worker allocated."),
    ("healthcare_plan", "Healthcare plan written with the school nurse."),
    ("lateness", "Breakfast club place taken up; on time four days in five."),
    ("home_visit", "Home visit made; housing problem referred to the council."),
]
NOT_TRIED = "Family moved address; new contact details awaited."
PLANNED_NOTE = "Review at the next meeting."


class StoreNotEmpty(ValueError):
    """The app store already holds meetings or actions."""


def store_for(db: Path) -> Path:
    """The demo's app store: $ATTENDANCE_APP_STORE, else beside the demo warehouse
    (data/demo.duckdb -> data/demo_app_store.sqlite), never the real app store."""
    return Path(os.environ.get("ATTENDANCE_APP_STORE") or db.with_name(f"{db.stem}_app_store.sqlite"))


def _terms(con) -> list[tuple[str, dt.date, dt.date]]:
    """(term key, first Monday, last Monday) of the latest academic year's autumn and spring."""
    rows = con.execute(
        "select academic_year || '-' || term, min(week_start), max(week_start) from school_calendar "
        "where academic_year = (select max(academic_year) from school_calendar) and term in ('Autumn', 'Spring') "
        "group by all order by 2"
    ).fetchall()
    return [(k, a, b) for k, a, b in rows]


def _schools(con) -> list[tuple[int, str]]:
    out = []
    for phase, n in SCHOOLS_PER_PHASE.items():
        out += con.execute(
            "select s.urn, s.phase from schools s join pupil_year y using (urn) "
            "where s.phase = ? and y.academic_year = (select max(academic_year) from pupil_year) "
            "group by s.urn, s.phase order by count(*) desc, s.urn limit ?",
            [phase, n],
        ).fetchall()
    return out


def _pupils(con, urn: int, term_key: str) -> list[tuple[str, float]]:
    """A shortlist across the school's persistently absent pupils in the term, from the most
    absent to those just over the line: (pupil_id, absence %)."""
    year, term = term_key.split("-")
    pa = con.execute(
        "select t.pupil_id, 100.0 * (t.authorised + t.unauthorised) / t.possible as rate "
        "from pupil_term t join pupil_year y using (academic_year, ekey) "
        "where t.urn = ? and t.academic_year = ? and t.term = ? and y.compulsory_age and t.possible > 0 "
        "and (t.authorised + t.unauthorised) * 10 >= t.possible order by rate desc, t.pupil_id",
        [urn, int(year), term],
    ).fetchall()
    picks = sorted({int(k) for k in np.linspace(0, len(pa) - 1, min(SHORTLIST, len(pa)))}) if pa else []
    return [pa[k] for k in picks]


def seed(db: Path, store: Path | None = None, seed: int = 42) -> dict:
    """Write the demo meetings into the demo app store; returns counts. Refuses a store that
    already holds any meeting or action (a demo store is seeded once, and never a real one)."""
    store = Path(store or store_for(Path(db)))
    os.environ["ATTENDANCE_APP_STORE"] = str(store)
    with closing(actions_store.connect()) as s, closing(meetings.connect()) as m:
        held = s.execute("select count(*) from meeting_actions").fetchone()[0]
        held += m.execute("select count(*) from meetings").fetchone()[0]
    if held:
        raise StoreNotEmpty(
            f"{store} already holds meetings or actions: demo meetings go only into a new store"
        )
    assert app_store.store_path() == store
    rng = np.random.default_rng(seed)
    counts = {"meetings": 0, "actions": 0, "shortlisted": 0, "lead_practitioners": 0, "formal_steps": 0}
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        terms, schools = _terms(con), _schools(con)
        for i, (urn, _phase) in enumerate(schools):
            for j, (key, _first, last) in enumerate(terms):
                held_on = last + dt.timedelta(days=2)  # the Wednesday of the term's last week
                people = [{"name": names[(i + j) % len(names)], "role": r} for r, names in ATTENDEES]
                meeting_id = meetings.save_meeting(
                    DEMO_OFFICER,
                    urn=urn,
                    meeting_term=key,
                    meeting_date=held_on,
                    la_officer=OFFICERS[i % len(OFFICERS)],
                    attendees=people[: 2 + (i % 2)],
                    notes="Agreed to focus on first-day calls and the pupils discussed; review at the next meeting.",
                    synthetic=True,
                )
                pupils = _pupils(con, urn, key)
                meetings.set_shortlist(
                    DEMO_OFFICER,
                    meeting_id,
                    {p: "Severe absence" if rate >= 50 else "Persistent absence" for p, rate in pupils},
                )
                counts["meetings"] += 1
                counts["shortlisted"] += len(pupils)
                counts["actions"] += _actions(rng, urn, key, held_on, pupils, i, j, counts)
                for p, rate in pupils:
                    if rate >= 50:
                        meetings.set_lead_practitioner(
                            DEMO_OFFICER,
                            urn,
                            p,
                            ATTENDEES[(i + j) % 3][1][i % 6],
                            ATTENDEES[(i + j) % 3][0],
                            held_on,
                        )
                        counts["lead_practitioners"] += 1
    return counts


def _actions(rng, urn, key, held_on, pupils, i, j, counts) -> int:
    """Two or three support actions a pupil (done, not tried or planned), a cohort action, and on
    some schools a formal step: after support for one pupil, with none before it for another."""
    day = lambda n: held_on + dt.timedelta(days=n)  # noqa: E731
    todo = []
    for k, (pupil, _rate) in enumerate(pupils):
        picks = rng.choice(len(SUPPORT), size=2 + int(rng.integers(0, 2)), replace=False)
        for step, s in enumerate(picks):
            strategy, outcome = SUPPORT[int(s)]
            status = "done" if (k + step) % 4 else ("not tried" if k % 2 else "planned")
            todo.append(
                dict(
                    pupil_id=pupil,
                    strategy_id=strategy,
                    stage=strategies.by_id()[strategy]["default_stage"],
                    action_date=day(7 + 14 * step),
                    review_date=day(49 + 14 * step),
                    status=status,
                    owner=ATTENDEES[1][0],
                    outcome=outcome if status == "done" else "",
                    reason_not_tried=NOT_TRIED if status == "not tried" else "",
                )
            )
    formal = []
    if pupils and i % 3 == 0:  # after support that was done and evidenced: no warning
        formal.append((pupils[0][0], "attendance_contract", "Formalise support", 56, "Contract signed."))
    if len(pupils) > 1 and i % 4 == 1 and j == 1:  # with no support done before it: the warning
        formal.append((pupils[-1][0], "notice_to_improve", "Enforce", 3, "Notice issued."))
    for pupil, strategy, stage, days, outcome in formal:
        todo.append(
            dict(
                pupil_id=pupil,
                strategy_id=strategy,
                stage=stage,
                action_date=day(days),
                review_date=day(days + 42),
                status="done",
                owner="LA officer",
                outcome=outcome,
            )
        )
    todo.append(
        dict(
            cohort="Eligible for FSM",
            strategy_id="poverty_support",
            stage="Facilitate support",
            action_date=day(7),
            review_date=day(56),
            status="done" if j == 0 else "planned",
            owner=ATTENDEES[0][0],
            outcome="Breakfast club places offered to every FSM family." if j == 0 else "",
        )
    )
    for a in todo:
        actions_store.add_action(DEMO_OFFICER, urn=urn, meeting_term=key, **a)
    counts["formal_steps"] += len(formal)
    return len(todo)
