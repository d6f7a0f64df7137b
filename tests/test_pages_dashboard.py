"""Page tier: every page renders on the demo LA under a grid of filters; a filter change shows
the figure the warehouse gives when computed independently here."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import dashboard_app
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["pages/la_overview.py", "pages/benchmarking.py", "pages/technical_notes.py"]
GRID = [  # (academic year, period, phase)
    (2025, "Year to date", "All phases"),
    (2025, "Term", "Secondary"),
    (2024, "Half term", "Primary"),
    (2024, "Custom dates", "Special"),
]


def _app(db, monkeypatch, **params) -> AppTest:
    """The app opened at a bookmarked URL (filters as query parameters)."""
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")  # no sign-in; the demo's default role (LA officer)
    at = dashboard_app(120)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture()
def app(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch)
    assert any("Synthetic demo data" in w.value for w in at.warning)  # the frame's label
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("year,period,phase", GRID)
def test_every_page_renders(demo_db, monkeypatch, page, year, period, phase):
    at = _app(demo_db, monkeypatch, year=year, period=period, phase=phase)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1  # one h1 per page


def test_benchmark_collections_and_measures(app):
    app.switch_page("pages/benchmarking.py")
    app.run()
    for collection in ("census", "daily"):
        app.selectbox(key="collection").set_value(collection)
        for measure in ("persistent_absence_rate", "severe_absence_rate", "illness_rate"):
            app.selectbox(key="measure").set_value(measure)
            app.run()
            assert not app.exception, [e.value for e in app.exception]
            assert len(app.title) == 1


def _warehouse_pa(db, phase: str) -> str:
    """PA for 2025/26 year to date, computed here from the marts without the app's SQL."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """
        select w.urn, w.pupil_id, sum(w.possible) p, sum(w.authorised + w.unauthorised) a
        from pupil_week w join pupil_year y using (academic_year, urn, pupil_id)
        where w.academic_year = 2025 and y.compulsory_age and (? is null or y.phase = ?)
        group by all having sum(w.possible) > 0
        """,
        [phase, phase],
    ).fetchall()
    con.close()
    pa = sum(1 for _, _, p, a in rows if a * 10 >= p)
    return f"{100 * pa / len(rows):.1f}%"


def _pa(at) -> str:
    return next(m.value for m in at.metric if m.label.startswith("Persistent absence"))


def test_phase_filter_changes_pa_to_the_warehouse_figure(demo_db, monkeypatch):
    everyone = _app(demo_db, monkeypatch, year=2025)
    assert _pa(everyone) == _warehouse_pa(demo_db, None)
    for phase in ("Secondary", "Primary"):
        at = _app(demo_db, monkeypatch, year=2025, phase=phase)
        assert _pa(at) == _warehouse_pa(demo_db, phase)
        assert _pa(at) != _pa(everyone)


def test_overview_focus_links_to_school_cohort_and_neighbourhood_pages(demo_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(240)
    at.query_params["demo_role"] = "LA officer"
    at.run()
    assert not at.exception
    labels = [link.proto.label for link in at.get("page_link")]
    assert any(label.startswith("Open ") and "page" not in label for label in labels)  # schools
    assert "Open the Cohorts page" in labels and "Open the Neighbourhoods page" in labels
