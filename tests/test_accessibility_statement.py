"""The accessibility statement: offered to every role, one h1, the sections a GOV.UK statement has
(what works, known issues, how to report a problem, enforcement, the WCAG 2.2 AA standard and the
compliance status, when and how it was last tested)."""

from __future__ import annotations

import pytest
from conftest import dashboard_app

from access import ROLES


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_reads_the_accessibility_statement(demo_db, monkeypatch, role):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    monkeypatch.setenv("ATTENDANCE_ACCESSIBILITY_CONTACT", "attendance@la.example")
    at = dashboard_app(120)
    at.query_params["demo_role"] = ROLES[role].label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/accessibility.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Accessibility statement"]
    headers = [h.value for h in at.header]
    for section in (
        "How accessible the dashboard is",
        "Feedback and contact information",
        "Reporting accessibility problems with this dashboard",
        "Enforcement procedure",
        "Technical information about this dashboard's accessibility",
        "Preparation of this accessibility statement",
    ):
        assert section in headers, headers
    text = "\n".join(m.value for m in at.markdown)
    assert "Web Content Accessibility Guidelines version 2.2" in text and "AA standard" in text
    assert "partially compliant" in text
    assert "last tested on" in text and "axe-core" in text
    assert "attendance@la.example" in text  # how to report a problem
    assert "Table" in text  # the way round the known issues
