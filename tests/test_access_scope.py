"""Access tier: the query layer enforces each viewer's scope, whatever the caller.

A headteacher (school_staff) of school A gets nothing of school B by any route: every
query in queries/*.sql, run with school A's scope, gives the same answer on a warehouse
from which school B's pupils have been deleted (so nothing of B reaches A), and shows no
row of another school; a school parameter naming B (or anything crafted) raises. A
governor never receives a pupil row. Suppression and secondary suppression hold: no
suppressed cell can be recovered from a total. Views and refusals are audited.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import queries
from queries.suppression import SUPPRESSED, suppress

SCHOOL_A, SCHOOL_B = 990001, 990002
HEAD_A = queries.Scope(
    schools=(SCHOOL_A,), pupil_rows_allowed=True, role="school_staff", user="head.a@test.invalid"
)
GOVERNOR_A = queries.Scope(
    schools=(SCHOOL_A,), pupil_rows_allowed=False, role="governor", user="governor.a@test.invalid"
)
OFFICER = queries.Scope(schools=None, pupil_rows_allowed=True, role="la_officer", user="officer@test.invalid")
ALL_QUERIES = sorted(p.stem for p in queries.QUERY_DIR.glob("*.sql"))
# Files whose parameters cannot be given representative values here (none at present).
SKIPPED: dict[str, str] = {}
# Known leaks, reported to the query's owner: strict xfail, so the fix turns the test green.
KNOWN_LEAKS: dict[str, str] = {}
PUPIL_TABLES_OF_B = (
    "pupil_week",
    "pupil_year",
    "marks",
    "pupil_characteristics",
    "pupil_identity",
    "dfe_pupil_totals",
    "school_session",
    "pupil_half_term",
    "pupil_term",
    "enrolment_year",
)


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def con_without_b(demo_db, tmp_path_factory):
    """The same warehouse with every pupil-level row of school B deleted."""
    path = tmp_path_factory.mktemp("without_b") / "attendance.duckdb"
    shutil.copy(demo_db, path)
    c = duckdb.connect(str(path))
    for t in PUPIL_TABLES_OF_B:
        c.execute(f"delete from {t} where urn = ?", [SCHOOL_B])
    c.close()
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def params(con) -> dict:
    """A representative value for every parameter any query uses."""
    calendar = queries.execute("school_calendar_parts", con=con)
    year = int(calendar["academic_year"].max())
    period = queries.resolve_period(calendar, year, "Year to date")
    meta = dict(queries.execute("warehouse_meta", con=con).values.tolist())
    pupil = con.execute(
        "select pupil_id from pupil_year where urn = ? and academic_year = ? order by pupil_id limit 1",
        [SCHOOL_A, year],
    ).fetchall()[0][0]
    return dict(
        year=year,
        phase=None,
        bench_phase="Total",
        la_code=meta["la_code"],
        collection="daily",
        measure="persistent_absence_rate",
        low_is_good=True,
        use_own_figures=True,
        urn=SCHOOL_A,
        dimension="fsm",
        group_key="true",
        dim_a="sen",
        dim_b="fsm",
        la_rate=20.0,
        n_max=500,
        school_type=None,
        ward=None,
        week_hours=32.5,
        with_england=True,
        population="all",
        as_of=period.week_to + dt.timedelta(days=4),
        pupil_ref=queries.pseudonym(SCHOOL_A, pupil),
        # one recorded support action, for a school-A pupil, part way through the year
        action_ids=[1],
        action_urns=[SCHOOL_A],
        action_pupils=[pupil],
        action_strategies=["S01"],
        action_dates=[period.week_from + dt.timedelta(weeks=8)],
        weeks=6,
        **period.params(),
    )


def _args(name: str, params: dict) -> dict:
    wanted = set(queries.parameters(name)) - {"scope_urns", "min_count", "pseudonym_key"}
    missing = wanted - set(params)
    assert not missing, (
        f"{name}.sql uses parameters {missing} this test cannot fill: add a "
        "representative value to params() or list the file in SKIPPED"
    )
    return {k: params[k] for k in wanted}


def _run(name, scope, con, args):
    if scope.suppress_on_screen and queries.reads_pupil_tables(name):
        return queries.run_suppressed(name, scope, con=con, **args)
    return queries.execute(name, scope, con=con, **args)


# LA-wide comparators (an aggregate over every school of the LA, or of its phase, or over
# similar schools) are the one thing allowed to move when school B changes: columns named
# la_*, and rows labelled 'LA, ...' or 'Similar schools' (school_headline, school_weekly),
# as long as each pools at least MIN_OTHER_SCHOOLS other schools
# (test_comparators_pool_at_least_three_other_schools). See docs/ACCESS.md.
def _comparator(col: str) -> bool:
    return col.startswith("la_") and col != "la_code"


def _comparator_rows(df: pd.DataFrame) -> pd.Series:
    text = df.select_dtypes(include=["object", "string"])
    return (
        text.apply(lambda c: c.astype(str).str.startswith(("LA,", "Similar schools"))).any(axis=1)
        if len(text.columns)
        else pd.Series(False, index=df.index)
    )


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    keep = [c for c in a.columns if not _comparator(c)]
    a, b = a.loc[~_comparator_rows(a), keep], b.loc[~_comparator_rows(b), keep]
    return a.reset_index(drop=True).astype(str).equals(b.reset_index(drop=True).astype(str))


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_school_a_sees_nothing_of_school_b(name, con, con_without_b, params, request):
    if name in SKIPPED:
        pytest.skip(SKIPPED[name])
    if name in KNOWN_LEAKS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_LEAKS[name], strict=True))
    args = _args(name, params)
    got = queries.execute(name, HEAD_A, con=con, **args)
    if "urn" in got.columns and queries.reads_pupil_tables(name):
        assert set(got["urn"].dropna().astype(int)) <= {SCHOOL_A}, f"{name}: rows of other schools"
    without_b = queries.execute(name, HEAD_A, con=con_without_b, **args)
    assert _same(got, without_b), f"{name}: school B's pupils change what school A's head sees"


@pytest.mark.parametrize("name", [n for n in ALL_QUERIES if "urn" in queries.parameters(n)])
@pytest.mark.parametrize(
    "value",
    [SCHOOL_B, str(SCHOOL_B), f"{SCHOOL_A} or 1=1", [SCHOOL_A, SCHOOL_B], "990001; drop table marks; --"],
)
def test_school_parameter_outside_scope_raises(name, value, con, params):
    args = {**_args(name, params), "urn": value}
    with pytest.raises(queries.AccessDenied):
        queries.execute(name, HEAD_A, con=con, **args)
    with pytest.raises(queries.AccessDenied):
        queries.run(name, HEAD_A, **args)


def test_school_parameters_of_any_name_are_checked():
    for key in ("urn", "urns", "school_urn", "compare_urns"):
        with pytest.raises(queries.AccessDenied):
            queries.check_urns("x", HEAD_A, {key: [SCHOOL_B]})
    queries.check_urns("x", HEAD_A, {"urn": SCHOOL_A, "urns": [SCHOOL_A], "year": 2025})
    queries.check_urns("x", OFFICER, {"urn": SCHOOL_B})


PUPIL_ROW_QUERIES = [n for n in ALL_QUERIES if queries.returns_pupil_rows(n)]


def test_there_are_pupil_row_queries():
    assert PUPIL_ROW_QUERIES, "no query declares '-- returns: pupil rows'"


@pytest.mark.parametrize("name", PUPIL_ROW_QUERIES)
def test_governor_never_receives_a_pupil_row(name, con, params):
    args = _args(name, params)
    for call in (
        lambda: queries.execute(name, GOVERNOR_A, con=con, **args),
        lambda: queries.run(name, GOVERNOR_A, **args),
        lambda: queries.run_suppressed(name, GOVERNOR_A, con=con, **args),
    ):
        with pytest.raises(queries.QueryError):
            call()
    admin = queries.Scope(role="admin", user="admin@test.invalid")
    with pytest.raises(queries.AccessDenied):
        queries.execute(name, admin, con=con, **args)


@pytest.mark.parametrize(
    "name", [n for n in ALL_QUERIES if queries.reads_pupil_tables(n) and not queries.returns_pupil_rows(n)]
)
def test_governor_aggregates_only_through_suppression(name, con, params):
    args = _args(name, params)
    with pytest.raises(queries.AccessDenied):
        queries.execute(name, GOVERNOR_A, con=con, **args)
    got = queries.run_suppressed(name, GOVERNOR_A, con=con, **args)
    if "urn" in got.columns:
        assert set(got["urn"].dropna().astype(int)) <= {SCHOOL_A}


def test_pupil_rows_are_pseudonymous_unless_asked_for(con, params):
    name = "pupil_persistent_absence_list"
    if name not in ALL_QUERIES:
        pytest.skip("no PA list query")
    args = _args(name, params)
    rows = queries.execute(name, HEAD_A, con=con, **args)
    assert not set(rows.columns) & set(queries.IDENTITY_COLUMNS)
    if "pupil_ref" in rows.columns and len(rows):
        assert rows["pupil_ref"].str.fullmatch(r"P-[0-9A-F]{6,8}").all()
    governor_like = queries.Scope(schools=(SCHOOL_A,), pupil_rows_allowed=True, role="admin")
    with pytest.raises(queries.AccessDenied):
        queries.execute(name, governor_like, con=con, identify=True, **args)


def test_pseudonym_matches_sql(con):
    pid = con.execute("select pupil_id from pupil_year where urn = ? limit 1", [SCHOOL_A]).fetchall()[0][0]
    sql = "select " + queries.PSEUDONYM_SQL.format(urn="?::integer", pupil_id="?").replace(
        "$pseudonym_key", "?"
    )
    from auth.store import pseudonym_key

    key = pseudonym_key()
    assert con.execute(sql, [key, SCHOOL_A, pid]).fetchall()[0][0] == queries.pseudonym(SCHOOL_A, pid)
    assert queries.pseudonym(SCHOOL_A, pid) != queries.pseudonym(SCHOOL_B, pid)
    assert queries.pseudonym(SCHOOL_A, pid, key="other") != queries.pseudonym(SCHOOL_A, pid)


def test_views_and_refusals_are_audited(con, params, app_store):
    name = next(n for n in PUPIL_ROW_QUERIES if {"year", "urn"} <= set(queries.parameters(n)))
    args = _args(name, params)
    before = _audit_rows(app_store)
    rows = queries.execute(name, HEAD_A, con=con, **args)
    with pytest.raises(queries.AccessDenied):
        queries.execute(name, GOVERNOR_A, con=con, **args)
    with pytest.raises(queries.AccessDenied):
        queries.execute(name, HEAD_A, con=con, **{**args, "urn": SCHOOL_B})
    log = _audit_rows(app_store)[len(before) :]
    view = log[0]
    assert view["action"] == "view" and view["user"] == HEAD_A.user and view["role"] == "school_staff"
    assert view["scope"] == str(SCHOOL_A) and view["query"] == name and view["rows"] == len(rows)
    assert f'"year": {params["year"]}' in view["params"] and view["at"]
    assert [r["action"] for r in log[1:]] == ["denied", "denied"]
    assert log[1]["user"] == GOVERNOR_A.user and str(SCHOOL_B) in log[2]["params"]


def _audit_rows(path) -> list[dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("select * from audit_log order by id")]
    con.close()
    return rows


def test_unknown_role_grants_nothing(con):
    with pytest.raises(queries.AccessDenied):
        queries.execute("warehouse_meta", queries.Scope(role="superuser"), con=con)


# ------------------------------------------------------------------ suppression
def test_primary_suppression_and_rates():
    df = pd.DataFrame(
        {
            "cohort": ["FSM", "Not FSM", "EHCP"],
            "enrolments": [40, 300, 3],
            "pa_enrolments": [12, 4, 2],
            "pa_rate": [30.0, 1.3, 66.7],
        }
    )
    out = suppress(
        df,
        ["enrolments", "pa_enrolments"],
        {"pa_rate": ("pa_enrolments", "enrolments")},
        threshold=5,
        group_cols=None,
    )
    assert out.loc[2, "enrolments"] == SUPPRESSED and out.loc[2, "pa_enrolments"] == SUPPRESSED
    assert out.loc[2, "pa_rate"] == SUPPRESSED  # built on a suppressed count
    assert out.loc[1, "pa_enrolments"] == SUPPRESSED and out.loc[1, "pa_rate"] == SUPPRESSED
    assert out.loc[1, "enrolments"] == 300 and out.loc[0, "pa_rate"] == 30.0


def test_numeric_form_withholds_the_same_cells_as_nulls_and_publishes_as_c():
    """On screen a suppressed table stays numeric (null where withheld, named in attrs); its
    published form (files) is exactly the 'c' form, counts without decimals."""
    from queries.suppression import published, rename, withheld

    df = pd.DataFrame(
        {
            "cohort": ["FSM", "Not FSM", "EHCP"],
            "enrolments": [40, 300, 3],
            "pa_enrolments": [12, 4, 2],
            "pa_rate": [30.0, 1.3, 66.7],
        }
    )
    spec = (["enrolments", "pa_enrolments"], {"pa_rate": ("pa_enrolments", "enrolments")})
    text = suppress(df, *spec, threshold=5, group_cols=None)
    num = suppress(df, *spec, threshold=5, group_cols=None, numeric=True)
    for col in ("enrolments", "pa_enrolments", "pa_rate"):
        assert pd.api.types.is_float_dtype(num[col])
        assert num[col].isna().tolist() == (text[col] == SUPPRESSED).tolist()
    assert withheld(num).equals(withheld(text))
    assert published(num).to_csv(index=False) == text.to_csv(index=False)
    assert "300," in published(num).to_csv(index=False)  # a count, not 300.0
    shown = rename(num[["cohort", "pa_rate"]], {"pa_rate": "PA %"})
    assert withheld(shown)["PA %"].tolist() == [False, True, True]
    assert published(shown)["PA %"].tolist() == [30.0, SUPPRESSED, SUPPRESSED]


def test_one_suppressed_cell_takes_the_next_smallest_with_it():
    df = pd.DataFrame({"year_group": ["Y7", "Y8", "Y9", "Y10"], "pa_enrolments": [3, 40, 22, 51]})
    out = suppress(df, ["pa_enrolments"], threshold=5)
    assert list(out["pa_enrolments"]) == [SUPPRESSED, 40, SUPPRESSED, 51]


def test_secondary_suppression_per_breakdown():
    df = pd.DataFrame(
        {
            "breakdown": ["FSM", "FSM", "SEN", "SEN", "SEN"],
            "group": ["yes", "no", "E", "K", "N"],
            "enrolments": [2, 98, 10, 20, 70],
        }
    )
    out = suppress(df, ["enrolments"], threshold=5, group_cols=["breakdown"])
    assert list(out["enrolments"]) == [SUPPRESSED, SUPPRESSED, 10, 20, 70]


def test_two_way_table_is_followed_through():
    # years x weeks: suppression in a row spreads to a column and back until safe
    df = pd.DataFrame({"week": [1, 1, 1, 2, 2, 2], "year": [7, 8, 9, 7, 8, 9], "n": [2, 30, 40, 25, 35, 45]})
    out = suppress(df, ["n"], threshold=5, group_cols=[("week",), ("year",)])
    for cols in ("week", "year"):
        for _, g in out.groupby(cols):
            hidden = (g["n"] == SUPPRESSED).sum()
            assert hidden == 0 or hidden >= 2


def _recoverable(cells: list[int], shown: list, total: int) -> bool:
    """Can any suppressed cell be worked out from the total and the shown cells?
    The reader knows each hidden cell is a whole number >= 0 and their sum."""
    hidden = [i for i, v in enumerate(shown) if v == SUPPRESSED]
    rest = total - sum(v for v in shown if v != SUPPRESSED)
    if not hidden:
        return False
    if len(hidden) == 1:
        return True  # total minus the others
    return rest == 0  # all hidden cells must be 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=8),
    st.integers(min_value=3, max_value=10),
)
def test_suppressed_cells_cannot_be_recovered_from_the_total(cells, threshold):
    df = pd.DataFrame({"group": range(len(cells)), "n": cells})
    out = suppress(df, ["n"], threshold=threshold)
    shown = list(out["n"])
    for v, s in zip(cells, shown):
        if 0 < v < threshold:
            assert s == SUPPRESSED  # every small count hidden
        if s != SUPPRESSED:
            assert s == v
    hidden = [v for v, s in zip(cells, shown) if s == SUPPRESSED]
    if hidden and len(hidden) < len(cells):
        assert not _recoverable(cells, shown, sum(cells))
        assert sum(hidden) >= threshold  # the hidden cells together are not a small number
        assert any(v >= threshold for v in hidden)  # not all known to be small


def test_run_suppressed_suppresses_for_governors_and_exports(con, params):
    name = "la_headline_measures"
    args = _args(name, params)
    counts, rates = (
        ["enrolments", "pa_enrolments", "sa_enrolments"],
        {
            "persistent_absence_rate": ("pa_enrolments", "enrolments"),
            "severe_absence_rate": ("sa_enrolments", "enrolments"),
        },
    )
    gov = queries.run_suppressed(name, GOVERNOR_A, counts, rates, None, con=con, **args)
    head = queries.run_suppressed(name, HEAD_A, counts, rates, None, con=con, **args)
    head_export = queries.run_suppressed(name, HEAD_A, counts, rates, None, con=con, export=True, **args)
    officer_export = queries.run_suppressed(name, OFFICER, counts, rates, None, con=con, export=True, **args)
    small = pd.to_numeric(head["sa_enrolments"], errors="coerce").between(1, 4)
    assert gov.attrs.get("suppressed") and head_export.attrs.get("suppressed")
    assert not head.attrs.get("suppressed") and not officer_export.attrs.get("suppressed")
    if small.any():
        assert (gov.loc[small, "sa_enrolments"] == SUPPRESSED).all()
        assert (gov.loc[small, "severe_absence_rate"] == SUPPRESSED).all()


MIN_OTHER_SCHOOLS = 3


def test_comparators_pool_at_least_three_other_schools(con):
    """A comparison of a school with a group of other schools (the LA's schools of its phase,
    similar schools) must pool at least 3 other schools, or a head could take their own
    figures away (or read the row) and recover another school's exact figures. In the demo a
    secondary school has 1 other secondary and the special school none: their comparators are
    withheld; a primary (4 others) has them."""
    calendar = queries.execute("school_calendar_parts", con=con)
    year = int(calendar["academic_year"].max())
    period = queries.resolve_period(calendar, year, "Year to date")
    args = dict(year=year, **period.params())
    schools = con.execute("select urn, phase from schools").fetchall()
    by_phase: dict[str, int] = {}
    for _, phase in schools:
        by_phase[phase] = by_phase.get(phase, 0) + 1
    assert {n - 1 for n in by_phase.values()} & {0, 1, 2} and max(by_phase.values()) - 1 >= MIN_OTHER_SCHOOLS
    figures = [
        "enrolments",
        "possible_sessions",
        "absence_sessions",
        "overall_absence_rate",
        "persistent_absence_rate",
        "pa_enrolments",
        "severe_absence_rate",
        "days_lost",
    ]
    for urn, phase in schools:
        head = queries.Scope(
            schools=(urn,), pupil_rows_allowed=True, role="school_staff", user="h@test.invalid"
        )
        others = by_phase[phase] - 1
        h = queries.execute("school_headline", head, con=con, urn=urn, week_hours=32.5, **args)
        h = h.set_index("comparison")
        assert {"LA, same phase", "Similar schools"} <= set(h.index), (urn, list(h.index))
        for row, schools_in_row in (("LA, same phase", lambda n: n - 1), ("Similar schools", lambda n: n)):
            r = h.loc[row]
            if pd.isna(r["note"]):
                assert schools_in_row(int(r["schools"])) >= MIN_OTHER_SCHOOLS, (urn, row, r["schools"])
            else:
                assert "too few" in r["note"], (urn, row, r["note"])
                assert r[figures + ["schools", "similar_schools"]].isna().all(), (urn, row, r.to_dict())
        if others < MIN_OTHER_SCHOOLS:
            assert h.loc["LA, same phase", "note"] is not None and not pd.isna(
                h.loc["LA, same phase", "note"]
            )
            w = queries.execute("school_weekly", head, con=con, urn=urn, year=year)
            assert "LA, same phase" not in set(w["series"]), urn
            rs = queries.execute("school_reasons", head, con=con, urn=urn, **args)
            assert rs["la_rate"].isna().all(), urn
            co = queries.execute("school_cohorts", head, con=con, urn=urn, **args)
            assert co["la_pa_rate"].isna().all(), urn
        else:
            assert pd.isna(h.loc["LA, same phase", "note"]), urn
            w = queries.execute("school_weekly", head, con=con, urn=urn, year=year)
            assert "LA, same phase" in set(w["series"]), urn
            rs = queries.execute("school_reasons", head, con=con, urn=urn, **args)
            assert rs["la_rate"].notna().any(), urn
