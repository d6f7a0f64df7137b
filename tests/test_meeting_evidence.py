"""Meetings, logic tier: the formal-step warning, and attendance before and after each action
and each strategy (actions.evidence, actions.impact) on a small register built here through
the real ingest path, with hand-worked expectations.

School A (primary) has 12 school weeks from Monday 1 September 2025, no holidays; every
pupil has 10 possible sessions a week. Actions are on Wednesday 15 October (school week 7),
so with 4 weeks either side: before = weeks 3-6, after = weeks 8-11; week 7 counts in neither.

| pupil | marks (besides present) | before (weeks 3-6) | after (weeks 8-11) |
|---|---|---|---|
| X | 4 `O` a week in weeks 1-7; 1 `I` a week in weeks 8-12 | 24/40 = 60% | 36/40 = 90% |
| Y | 2 `I` a week in weeks 8-12 | 40/40 = 100% | 32/40 = 80% |
| Z | present throughout | 100% | 100% |

Strategy phone_parents is done with X and Y: pooled before 64/80 = 80%, after 68/80 = 85%,
change +5 points, 1 of 2 pupils improved (50%).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import queries
from actions import evidence, impact, store
from data_pipeline.load import Options, ingest_files
from queries import suppression

A = 300001
FIRST = dt.date(2025, 9, 1)
ACTION_DAY = dt.date(2025, 10, 15)
PLAN = {  # pupil -> {school week: (code, sessions)}
    "X": {**{w: ("O", 4) for w in range(1, 8)}, **{w: ("I", 1) for w in range(8, 13)}},
    "Y": {w: ("I", 2) for w in range(8, 13)},
    "Z": {},
}
OFFICER = queries.Scope(
    pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid", suppression_threshold=1
)


def _marks() -> list[list]:
    rows = []
    for pupil, plan in PLAN.items():
        for w in range(1, 13):
            code, n = plan.get(w, ("/", 0))
            k = 0
            for d in range(5):
                day = FIRST + dt.timedelta(weeks=w - 1, days=d)
                for session in ("AM", "PM"):
                    mark = code if k < n else ("/" if session == "AM" else "\\")
                    rows.append([A, pupil, day.isoformat(), session, mark])
                    k += 1
    return rows


def write_csv(path, header, rows):
    """Every field quoted, as many MIS exports write them."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    d = tmp_path_factory.mktemp("evidence")
    write_csv(d / "schools.csv", ["urn", "school_name", "phase"], [[A, "School A", "Primary"]])
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "effective_date"],
        [[A, p, 4, "2025-09-01"] for p in PLAN],
    )
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], _marks())
    db = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks.csv"],
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Evidence"}),
    )
    return db


@pytest.fixture()
def fresh_store(register, monkeypatch, tmp_path):
    monkeypatch.setenv("ATTENDANCE_DB", str(register))
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(tmp_path / "app_store.sqlite"))
    return tmp_path


def test_attendance_before_and_after_each_action(fresh_store):
    ids = {
        p: store.add_action(
            OFFICER,
            urn=A,
            meeting_term="2025-Autumn",
            pupil_id=p,
            strategy_id="phone_parents",
            stage="Listen and understand",
            action_date=ACTION_DAY,
            status="done",
        )
        for p in ("X", "Y")
    }
    acts = evidence.with_attendance(OFFICER, store.list_actions(OFFICER, urn=A), weeks=4).set_index(
        "action_id"
    )
    x, y = acts.loc[ids["X"]], acts.loc[ids["Y"]]
    assert (x["weeks_before"], x["weeks_after"]) == (4, 4)
    assert x["attendance_before"] == pytest.approx(60.0) and x["attendance_after"] == pytest.approx(90.0)
    assert x["change_points"] == pytest.approx(30.0)
    assert y["attendance_before"] == pytest.approx(100.0) and y["attendance_after"] == pytest.approx(80.0)
    # 12 weeks: 6 before the action's week, 5 after it
    wide = evidence.with_attendance(OFFICER, store.list_actions(OFFICER, urn=A), weeks=20).set_index(
        "action_id"
    )
    assert (wide.loc[ids["X"], "weeks_before"], wide.loc[ids["X"], "weeks_after"]) == (6, 5)
    assert wide.loc[ids["X"], "attendance_before"] == pytest.approx(60.0)  # weeks 1-6: 36/60


