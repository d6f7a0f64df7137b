"""The catalogue is the one definition: the SQL macros, the summary command and the cohort mart
agree with it."""

from __future__ import annotations

import duckdb

import catalogue
from data_pipeline import warehouse


def test_daily_pa_rule_macro_agrees_with_the_catalogue(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.init_schema(con)
    from data_pipeline import build

    con.execute((build.SQL_DIR / "05_measures.sql").read_text())
    least = catalogue.pa_rules()["daily"].min_possible
    assert con.execute(
        "select counts_for_daily_pa(?), counts_for_daily_pa(?)", [least - 1, least]
    ).fetchall() == [(False, True)]
    # exactly 10% is PA, exactly 50% is SA (whole-number arithmetic)
    assert con.execute(
        "select is_persistent_absentee(2, 20), is_persistent_absentee(1, 11), is_severe_absentee(5, 10)"
    ).fetchall() == [(True, False, True)]


def test_every_measure_has_a_label_unit_and_definition():
    for m in catalogue.measures().values():
        assert m.label and m.short and m.unit and len(m.definition) > 20, m.id
        assert m.better in ("lower", "higher")
        if m.over_pupils:
            assert m.count and m.macro, m.id
    labels = catalogue.column_labels()
    assert labels["persistent_absence_rate"] == "PA %" and labels["pa_enrolments"] == "PA pupils"


def test_cohort_mart_labels_come_from_the_catalogue(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute(
        "select distinct dimension, group_key, group_label from cohort_group "
        "where dimension in ('fsm', 'sen') and group_key is not null order by all"
    ).fetchall()
    con.close()
    expected = {
        (d.id, k, label)
        for d in catalogue.dimensions().values()
        if d.id in ("fsm", "sen")
        for k, label in d.groups
    }
    assert set(rows) <= expected and len(rows) >= 4
