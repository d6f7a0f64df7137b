"""Meetings, store tier: actions recorded in the app store survive rebuilding the warehouse,
stay linked to the same pupils (urn + the school's pupil_id, shown by the same pseudonym),
keep their history, and obey the viewer's scope. Values are bound, never pasted into SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from conftest import ROOT
from test_meeting_evidence import write_csv

import queries
from actions import evidence, store
from data_pipeline.load import Options, ingest_files

A, B = 400001, 400002
FIRST = dt.date(2025, 9, 1)
OFFICER = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")
STAFF_A = queries.Scope(
    schools=(A,), pupil_rows_allowed=True, role="school_staff", user="head.a@test.invalid"
)
STAFF_B = queries.Scope(
    schools=(B,), pupil_rows_allowed=True, role="school_staff", user="head.b@test.invalid"
)
GOVERNOR_A = queries.Scope(schools=(A,), role="governor", user="gov.a@test.invalid")
ADMIN = queries.Scope(role="admin", user="admin@test.invalid")


def _files(d, pupils: dict[int, list[str]]):
    write_csv(
        d / "schools.csv",
        ["urn", "school_name", "phase"],
        [[A, "School A", "Primary"], [B, "School B", "Primary"]],
    )
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "effective_date"],
        [[u, p, 3, "2025-09-01"] for u, ps in pupils.items() for p in ps],
    )
    rows = []
    for u, ps in pupils.items():
        for p in ps:
            for w in range(8):
                for d_ in range(5):
                    day = FIRST + dt.timedelta(weeks=w, days=d_)
                    for s in ("AM", "PM"):
                        absent = w >= 4 and d_ < int(p[-1])  # from week 5, A-n misses n days a week
                        rows.append(
                            [u, p, day.isoformat(), s, "O" if absent else ("/" if s == "AM" else "\\")]
                        )
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    return [d / "schools.csv", d / "pupils.csv", d / "marks.csv"]


def _build(d, db, pupils):
    ingest_files(
        _files(d, pupils),
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Store"}),
    )


@pytest.fixture()
def warehouse(tmp_path, monkeypatch):
    db = tmp_path / "attendance.duckdb"
    (tmp_path / "v1").mkdir()
    _build(tmp_path / "v1", db, {A: ["A-1", "A-2", "A-3"], B: ["B-1"]})
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_APP_STORE", str(tmp_path / "app_store.sqlite"))
    return tmp_path, db


def test_actions_survive_a_warehouse_rebuild(warehouse):
    tmp, db = warehouse
    refs = queries.execute("pupil_refs", OFFICER, urn=A, year=2025)["pupil_ref"].tolist()
    by_id = {queries.pseudonym(A, p): p for p in ("A-1", "A-2", "A-3")}
    ref2 = next(r for r in refs if by_id[r] == "A-2")
    a1 = store.add_action(
        STAFF_A,
        urn=A,
        meeting_term="2025-Autumn",
        pupil_ref=ref2,
        strategy_id="phone_parents",
        stage="Listen and understand",
        action_date="2025-10-01",
        owner="Attendance lead",
    )
    a2 = store.add_action(
        OFFICER,
        urn=A,
        meeting_term="2025-Autumn",
        cohort="Year 3",
        strategy_id="trusted_adult",
        stage="Facilitate support",
        action_date=dt.date(2025, 10, 2),
        status="done",
    )
    assert store.update_action(STAFF_A, a1, status="done", outcome="Parent says the bus is unreliable")
    assert not store.update_action(STAFF_A, a1, status="done")  # nothing changed: no history row
    before = store.list_actions(OFFICER, urn=A).set_index("action_id")
    assert before.loc[a1, "pupil_id"] == "A-2" and before.loc[a1, "pupil_ref"] == ref2
    att_before = evidence.with_attendance(OFFICER, before.reset_index(), weeks=4).set_index("action_id")

    # rebuild from scratch: new files (an extra pupil listed first, so row order changes), a new
    # warehouse file, the marts rebuilt by the pipeline's command line
    db.unlink()
    (tmp / "v2").mkdir()
    _build(tmp / "v2", db, {A: ["A-0", "A-3", "A-2", "A-1"], B: ["B-1"]})
    out = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "build", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]

    after = store.list_actions(OFFICER, urn=A).set_index("action_id")
    assert list(after.index) == [a1, a2]
    assert after.loc[a1, "pupil_id"] == "A-2" and after.loc[a1, "pupil_ref"] == ref2
    assert (
        after.loc[a1, "status"] == "done" and after.loc[a1, "outcome"] == "Parent says the bus is unreliable"
    )
    assert after.loc[a2, "cohort"] == "Year 3"
    # the pseudonym still finds the same pupil in the new warehouse
    key = queries.execute("meeting_pupil_key", OFFICER, identify=True, urn=A, pupil_ref=ref2)
    assert key["pupil_id"].tolist() == ["A-2"]
    assert ref2 in queries.execute("pupil_refs", OFFICER, urn=A, year=2025)["pupil_ref"].tolist()
    # and the attendance before and after is the same pupil's
    att_after = evidence.with_attendance(OFFICER, after.reset_index(), weeks=4).set_index("action_id")
    assert att_after.loc[a1, "attendance_before"] == att_before.loc[a1, "attendance_before"]
    # A-2 misses 2 days a week from week 5 (w/c 29 Sep, the action's week): weeks 6-8 after, 60%
    assert att_after.loc[a1, "attendance_after"] == pytest.approx(60.0)
    assert att_after.loc[a1, "weeks_after"] == 3

    hist = store.history(OFFICER, A)
    assert hist[hist["action_id"] == a1]["change"].tolist() == ["created", "edited"]
    edit = hist[(hist["action_id"] == a1) & (hist["change"] == "edited")].iloc[0]
    assert edit["user"] == "head.a@test.invalid" and edit["role"] == "school_staff"
    assert '"status": "planned"' in edit["before"] and '"status": "done"' in edit["after"]
    assert "bus is unreliable" in edit["after"]


def test_history_is_append_only_and_actions_are_never_deleted(warehouse):
    aid = store.add_action(
        OFFICER,
        urn=A,
        meeting_term="2025-Autumn",
        cohort="Whole school",
        strategy_id="text_parents",
        stage="Expect",
        action_date="2025-10-01",
    )
    with closing(store.connect()) as db:
        for sql in (
            "update meeting_action_history set user = 'x'",
            "delete from meeting_action_history",
            f"delete from meeting_actions where action_id = {aid}",
        ):
            with pytest.raises(sqlite3.DatabaseError):
                db.execute(sql)
    assert len(store.list_actions(OFFICER, urn=A)) == 1


def test_scope_and_roles(warehouse):
    ref = queries.pseudonym(A, "A-1")
    with pytest.raises(queries.AccessDenied):  # another school's staff
        store.add_action(
            STAFF_B,
            urn=A,
            meeting_term="2025-Autumn",
            cohort="Year 3",
            strategy_id="text_parents",
            stage="Expect",
            action_date="2025-10-01",
        )
    for scope in (GOVERNOR_A, ADMIN):  # aggregates-only roles record nothing
        with pytest.raises(queries.AccessDenied):
            store.add_action(
                scope,
                urn=A,
                meeting_term="2025-Autumn",
                cohort="Year 3",
                strategy_id="text_parents",
                stage="Expect",
                action_date="2025-10-01",
            )
    store.add_action(
        STAFF_A,
        urn=A,
        meeting_term="2025-Autumn",
        pupil_ref=ref,
        strategy_id="text_parents",
        stage="Expect",
        action_date="2025-10-01",
    )
    store.add_action(
        STAFF_A,
        urn=A,
        meeting_term="2025-Autumn",
        cohort="Year 3",
        strategy_id="text_parents",
        stage="Expect",
        action_date="2025-10-01",
    )
    store.add_action(
        STAFF_B,
        urn=B,
        meeting_term="2025-Autumn",
        pupil_ref=queries.pseudonym(B, "B-1"),
        strategy_id="text_parents",
        stage="Expect",
        action_date="2025-10-01",
    )
    assert set(store.list_actions(STAFF_A)["urn"]) == {A}
    assert set(store.list_actions(OFFICER)["urn"]) == {A, B}
    with pytest.raises(queries.AccessDenied):
        store.list_actions(STAFF_B, urn=A)
    gov = store.list_actions(GOVERNOR_A, urn=A)  # cohort actions only, no pupil
    assert gov["subject"].tolist() == ["cohort"] and gov["pupil_id"].isna().all()
    # a pupil of school B cannot be recorded at school A by reference
    with pytest.raises(store.ActionError):
        store.add_action(
            OFFICER,
            urn=A,
            meeting_term="2025-Autumn",
            pupil_ref=queries.pseudonym(B, "B-1"),
            strategy_id="text_parents",
            stage="Expect",
            action_date="2025-10-01",
        )


def test_validation_and_bound_values(warehouse):
    with pytest.raises(store.ActionError, match="why"):
        store.add_action(
            OFFICER,
            urn=A,
            meeting_term="2025-Autumn",
            cohort="Year 3",
            strategy_id="text_parents",
            stage="Expect",
            action_date="2025-10-01",
            status="not tried",
        )
    with pytest.raises(store.ActionError):
        store.add_action(
            OFFICER,
            urn=A,
            meeting_term="2025-Autumn",
            cohort="Year 3",
            strategy_id="no_such",
            stage="Expect",
            action_date="2025-10-01",
        )
    with pytest.raises(store.ActionError):
        store.add_action(
            OFFICER,
            urn=A,
            meeting_term="2025-Autumn",
            cohort="Year 3",
            strategy_id="text_parents",
            stage="Punish",
            action_date="2025-10-01",
        )
    evil = "Year 3'); drop table meeting_actions; --"
    aid = store.add_action(
        OFFICER,
        urn=A,
        meeting_term="2025-Autumn",
        cohort=evil,
        strategy_id="text_parents",
        stage="Expect",
        action_date="2025-10-01",
        status="not tried",
        reason_not_tried="<script>alert(1)</script>",
    )
    got = store.list_actions(OFFICER, urn=A).set_index("action_id").loc[aid]
    assert got["cohort"] == evil and got["reason_not_tried"] == "<script>alert(1)</script>"
