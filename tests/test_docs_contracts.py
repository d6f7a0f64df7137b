"""docs/CONTRACTS.md lists every query in queries/ with a line on what it returns."""

from __future__ import annotations

import re

from conftest import ROOT


def test_every_query_is_listed_in_contracts():
    doc = (ROOT / "docs" / "CONTRACTS.md").read_text()
    assert "## Queries" in doc
    section = doc[doc.index("## Queries") :]
    listed = dict(re.findall(r"^\| `([\w]+\.sql)` \| (.+?) \|$", section, flags=re.M))
    files = {p.name for p in (ROOT / "queries").glob("*.sql")}
    assert files - set(listed) == set(), f"not in docs/CONTRACTS.md: {sorted(files - set(listed))}"
    assert set(listed) - files == set(), f"listed but no such file: {sorted(set(listed) - files)}"
    assert all(len(line.split()) >= 4 for line in listed.values())
