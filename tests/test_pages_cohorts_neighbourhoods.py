"""Page tier for Cohorts and Neighbourhoods: both render on the demo LA under a grid of filters and
choices; the figures shown equal the warehouse's, computed here without the app's SQL."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from conftest import dashboard_app
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
GRID = [  # (academic year, period, phase)
    (2025, "Year to date", "All phases"),
    (2025, "Term", "Secondary"),
    (2024, "Half term", "Primary"),
    (2024, "Custom dates", "Special"),
]


def _open(db, monkeypatch, page: str, choices: dict | None = None, **params) -> AppTest:
    """The app at a bookmarked URL (filters as query parameters), on `page`, with the page's
    own widgets (by key) set to `choices`."""
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")  # no sign-in; the demo's LA officer
    at = dashboard_app(120)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for key, value in (choices or {}).items():
        widget = next(w for w in at.main if getattr(w, "key", None) == key)
        widget.set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1  # one h1
    return at


def test_a_cohorts_week_by_week_for_a_term_reads_the_terms_weeks(demo_db, monkeypatch):
    """For a term, the cohort's weekly lines run over the year with the term shaded and named, and
    the reading gives the term's last and worst weeks against all other pupils that week, not the
    year's latest week beside the term's figures; the other line is the same weeks, not another
    year."""
    import datetime as dt

    at = _open(demo_db, monkeypatch, "pages/cohorts.py", year=2025, period="Term", phase="All phases")
    label = next(c.value for c in at.caption if "2025/26" in c.value).split(",")[0]
    assert label.split()[0] in ("Autumn", "Spring", "Summer")
    reading = next(m.value for m in at.markdown if "(shaded)" in m.value)
    assert f"In the last week of {label} (shaded)" in reading
    assert "the cohort's absence was" in reading and "for all other pupils that week" in reading
    assert f"the worst week of {label}" in reading and "Other years" not in reading
    con = duckdb.connect(str(demo_db), read_only=True)
    term = label.split()[0]
    first, last = con.execute(
        "select min(week_start), max(week_start) from school_calendar where academic_year = 2025 and term = ?",
        [term],
    ).fetchall()[0]
    con.close()
    weeks = [
        dt.datetime.strptime(d, "%d %b %Y").date() for d in re.findall(r"w/c (\d\d \w{3} \d{4})", reading)
    ]
    assert len(weeks) == 2 and all(first <= w <= last for w in weeks)
    assert weeks[0] == last


@pytest.mark.parametrize("year,period,phase", GRID)
@pytest.mark.parametrize("dim", ["sen", "cpp", "ethnicity", "ncyear"])
def test_cohorts_renders(demo_db, monkeypatch, year, period, phase, dim):
    at = _open(
        demo_db,
        monkeypatch,
        "pages/cohorts.py",
        year=year,
        period=period,
        phase=phase,
        choices={"cohort_dim": dim},
    )
    assert at.title[0].value == "Cohorts"
    assert at.selectbox(key="cohort_dim").value == dim


@pytest.mark.parametrize("year,period,phase", GRID)
@pytest.mark.parametrize("colour", ["persistent_absence_rate", "overall_absence_rate", "imd_decile"])
def test_neighbourhoods_renders(demo_db, monkeypatch, year, period, phase, colour):
    at = _open(
        demo_db,
        monkeypatch,
        "pages/neighbourhoods.py",
        year=year,
        period=period,
        phase=phase,
        choices={"nb_colour": colour},
    )
    assert at.title[0].value == "Neighbourhoods"
    legend = " ".join(m.value for m in at.markdown if "map legend" in m.value)
    if not at.info:  # a map was drawn: its legend names the scale
        assert "IMD decile" in legend if colour == "imd_decile" else "% or more" in legend


def test_cohort_choices_and_intersections(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch, "pages/cohorts.py", year=2025)
    for measure in ("severe_absence_rate", "unauthorised_absence_rate", "attendance_rate"):
        at.selectbox(key="cohort_measure").set_value(measure).run()
        assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="cohort_group_sen").set_value("SEN support").run()
    at.selectbox(key="cohort_dim_b_sen").set_value("young_carer").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("SEN support" in m.value and "pupils" in m.value for m in at.markdown)


def test_neighbourhoods_school_intake(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch, "pages/neighbourhoods.py", year=2025)
    box = at.selectbox(key="nb_school")
    school = box.options[1]
    box.set_value(school).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"{school}'s intake" in m.value for m in at.markdown)
    at.toggle(key="nb_schools").set_value(False).run()
    assert not at.exception, [e.value for e in at.exception]


# ---------------------------------------------------------------- figures against the warehouse
def _enrolments(db, extra_join: str = "", where: str = "true") -> list[tuple]:
    """2025/26 year to date, compulsory school age, all phases: (possible, absent, ...) per enrolment."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        f"""
        select sum(w.possible) p, sum(w.authorised + w.unauthorised) a, any_value(y.fsm) fsm,
               any_value(l.ward_name) ward
        from pupil_week w join pupil_year y using (academic_year, urn, pupil_id)
        left join lsoa21 l on l.lsoa21_code = y.home_lsoa {extra_join}
        where w.academic_year = 2025 and y.compulsory_age and {where}
        group by w.urn, w.pupil_id having sum(w.possible) > 0
        """
    ).fetchall()
    con.close()
    return rows


def test_fsm_cohort_pa_is_the_warehouse_figure(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch, "pages/cohorts.py", year=2025, choices={"cohort_dim": "fsm"})
    assert at.selectbox(key="cohort_group_fsm").value == "Eligible for free school meals"
    rows = _enrolments(demo_db)
    fsm = [(p, a) for p, a, f, _ in rows if f]
    others = [(p, a) for p, a, f, _ in rows if not f]
    pa = 100 * sum(a * 10 >= p for p, a in fsm) / len(fsm)
    gap = pa - 100 * sum(a * 10 >= p for p, a in others) / len(others)
    metric = next(m for m in at.metric if m.label.startswith("Persistent absence"))
    assert metric.value == f"{pa:.1f}%"
    assert metric.delta == f"{abs(gap):.1f} points {'higher' if gap > 0 else 'lower'}"  # words, not colour
    pupils = next(m for m in at.metric if m.label.startswith("Pupils"))
    assert pupils.value == f"{len(fsm):,}"


def test_top_ward_is_the_warehouse_figure(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch, "pages/neighbourhoods.py", year=2025)
    rows = _enrolments(demo_db)
    la = 100 * sum(a * 10 >= p for p, a, _, _ in rows) / len(rows)
    wards: dict[str, list] = {}
    for p, a, _, ward in rows:
        if ward:
            wards.setdefault(ward, []).append(a * 10 >= p)
    rates = {w: 100 * sum(v) / len(v) for w, v in wards.items() if len(v) >= 5}
    top = max(rates, key=rates.get)
    reading = next(m.value for m in at.markdown if m.value.startswith("PA among pupils living in"))
    assert re.search(rf"\*\*{re.escape(top)}\*\* is \*\*{rates[top]:.0f}%\*\*", reading), reading
    assert f"{abs(rates[top] - la):.1f} points {'above' if rates[top] > la else 'below'}" in reading
