"""Bad input: every row is loaded or quarantined with file, line, column and reason."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from conftest import ROOT, write_csv

from data_pipeline import warehouse
from data_pipeline.load import ingest_files

TODAY = dt.date(2026, 11, 25)
HEADER = ["urn", "pupil_id", "date", "session", "code"]


def quarantine(db):
    con = warehouse.connect(db, read_only=True)
    return con.execute(
        "select file_name, line, column_name, value, reason from quarantine order by line"
    ).fetchall()


def test_every_rule_names_line_column_and_reason(tmp_path):
    lines = [
        "100001,P1,2025-09-08,AM,/",  # 2 ok
        "100001,P1,2025-09-08,PM,Q9",  # 3 unknown code
        "100001,P1,08/09/2025,XX,/",  # 4 bad session (DD/MM/YYYY date is accepted)
        "100001,P1,2025-13-45,AM,/",  # 5 malformed date
        "100001,P1,2025-09-13,AM,/",  # 6 Saturday
        "100001,P1,2027-01-04,AM,/",  # 7 future
        "abc,P1,2025-09-09,AM,/",  # 8 URN not a number
        "100001,,2025-09-09,AM,/",  # 9 empty pupil
        "100001,P1,2025-09-09,AM",  # 10 too few fields
        "",  # 11 blank line
        "100001,P1,2025-09-10,AM,/",  # 12 ok
        "100001,P1,2025-09-10,AM,/",  # 13 exact duplicate of 12
        "100001,P2,2025-09-10,AM,/",  # 14 conflict with 15
        "100001,P2,2025-09-10,AM,I",  # 15 conflict with 14
        "100001,P1,2025-09-11,AM,H",  # 16 H not in the 2024 code set
        "100001,P1,2023-09-11,AM,/",  # 17 outside the file's academic year
        "100001,P1,2025-09-11,pm,i",  # 18 ok: lower case is accepted
    ]
    f = tmp_path / "marks.csv"
    f.write_text(",".join(HEADER) + "\n" + "\n".join(lines) + "\n")
    db = tmp_path / "w.duckdb"
    (r,) = ingest_files([f], db, progress=False, today=TODAY)
    assert r.rows_read == 17
    assert r.rows_loaded == 3
    assert r.rows_read == r.rows_loaded + r.rows_quarantined
    q = {line: (col, reason) for _, line, col, _, reason in quarantine(db)}
    assert q[3] == ("code", "unknown attendance code")
    assert q[4][0] == "session"
    assert q[5][0] == "date" and "malformed date" in q[5][1]
    assert "Saturday" in q[6][1]
    assert "future" in q[7][1]
    assert q[8] == ("urn", "URN is not a whole number")
    assert q[9][0] == "pupil_id"
    assert "expected 5 fields" in q[10][1]
    assert q[11][1] == "blank line"
    assert q[13][1] == "exact duplicate of line 12"
    assert "conflicting" in q[14][1] and "conflicting" in q[15][1]
    assert "August 2024 code set" in q[16][1]
    assert "outside the academic year 2025/26" in q[17][1]
    assert 2 not in q and 12 not in q and 18 not in q


def test_header_aliases_bom_and_windows_1252(tmp_path):
    f = tmp_path / "mis_export.csv"
    text = "UPN,School URN,Session Date,AM/PM,Mark,Comment\r\nA123,100001,2025-09-08,AM,/,Zoë café\r\n"
    f.write_bytes(text.encode("cp1252"))
    g = tmp_path / "bom.csv"
    g.write_bytes("\ufeffURN,Pupil_ID,DATE,Session,Code\n100001,B1,2025-09-08,AM,L\n".encode("utf-8"))
    db = tmp_path / "w.duckdb"
    res = ingest_files([f, g], db, progress=False, today=TODAY)
    assert [(r.kind, r.rows_loaded) for r in res] == [("marks", 1), ("marks", 1)]


def test_xlsx_and_register_grid(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["URN", "UPN", "Date", "Session", "Code"])
    ws.append([100001, "X1", dt.datetime(2025, 9, 8), "AM", "/"])
    ws.append([100001, "X1", dt.datetime(2025, 9, 8), "PM", "I"])
    wb.save(tmp_path / "marks.xlsx")
    grid = write_csv(
        tmp_path / "grid.csv",
        [
            "URN",
            "UPN",
            "Week commencing",
            "Mon AM",
            "Mon PM",
            "Tue AM",
            "Tue PM",
            "Wed AM",
            "Wed PM",
            "Thu AM",
            "Thu PM",
            "Fri AM",
            "Fri PM",
        ],
        [
            [100001, "G1", "2025-09-08", "/", "\\", "I", "I", "/", "\\", "L", "U", "", ""],
            [100001, "G2", "2025-09-08", "/", "\\", "Q7", "/", "", "", "", "", "", ""],
        ],
    )
    db = tmp_path / "w.duckdb"
    res = {r.kind: r for r in ingest_files([grid, tmp_path / "marks.xlsx"], db, progress=False, today=TODAY)}
    assert res["marks"].rows_loaded == 2
    # grid accounting is per non-empty cell: G1 has 8, G2 has 4 of which one (Q7) is bad.
    assert (res["grid"].rows_read, res["grid"].rows_loaded, res["grid"].rows_quarantined) == (12, 11, 1)
    con = warehouse.connect(db, read_only=True)
    assert con.execute("select date, session from marks where pupil_id = 'G1' and code = 'U'").fetchall() == [
        (dt.date(2025, 9, 11), "PM")
    ]
    (q,) = quarantine(db)
    assert q[1:4] == (3, "tue_am", "Q7")


def test_unknown_pupils_and_schools_when_lists_are_loaded(tmp_path):
    schools = write_csv(
        tmp_path / "schools.csv",
        ["URN", "EstablishmentName", "PhaseOfEducation (name)"],
        [[100001, "Brook Primary", "Primary"]],
    )
    pupils = write_csv(
        tmp_path / "pupils.csv", ["urn", "pupil_id", "ncyear", "fsm"], [[100001, "P1", "3", "1"]]
    )
    marks = write_csv(
        tmp_path / "marks.csv",
        HEADER,
        [
            [100001, "P1", "2025-09-08", "AM", "/"],
            [100001, "P9", "2025-09-08", "AM", "/"],
            [100002, "P1", "2025-09-08", "AM", "/"],
        ],
    )
    db = tmp_path / "w.duckdb"
    # Argument order does not matter: schools, then pupils, then marks.
    res = ingest_files([marks, pupils, schools], db, progress=False, today=TODAY)
    assert [r.kind for r in res] == ["schools", "pupils", "marks"]
    reasons = {line: reason for _, line, _, _, reason in quarantine(db)}
    assert "pupil not known" in reasons[3]
    assert "school not known" in reasons[4]


def test_postcodes_map_to_lsoa_and_are_never_stored(tmp_path):
    from data_pipeline.geography import postcodes_to_lsoa

    known = next(
        iter(
            pc for pc, lsoa in postcodes_to_lsoa(["DY1 1AA", "DY1 1HH", "DY2 8PS", "B62 0AA"]).items() if lsoa
        )
    )
    pupils = write_csv(
        tmp_path / "pupils.csv",
        ["urn", "pupil_id", "home_postcode"],
        [[100001, "P1", known.lower().replace(" ", "")], [100001, "P2", "ZZ9 9ZZ"]],
    )
    db = tmp_path / "w.duckdb"
    (r,) = ingest_files([pupils], db, progress=False, today=TODAY)
    assert (r.rows_loaded, r.rows_quarantined, r.warnings) == (2, 0, 1)
    con = warehouse.connect(db, read_only=True)
    lsoas = dict(con.execute("select pupil_id, home_lsoa from pupil_characteristics").fetchall())
    assert lsoas["P1"].startswith("E01") and lsoas["P2"] is None
    (w,) = con.execute("select line, column_name, reason from load_warnings").fetchall()
    assert w[0] == 3 and "ZZ9" in w[2] and "9ZZ" not in w[2]
    # No table holds a postcode of a pupil.
    for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
        cols = [
            c[0]
            for c in con.execute(
                "select column_name from information_schema.columns where table_name = ?", [table]
            ).fetchall()
        ]
        if table.startswith(("pupil", "marks", "quarantine", "load_warnings")):
            assert not any("postcode" in c for c in cols), table


@pytest.mark.parametrize(
    "content,expect",
    [
        ("", "empty"),
        ("foo,bar,baz\n1,2,3\n", "cannot tell what kind"),
    ],
)
def test_unusable_files_exit_non_zero_and_are_accounted(tmp_path, content, expect):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_pipeline",
            "ingest",
            "--quiet",
            "--db",
            str(tmp_path / "w.duckdb"),
            str(f),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 1
    assert expect in out.stdout
    assert "bad.csv" in out.stdout


def test_missing_required_column_is_named(tmp_path):
    f = write_csv(tmp_path / "m.csv", ["urn", "pupil_id", "date", "code"], [[1, "a", "2025-09-08", "/"]])
    (r,) = ingest_files([f], tmp_path / "w.duckdb", kind="marks", progress=False, today=TODAY)
    assert r.status == "rejected" and "session" in r.message and "line 1" in r.message
    assert (r.rows_read, r.rows_quarantined) == (1, 1)


def test_dfe_pupil_file(tmp_path):
    header = [
        "academic_term",
        "UPN",
        "DOB",
        "sex",
        "unique_reference_number",
        "year_group",
        "pupil_surname",
        "pupil_forename",
        "possible_sessions",
        "present_sessions",
        "approved_educational_activity_sessions",
        "authorised_absent_sessions",
        "unauthorised_absent_sessions",
        "a_new_dfe_column",
    ]
    f = write_csv(
        tmp_path / "dfe.csv",
        header,
        [
            [
                "Autumn 2025",
                "A1",
                "2015-01-01",
                "F",
                "100001",
                "5",
                "Smith",
                "Ann",
                "100",
                "88",
                "2",
                "6",
                "4",
                "x",
            ],
            [
                "Autumn 2025",
                "A2",
                "2015-01-01",
                "M",
                "100001",
                "5",
                "Jones",
                "Bob",
                "10",
                "0",
                "0",
                "8",
                "4",
                "x",
            ],
        ],
    )
    db = tmp_path / "w.duckdb"
    (r,) = ingest_files([f], db, progress=False, today=TODAY)
    assert (r.kind, r.rows_loaded, r.rows_quarantined) == ("dfe_pupil", 1, 1)
    assert "missing" in r.message and "free_school_meals" in r.message  # DfE's own field names
    con = warehouse.connect(db, read_only=True)
    assert "more absence than possible" in con.execute("select reason from quarantine").fetchall()[0][0]
    cols = [
        c[0]
        for c in con.execute(
            "select column_name from information_schema.columns where table_name = 'dfe_pupil_totals'"
        ).fetchall()
    ]
    assert not {"surname", "forename", "dob"} & set(cols)
    from data_pipeline.summary import summary

    s = summary(con)  # no marks loaded: the DfE file's year-to-date totals
    assert (
        s["enrolments"],
        s["possible_sessions"],
        s["authorised_sessions"],
        s["unauthorised_sessions"],
    ) == (1, 100, 6, 4)
    assert s["overall_absence_rate"] == 10.0 and s["pa_enrolments"] == 1 and "DfE" in s["source"]


def test_grid_week_labelled_by_sunday(tmp_path):
    grid = write_csv(
        tmp_path / "grid.csv",
        ["urn", "pupil_id", "wc", "mon_am", "fri_pm"],
        [[100001, "G1", "2025-09-07", "/", "I"]],
    )  # Sunday 7 September
    db = tmp_path / "w.duckdb"
    ingest_files([grid], db, progress=False, today=TODAY)
    con = warehouse.connect(db, read_only=True)
    assert con.execute("select date, session, code from marks order by date").fetchall() == [
        (dt.date(2025, 9, 8), "AM", "/"),
        (dt.date(2025, 9, 12), "PM", "I"),
    ]
