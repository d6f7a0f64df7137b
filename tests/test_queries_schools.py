"""Query tier: the schools table, the funnel plot's control limits, similar schools and the
governors' suppression, on four small schools loaded through the real ingest path.

One school week (Mon 1 to Fri 5 September 2025, 10 sessions a pupil), and the first week of
2024/25 for S1 (everyone present) so that the change on last year is known.

| school | phase | pupils | PA pupils | FSM | SEN | notes |
|---|---|---|---|---|---|---|
| S1 | Primary | 10 | 6 (5 with one `I`, 1 with five `O`: also SA) | 2 | 1 | 10 absence sessions of 100 |
| S2 | Primary | 30 (27 in Y5, 3 in Y6) | 3 (Y5, one `I` each) | 6 | 3 | |
| S3 | Primary | 10 | 0 | 8 | 1 | FSM share 80%: not similar to S1 |
| S4 | Secondary | 10 | 2 (one `I` each) | 2 | 1 | same shares as S1 but another phase |

LA PA rate, all phases: 11 / 60 = 18.33%. Funnel limits around it, p0 ± z·√(p0(1−p0)/n):
n = 10: se = 12.236 points, 95% 0 to 42.316, 99.8% 0 to 56.146 → S1 (60%) above the 99.8% limit;
n = 30: se = 7.065 points, 95% 4.487 to 32.180, 99.8% 0 to 40.164 → S2 (10%) within.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import write_csv

import queries
from data_pipeline.load import Options, ingest_files
from ui.school import GOVERNOR_SUPPRESSION

S1, S2, S3, S4 = 300001, 300002, 300003, 300004
WEEK = [dt.date(2025, 9, 1) + dt.timedelta(days=d) for d in range(5)]
LAST_YEAR_WEEK = [dt.date(2024, 9, 2) + dt.timedelta(days=d) for d in range(5)]


def _pupils():
    """(urn, pupil_id, ncyear, fsm, sen, absence codes in the week)."""
    rows = []
    for i in range(10):  # S1
        codes = ["I"] if i < 5 else ["O"] * 5 if i == 5 else []
        rows.append((S1, f"S1-{i}", 5, i < 2, "K" if i == 9 else "N", codes))
    for i in range(30):  # S2
        rows.append(
            (S2, f"S2-{i}", 5 if i < 27 else 6, i < 6, "K" if i >= 27 else "N", ["I"] if i < 3 else [])
        )
    for i in range(10):  # S3
        rows.append((S3, f"S3-{i}", 4, i < 8, "E" if i == 0 else "N", []))
    for i in range(10):  # S4
        rows.append((S4, f"S4-{i}", 9, i < 2, "K" if i == 0 else "N", ["I"] if i < 2 else []))
    return rows


@pytest.fixture(scope="module")
def schools_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("schools")
    write_csv(
        d / "schools.csv",
        ["urn", "school_name", "phase", "type"],
        [
            [S1, "S1", "Primary", "Community school"],
            [S2, "S2", "Primary", "Academy converter"],
            [S3, "S3", "Primary", "Community school"],
            [S4, "S4", "Secondary", "Academy converter"],
        ],
    )
    pupils = _pupils()
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "fsm", "sen_provision", "effective_date"],
        [[u, p, y, int(f), s, "2024-09-01"] for u, p, y, f, s, _ in pupils],
    )
    marks, last_year = [], []
    for u, p, _, _, _, codes in pupils:
        k = 0
        for day in WEEK:
            for session in ("AM", "PM"):
                marks.append(
                    [
                        u,
                        p,
                        day.isoformat(),
                        session,
                        codes[k] if k < len(codes) else ("/" if session == "AM" else "\\"),
                    ]
                )
                k += 1
        if u == S1:
            for day in LAST_YEAR_WEEK:
                last_year += [[u, p, day.isoformat(), "AM", "/"], [u, p, day.isoformat(), "PM", "\\"]]
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], marks)
    write_csv(d / "marks_2024.csv", ["urn", "pupil_id", "date", "session", "code"], last_year)
    db = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks_2024.csv", d / "marks.csv"],
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Schools"}),
    )
    return db


@pytest.fixture()
def period(schools_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(schools_db))
    cal = queries.execute("school_calendar_parts")
    return queries.resolve_period(cal, 2025, "Year to date")


LA = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")


def _args(period, **kw):
    return dict(year=2025, **period.params(), **kw)


def test_schools_table_figures(period):
    t = queries.execute("schools_table", LA, **_args(period, phase=None, school_type=None, ward=None))
    t = t.set_index("urn")
    assert list(t.index) == [S1, S2, S3, S4]
    s1 = t.loc[S1]
    assert s1["roll"] == 10 and s1["enrolments"] == 10
    assert s1["overall_absence_rate"] == pytest.approx(10.0)  # 10 of 100 sessions
    assert s1["authorised_absence_rate"] == pytest.approx(5.0)
    assert s1["unauthorised_absence_rate"] == pytest.approx(5.0)
    assert s1["attendance_rate"] == pytest.approx(90.0)
    assert s1["pa_enrolments"] == 6 and s1["persistent_absence_rate"] == pytest.approx(60.0)
    assert s1["sa_enrolments"] == 1 and s1["severe_absence_rate"] == pytest.approx(10.0)
    assert s1["pa_rate_change"] == pytest.approx(60.0)  # nobody was absent last year
    assert s1["overall_absence_change"] == pytest.approx(10.0)
    assert s1["fsm_share"] == pytest.approx(20.0) and s1["sen_share"] == pytest.approx(10.0)
    assert s1["days_lost"] == pytest.approx(5.0)
    assert t.loc[S2, "persistent_absence_rate"] == pytest.approx(10.0)
    assert t.loc[S2, "pa_rate_change"] != t.loc[S2, "pa_rate_change"]  # no last year: NaN
    assert t.loc[S3, "fsm_share"] == pytest.approx(80.0)


def test_schools_table_filters(period):
    prim = queries.execute("schools_table", LA, **_args(period, phase="Primary", school_type=None, ward=None))
    assert set(prim["urn"]) == {S1, S2, S3}
    acad = queries.execute(
        "schools_table", LA, **_args(period, phase=None, school_type="Academy converter", ward=None)
    )
    assert set(acad["urn"]) == {S2, S4}
    nowhere = queries.execute(
        "schools_table", LA, **_args(period, phase=None, school_type=None, ward="Atlantis")
    )
    assert nowhere.empty


def test_funnel_limits_hand_worked(period):
    f = queries.execute("schools_funnel", LA, **_args(period, phase=None, school_type=None, ward=None))
    f = f.set_index("urn")
    assert f["la_pa_rate"].iloc[0] == pytest.approx(100 * 11 / 60)
    s1, s2 = f.loc[S1], f.loc[S2]
    assert s1["upper_95"] == pytest.approx(42.31566, rel=1e-5)
    assert s1["upper_998"] == pytest.approx(56.14573, rel=1e-5)
    assert s1["lower_95"] == 0 and s1["lower_998"] == 0  # clipped at 0
    assert s1["position"] == "above 99.8% limit"
    assert s2["lower_95"] == pytest.approx(4.48713, rel=1e-5)
    assert s2["upper_95"] == pytest.approx(32.17953, rel=1e-5)
    assert s2["upper_998"] == pytest.approx(40.16433, rel=1e-5)
    assert s2["position"] == "within limits"
    assert f.loc[S3, "position"] == "within limits"  # 0% of 10 is within 0..42%
    # the limit curve gives the same numbers at n = 10 and 30
    curve = queries.execute("schools_funnel_limits", la_rate=100 * 11 / 60, n_max=40).set_index("enrolments")
    assert curve.loc[10, "upper_998"] == pytest.approx(56.14573, rel=1e-5)
    assert curve.loc[30, "lower_95"] == pytest.approx(4.48713, rel=1e-5)


def test_funnel_phase_sets_the_la_rate(period):
    f = queries.execute("schools_funnel", LA, **_args(period, phase="Primary", school_type=None, ward=None))
    assert set(f["urn"]) == {S1, S2, S3}
    assert f["la_pa_rate"].iloc[0] == pytest.approx(100 * 9 / 50)


def test_similar_schools_and_hours(period):
    h = queries.execute("school_headline", LA, week_hours=32.5, **_args(period, urn=S1)).set_index(
        "comparison"
    )
    me = h.loc["This school"]
    assert me["hours_lost"] == pytest.approx(10 / 10 * 32.5)  # 10 sessions = one week's worth
    assert me["days_lost"] == pytest.approx(5.0)
    assert h.loc["This school, same weeks last year", "persistent_absence_rate"] == pytest.approx(0.0)
    # same phase; FSM 20% and SEN 10% within 10 points: S2 (20%, 10%); not S3 (FSM 80%), not S4
    # (secondary). One similar school, and two other primaries: both comparisons are withheld
    # (fewer than 3 other schools), or S1's head could read S2's figures (or S1's + S2's + S3's
    # less S1's own). The rows stay, with a note and no figures.
    for row, words in (
        ("Similar schools", "too few similar schools"),
        ("LA, same phase", "too few other schools"),
    ):
        r = h.loc[row]
        assert words in r["note"]
        assert (
            r[
                [
                    "schools",
                    "enrolments",
                    "possible_sessions",
                    "overall_absence_rate",
                    "persistent_absence_rate",
                    "pa_enrolments",
                    "days_lost",
                    "similar_schools",
                ]
            ]
            .isna()
            .all()
        ), r.to_dict()
    assert h["similar_schools"].isna().all()  # names only on the Similar schools row, and not when withheld
    assert h["note"].drop(["Similar schools", "LA, same phase"]).isna().all()
    # S3 has no similar school: the row says so
    h3 = queries.execute("school_headline", LA, week_hours=32.5, **_args(period, urn=S3)).set_index(
        "comparison"
    )
    assert "too few similar schools" in h3.loc["Similar schools", "note"]
    # The LA's weekly line and reason rates are withheld for the same reason
    w = queries.execute("school_weekly", LA, urn=S1, year=2025)
    assert "LA, same phase" not in set(w["series"]) and "This year" in set(w["series"])
    rs = queries.execute("school_reasons", LA, **_args(period, urn=S1))
    assert rs["la_rate"].isna().all() and rs["sessions"].sum() == 10


def test_school_queries_refuse_another_school(period):
    staff = queries.Scope(schools=(S1,), pupil_rows_allowed=True, role="school_staff", user="s@test.invalid")
    with pytest.raises(queries.AccessDenied):
        queries.execute("school_headline", staff, week_hours=32.5, **_args(period, urn=S2))


def test_governors_suppression(period):
    gov = queries.Scope(schools=(S2,), pupil_rows_allowed=False, role="governor", user="g@test.invalid")
    # aggregates without suppression are refused for governors
    with pytest.raises(queries.AccessDenied):
        queries.execute("school_year_groups", gov, **_args(period, urn=S2))
    yg = queries.run_suppressed(
        "school_year_groups",
        gov,
        con=queries.connection(),
        **GOVERNOR_SUPPRESSION["school_year_groups"],
        **_args(period, urn=S2),
    )
    yg = yg.set_index("year_group")
    # Year 6 has 3 pupils: suppressed, with its rates; Year 5 (27) is suppressed too, or 3 = 30 - 27
    assert yg.loc["Year 6", "enrolments"] == "c"
    assert yg.loc["Year 6", "overall_absence_rate"] == "c"
    assert yg.loc["Year 5", "enrolments"] == "c"
    # Year 5's 3 PA pupils are under 5: 'c', and the PA rate built on them
    assert yg.loc["Year 5", "pa_enrolments"] == "c"
    assert yg.loc["Year 5", "persistent_absence_rate"] == "c"
    terms = queries.run_suppressed(
        "governor_term_summary",
        gov,
        con=queries.connection(),
        **GOVERNOR_SUPPRESSION["governor_term_summary"],
        urn=S2,
        year=2025,
        week_to=period.week_to,
    )
    autumn = terms.set_index("term_label").loc["Autumn 2025"]
    assert autumn["enrolments"] == 30
    assert autumn["pa_enrolments"] == "c" and autumn["persistent_absence_rate"] == "c"
    assert autumn["attendance_rate"] == pytest.approx(99.0)  # 3 sessions of 300
    co = queries.run_suppressed(
        "school_cohorts",
        gov,
        con=queries.connection(),
        **GOVERNOR_SUPPRESSION["school_cohorts"],
        **_args(period, urn=S2),
    )
    fsm = co.set_index("cohort").loc["Eligible for free school meals"]
    assert fsm["enrolments"] == 6 and fsm["pa_enrolments"] == "c"  # 3 PA pupils, all FSM-eligible
    # the LA officer sees the numbers
    la = queries.run_suppressed(
        "school_year_groups",
        LA,
        con=queries.connection(),
        **GOVERNOR_SUPPRESSION["school_year_groups"],
        **_args(period, urn=S2),
    )
    assert la.set_index("year_group").loc["Year 6", "enrolments"] == 3


def test_term_summary_sentence():
    import pandas as pd

    from ui.school import term_summary

    terms = pd.DataFrame(
        [
            {
                "term_label": "Autumn 2025",
                "attendance_rate": 92.3,
                "persistent_absence_rate": 21.0,
                "unauthorised_absence_rate": 2.0,
                "days_lost": 1000.0,
                "enrolments": 200,
                "sa_enrolments": "c",
            },
            {
                "term_label": "Spring 2026",
                "attendance_rate": 93.1,
                "persistent_absence_rate": 19.0,
                "unauthorised_absence_rate": 1.5,
                "days_lost": 900.0,
                "enrolments": 200,
                "sa_enrolments": "c",
            },
        ]
    )
    s = term_summary(terms)
    assert s[0] == "Attendance in Spring 2026 was **93.1%**, up 0.8 points on Autumn 2025 (92.3%)."
    assert "Unauthorised absence was 1.5% of sessions, down 0.5 points on Autumn 2025 (2.0%)." in s
    assert "fell from 21% to 19%" in s[1]
    assert any("fewer than a handful" in x for x in s)