def test_strategy_impact_pools_sessions(fresh_store):
    for p in ("X", "Y"):
        store.add_action(
            OFFICER,
            urn=A,
            meeting_term="2025-Autumn",
            pupil_id=p,
            strategy_id="phone_parents",
            stage="Listen and understand",
            action_date=ACTION_DAY,
            status="done",
        )
    # planned and not-tried actions are not counted; a second phone call for X is not a second pupil
    store.add_action(
        OFFICER,
        urn=A,
        meeting_term="2025-Autumn",
        pupil_id="Z",
        strategy_id="phone_parents",
        stage="Listen and understand",
        action_date=ACTION_DAY,
        status="planned",
    )
    store.add_action(
        OFFICER,
        urn=A,
        meeting_term="2025-Autumn",
        pupil_id="X",
        strategy_id="phone_parents",
        stage="Listen and understand",
        action_date=dt.date(2025, 11, 12),
        status="done",
    )
    df = impact.strategy_impact(OFFICER, weeks=4).set_index("strategy_id")
    r = df.loc["phone_parents"]
    assert r["pupils"] == 2 and r["schools"] == 1 and r["pupils_improved"] == 1
    assert r["share_improved"] == pytest.approx(50.0)
    assert r["attendance_before"] == pytest.approx(80.0)
    assert r["attendance_after"] == pytest.approx(85.0)
    assert r["change_points"] == pytest.approx(5.0)
    assert r["group_name"] == "Communication with parents"
    # at the default threshold (5) two pupils are too few: suppressed
    hidden = impact.strategy_impact(
        queries.Scope(pupil_rows_allowed=True, role="la_officer", user="o"), weeks=4
    )
    # withheld cells stay numbers (null), named as withheld: shown as 'c', sorted as numbers
    mask = suppression.withheld(hidden).set_axis(hidden["strategy_id"])
    row = hidden.set_index("strategy_id").loc["phone_parents"]
    assert mask.loc["phone_parents", ["pupils", "attendance_before", "change_points"]].all()
    assert pd.isna(row["pupils"]) and pd.api.types.is_numeric_dtype(hidden["attendance_before"])
    # another school's staff see nothing of school A
    other = queries.Scope(
        schools=(999999,), pupil_rows_allowed=True, role="school_staff", user="s", suppression_threshold=1
    )
    assert impact.strategy_impact(other, weeks=4).empty


def _acts(rows) -> pd.DataFrame:
    cols = [
        "action_id",
        "urn",
        "subject",
        "pupil_id",
        "pupil_ref",
        "strategy_id",
        "stage",
        "status",
        "action_date",
    ]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


D = dt.date


def test_formal_step_without_support_is_flagged():
    acts = _acts(
        [
            (1, A, "pupil", "X", "P-X", "penalty_notice", "Enforce", "done", D(2025, 10, 1)),
            # support for Y done before the formal step: no warning
            (2, A, "pupil", "Y", "P-Y", "phone_parents", "Listen and understand", "done", D(2025, 9, 10)),
            (3, A, "pupil", "Y", "P-Y", "notice_to_improve", "Enforce", "planned", D(2025, 10, 1)),
            # support for Z only planned, or on the same day, or after: warning
            (4, A, "pupil", "Z", "P-Z", "home_visit", "Facilitate support", "planned", D(2025, 9, 10)),
            (5, A, "pupil", "Z", "P-Z", "trusted_adult", "Facilitate support", "done", D(2025, 10, 1)),
            (6, A, "pupil", "Z", "P-Z", "prosecution", "Enforce", "planned", D(2025, 10, 1)),
            # a support strategy recorded at the Enforce stage is itself a formal step (no support before it)
            (7, A, "pupil", "W", "P-W", "phone_parents", "Enforce", "done", D(2025, 10, 1)),
            # a formal step not tried is not a step taken
            (8, A, "pupil", "V", "P-V", "penalty_notice", "Enforce", "not tried", D(2025, 10, 1)),
            # an attendance contract (the checklist's parents group) formalises support: flagged too
            (9, A, "pupil", "U", "P-U", "attendance_contract", "Formalise support", "done", D(2025, 10, 1)),
            # another pupil's support does not count
            (10, A, "pupil", "T", "P-T", "referral_enforcement", "Enforce", "done", D(2025, 10, 1)),
            # cohort actions are not checked
            (11, A, "cohort", None, None, "penalty_notice", "Enforce", "done", D(2025, 10, 1)),
        ]
    )
    w = evidence.formal_warnings(acts)
    assert sorted(w["action_id"]) == [1, 6, 7, 9, 10]
    assert "no support strategy done before it" in w.set_index("action_id").loc[1, "warning"]
    assert w.set_index("action_id").loc[1, "warning"].startswith("P-X")
    assert evidence.formal_warnings(acts.iloc[[1, 2]]).empty
