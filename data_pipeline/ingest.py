"""Ingest stage: read a return file into lines, map its header, recognise its kind.

Every physical line of a file becomes one row of a temporary table with its
line number, so that validation can name the file, line and column of every
problem and account for every line read. Fields are split in SQL for plain
lines; the few lines with quotes are parsed by Python's csv module.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


class UnusableFile(Exception):
    """The file as a whole cannot be read as any kind of return."""


def norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


DAYS = ("mon", "tue", "wed", "thu", "fri")
DAY_ALIASES = {
    "mon": ("mon", "monday"),
    "tue": ("tue", "tues", "tuesday"),
    "wed": ("wed", "weds", "wednesday"),
    "thu": ("thu", "thur", "thurs", "thursday"),
    "fri": ("fri", "friday"),
}

COMMON = {
    "urn": ("urn", "schoolurn", "uniquereferencenumber", "establishmenturn"),
    "pupil_id": (
        "pupilid",
        "upn",
        "pupil",
        "pupilref",
        "pupilreference",
        "adno",
        "admissionnumber",
        "studentid",
        "personid",
        "pupilidentifier",
    ),
}

# canonical column -> accepted normalised headers, per kind
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "marks": {
        **COMMON,
        "date": ("date", "sessiondate", "attendancedate", "markdate", "day"),
        "session": ("session", "ampm", "period", "sessionname", "amorpm"),
        "code": ("code", "mark", "attendancecode", "attendancemark", "markcode"),
    },
    "grid": {
        **COMMON,
        "week_start": (
            "weekstart",
            "weekcommencing",
            "wc",
            "weekbeginning",
            "weekstarting",
            "weekcommencingdate",
            "week",
        ),
        **{f"{d}_{s}": tuple(f"{a}{s}" for a in DAY_ALIASES[d]) for d in DAYS for s in ("am", "pm")},
    },
    "pupils": {
        **COMMON,
        "effective_date": ("effectivedate", "validfrom", "censusdate", "asat", "asatdate", "dateeffective"),
        "academic_year": ("academicyear",),
        "term": ("term",),
        "ncyear": ("ncyear", "yeargroup", "nationalcurriculumyear", "ncyeargroup", "year"),
        "gender": ("gender", "sex"),
        "ethnicity": ("ethnicity", "ethnicgroup", "ethnicitymajor", "ethnicitygroup"),
        "sen_provision": ("senprovision", "sen", "senstatus"),
        "fsm": ("fsm", "fsmeligible", "freeschoolmeals"),
        "pupil_premium": ("pupilpremium", "pp", "pupilpremiumeligible"),
        "eal": ("eal", "englishadditionallanguage", "englishasanadditionallanguage"),
        "young_carer": ("youngcarer",),
        "cla": ("cla", "lookedafter", "lookedafterchild", "lac"),
        "cin": ("cin", "childinneed"),
        "cpp": ("cpp", "childprotectionplan", "cp"),
        "home_lsoa": ("homelsoa", "lsoa", "lsoa21", "lsoa21cd", "lsoacode", "homelsoa21"),
        "home_postcode": ("homepostcode", "postcode", "pupilpostcode"),
        "dob": ("dob", "dateofbirth"),
    },
    "schools": {
        "urn": COMMON["urn"],
        "school_name": ("establishmentname", "schoolname", "name"),
        "la_code": ("lacode", "localauthoritycode"),
        "la_name": ("laname", "localauthorityname"),
        "establishment_type": ("typeofestablishmentname", "type", "establishmenttype", "typeofestablishment"),
        "type_group": ("establishmenttypegroupname",),
        "phase": ("phaseofeducationname", "phase", "phaseofeducation", "schoolphase"),
        "status": ("establishmentstatusname", "status"),
        "postcode": ("postcode",),
        "easting": ("easting",),
        "northing": ("northing",),
        "latitude": ("latitude", "lat"),
        "longitude": ("longitude", "lon", "lng", "long"),
        "number_of_pupils": ("numberofpupils", "roll", "pupilsonroll", "numberonroll"),
        "percent_fsm": ("percentfsm", "percentagefsm", "fsmpercent"),
        "low_age": ("statutorylowage", "lowestadmissionage"),
        "high_age": ("statutoryhighage", "highestadmissionage"),
    },
    "dfe_pupil": {
        "academic_term": ("academicterm",),
        "pupil_id": ("upn",),
        "dob": ("dob",),
        "sex": ("sex",),
        "ethnicity": ("ethnicity",),
        "eal": ("englishadditionallanguage",),
        "compulsory_school_age": ("compulsoryschoolage",),
        "sen_support": ("sensupport",),
        "fsm": ("freeschoolmeals",),
        "ehcp": ("educationhealthcareplan",),
        "cla": ("lookedafterchild",),
        "cin": ("childinneed",),
        "cpp": ("childprotectionplan",),
        "urn": ("uniquereferencenumber",),
        "year_group": ("yeargroup",),
        "school_name": ("schoolname",),
        "phase": ("phase",),
        "surname": ("pupilsurname",),
        "forename": ("pupilforename",),
        "admission_date": ("admissiondate",),
        "leaving_date": ("leavingdate",),
        "possible_sessions": ("possiblesessions",),
        "present_sessions": ("presentsessions",),
        "absent_sessions": ("absentsessions",),
        "aea_sessions": ("approvededucationalactivitysessions",),
        "authorised_sessions": ("authorisedabsentsessions",),
        "unauthorised_sessions": ("unauthorisedabsentsessions",),
    },
}

REQUIRED = {
    "marks": ("urn", "pupil_id", "date", "session", "code"),
    "grid": ("urn", "pupil_id", "week_start"),
    "pupils": ("urn", "pupil_id"),
    "schools": ("urn", "school_name"),
    "dfe_pupil": ("urn", "pupil_id", "possible_sessions", "authorised_sessions", "unauthorised_sessions"),
}

# Loading order within one ingest: what a later kind is checked against comes first.
LOAD_ORDER = ("schools", "pupils", "dfe_pupil", "marks", "grid")

# DfE's published field names for the weekly pupil-level file, reported when missing.
DFE_PUBLISHED = {
    "academic_term": "academic_term",
    "pupil_id": "UPN",
    "dob": "DOB",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "eal": "english_additional_language",
    "compulsory_school_age": "compulsory_school_age",
    "sen_support": "sen_support",
    "fsm": "free_school_meals",
    "ehcp": "education_health_care_plan",
    "cla": "looked_after_child",
    "cin": "child_in_need",
    "cpp": "child_protection_plan",
    "urn": "unique_reference_number",
    "year_group": "year_group",
    "school_name": "school_name",
    "phase": "phase",
    "surname": "pupil_surname",
    "forename": "pupil_forename",
    "admission_date": "admission_date",
    "leaving_date": "leaving_date",
    "possible_sessions": "possible_sessions",
    "present_sessions": "present_sessions",
    "absent_sessions": "absent_sessions",
    "aea_sessions": "approved_educational_activity_sessions",
    "authorised_sessions": "authorised_absent_sessions",
    "unauthorised_sessions": "unauthorised_absent_sessions",
}


@dataclass
class RawFile:
    path: Path
    table: str
    header: list[str]
    n_fields: int
    encoding: str
    mapping: dict[str, int] = field(default_factory=dict)  # canonical -> 1-based field
    kind: str = ""
    unmapped: list[str] = field(default_factory=list)
    csv_path: Path | None = None  # the file as CSV (an .xlsx is converted first)
    lines_loaded: bool = False  # the exact line reader has run (see load_lines)
    data_lines: int | None = None  # physical lines after the header (count_data_lines)
    scan: Callable[[], tuple[str, int]] | None = None  # the load's own scan of the file, if any


def map_header(header: list[str], kind: str) -> tuple[dict[str, int], list[str]]:
    aliases = ALIASES[kind]
    lookup = {alias: canon for canon, names in aliases.items() for alias in names}
    mapping: dict[str, int] = {}
    unmapped = []
    for i, h in enumerate(header, start=1):
        canon = lookup.get(norm(h))
        if canon and canon not in mapping:
            mapping[canon] = i
        else:
            unmapped.append(h)
    return mapping, unmapped


def duplicate_columns(header: list[str], kind: str) -> list[tuple[str, str, str]]:
    """(first header, second header, the column both name): a file that gives one column twice
    is refused, never read from whichever comes first."""
    lookup = {alias: canon for canon, names in ALIASES[kind].items() for alias in names}
    seen: dict[str, str] = {}
    out = []
    for h in header:
        canon = lookup.get(norm(h))
        if canon is None:
            continue
        if canon in seen:
            out.append((seen[canon], h, canon))
        else:
            seen[canon] = h
    return out


def shown(text: str, limit: int = 60) -> str:
    """Text from a file as an error message may show it: control and binary characters as '?',
    cut to `limit` characters."""
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def detect_kind(header: list[str]) -> str | None:
    """The kind whose required columns are all present, preferring the most specific."""
    for kind in ("dfe_pupil", "marks", "grid", "schools", "pupils"):
        mapping, _ = map_header(header, kind)
        if not all(c in mapping for c in REQUIRED[kind]):
            continue
        if kind == "grid" and not any(k.endswith(("_am", "_pm")) for k in mapping):
            continue
        if kind == "pupils" and len(mapping) < 3:
            continue
        return kind
    return None


def _xlsx_to_csv(path: Path, out_dir: Path) -> Path:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise UnusableFile(f"{path.name}: not a readable .xlsx workbook ({shown(exc, 120)})") from exc
    ws = wb.worksheets[0]
    out = out_dir / (path.stem + ".csv")
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        width = None
        for row in ws.iter_rows(values_only=True):
            cells = ["" if v is None else _cell_text(v) for v in row]
            width = width or len(cells)
            # Workbooks without a recorded size return rows short of their empty last cells.
            cells += [""] * (width - len(cells))
            w.writerow(cells)
    wb.close()
    return out


def _cell_text(v) -> str:
    import datetime as dt

    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _python_lines(path: Path) -> tuple[list[str | None], str]:
    data = path.read_bytes()
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "windows-1252"
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\x00", "")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines], encoding


def read_lines(con: duckdb.DuckDBPyConnection, path: Path, table: str, work_dir: Path) -> str:
    """Load every physical line of a text file into `table(line, line_text)`; return the encoding."""
    src = path
    encoding = "utf-8"
    try:
        # A table keeps the file's order, so its rowid is the line number less one.
        con.execute(
            f"create or replace temp table {table}_0 as "
            "select line_text from read_csv($p, columns = {'line_text': 'VARCHAR'}, "
            "delim = '\x1f', quote = '', escape = '', header = false, auto_detect = false)",
            {"p": str(src)},
        )
        con.execute(
            f"create or replace temp table {table} as select rowid + 1 as line, line_text from {table}_0"
        )
        con.execute(f"drop table {table}_0")
        return encoding
    except duckdb.Error:
        pass  # not plain UTF-8 text: the exact but slower Python reader handles it
    lines, encoding = _python_lines(path)
    con.execute(f"create or replace temp table {table} (line bigint, line_text varchar)")
    if lines:
        import pyarrow as pa

        tbl = pa.table(
            {
                "line": pa.array(range(1, len(lines) + 1), pa.int64()),
                "line_text": pa.array(lines, pa.string()),
            }
        )
        con.register("_lines_arrow", tbl)
        con.execute(f"insert into {table} select line, nullif(line_text, '') from _lines_arrow")
        con.unregister("_lines_arrow")
    return encoding


def read_header(path: Path) -> tuple[list[str] | None, str]:
    """The first line's fields (None if the file is empty or starts blank) and the encoding."""
    with path.open("rb") as fh:
        first = fh.readline()
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    try:
        text, encoding = first.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = first.decode("cp1252", errors="replace"), "windows-1252"
    text = text.rstrip("\r\n").replace("\x00", "")
    if not text.strip():
        return None, encoding
    return [h.strip() for h in next(csv.reader(io.StringIO(text)))], encoding


def scan(path: Path) -> tuple[str, int]:
    """Content hash and physical data lines (after the header) of a file, in one read into one
    buffer. The hash is the file's identity (the same bytes are not loaded twice): XXH3-128,
    not SHA-256, because the scan runs beside the load's own read of the file on the same
    cores, and SHA-256 of the largest LA's 3 GB year of marks took 2.1 s of CPU against 0.2 s,
    which the read lost in wall time. It is not a defence against a file crafted to collide:
    whoever can write to the inbox can load what they like anyway. numpy counts the newlines
    in a third of the time bytes.count takes."""
    import numpy as np
    import xxhash

    h = xxhash.xxh3_128()
    n, last = 0, 10
    buf = bytearray(1 << 22)
    with open(path, "rb", buffering=0) as fh:
        while k := fh.readinto(buf):
            chunk = memoryview(buf)[:k]
            h.update(chunk)
            n += int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == 10))
            last = buf[k - 1]
    if last != 10:
        n += 1
    return h.hexdigest(), max(n - 1, 0)


def lines_with_field(path: Path, column: int, values: set[str], limit: int) -> list[tuple[int, str]] | None:
    """(line, text) of every line of a CSV file whose field `column` (1-based, stripped) is one
    of `values`, numbered as in the file (the header is line 1); None if more than `limit`.

    For a few values in a large file: each value is searched for as bytes (a C scan of the
    file per value), and only the lines holding it are parsed, so a 3 GB marks file is read
    a handful of times at memory speed instead of line by line in Python."""
    import mmap

    hits: set[int] = set()  # byte offsets of line starts
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        first = data.find(b"\n") + 1  # past the header
        for value in values:
            needle = value.encode("utf-8")
            if not needle:
                continue
            at = data.find(needle, first)
            while at >= 0:
                start = data.rfind(b"\n", 0, at) + 1
                end = data.find(b"\n", at)
                end = len(data) if end < 0 else end
                hits.add(start)
                if len(hits) > limit:
                    return None
                at = data.find(needle, end)
        out = []
        line, pos = 1, 0
        for start in sorted(hits):
            while pos < start:  # newlines before this line, 16 MB at a time
                step = min(start, pos + (1 << 24))
                line += data[pos:step].count(b"\n")
                pos = step
            end = data.find(b"\n", start)
            raw = data[start : len(data) if end < 0 else end].rstrip(b"\r")
            text = raw.decode("utf-8", errors="replace").replace("\x00", "")
            try:
                fields = next(csv.reader(io.StringIO(text)))
            except (csv.Error, StopIteration):
                continue
            if len(fields) >= column and fields[column - 1].strip() in values:
                out.append((line, text))
    return out


def count_data_lines(raw: RawFile) -> int:
    """Physical lines after the header, as the line reader counts them."""
    if raw.data_lines is None:
        raw.data_lines = (raw.scan or (lambda: scan(raw.csv_path)))()[1]
    return raw.data_lines


def load_lines(con: duckdb.DuckDBPyConnection, raw: RawFile) -> None:
    """The exact reader: every physical line of the file, fields split per line.

    `raw.table` becomes a view (line, line_text, blank, nf, c1..cN). Plain lines
    are split with split_part when read; lines with quotes are parsed by the
    csv module (a quoted field may not span lines).
    """
    if raw.lines_loaded:
        return
    raw.encoding = read_lines(con, raw.csv_path, raw.table + "_lines", raw.csv_path.parent)
    split_lines(con, raw)
    raw.lines_loaded = True


def split_lines(con: duckdb.DuckDBPyConnection, raw: RawFile) -> None:
    """`raw.table` as a view of `<raw.table>_lines` (line, line_text) split into fields: the
    whole file's lines (load_lines), or only some of them (validate.settle_suspect_marks)."""
    table, lines_table = raw.table, raw.table + "_lines"
    quoted = con.execute(
        f"select line, line_text from {lines_table} where line > 1 and contains(line_text, '\"')"
    ).fetchall()
    parsed = []
    for line, text in quoted:
        try:
            fields = next(csv.reader(io.StringIO(text)))
        except (csv.Error, StopIteration):
            fields = [text]
        parsed.append((line, [x.strip() for x in fields]))
    con.execute(f"create or replace temp table {table}_q (line bigint, fq varchar[])")
    plain_nf = "length(line_text) - length(replace(line_text, ',', '')) + 1"
    if parsed:
        con.executemany(f"insert into {table}_q values (?, ?)", parsed)
        source, nf = f"{lines_table} l left join {table}_q q using (line)", f"coalesce(len(q.fq), {plain_nf})"
        field = "case when q.fq is null then split_part(line_text, ',', {i}) else q.fq[{i}] end"
    else:
        source, nf, field = f"{lines_table} l", plain_nf, "split_part(line_text, ',', {i})"
    fields = ", ".join(field.format(i=i) + f" as c{i}" for i in range(1, raw.n_fields + 1))
    con.execute(
        f"create or replace temp view {table} as select line, line_text, "
        f"line_text is null or trim(line_text) = '' as blank, {nf} as nf, "
        f"{fields} from {source} where line > 1"
    )


def open_file(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, work_dir: Path, kind: str | None = None
) -> RawFile:
    """Read a file's header, recognise its kind and map its columns.

    The lines themselves are read by `load_lines`, except for large marks files,
    which validate.stage_marks first tries to read with DuckDB's own CSV reader.
    """
    if not path.exists():
        raise UnusableFile(f"{path}: file not found")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        path_csv = _xlsx_to_csv(path, work_dir)
    elif path.suffix.lower() == ".xls":
        raise UnusableFile(f"{path.name}: old .xls workbooks are not supported; save as .xlsx or CSV")
    else:
        path_csv = path
    header, encoding = read_header(path_csv)
    raw = RawFile(
        path=path,
        table=table,
        header=header or [],
        n_fields=len(header or []),
        encoding=encoding,
        csv_path=path_csv,
    )
    if header is None:
        load_lines(con, raw)
        raise UnusableFile(f"{path.name}: the file is empty or its first line (the header) is blank")
    raw.kind = kind or detect_kind(header) or ""
    if not raw.kind:
        load_lines(con, raw)
        raise UnusableFile(
            f"{path.name}: line 1: cannot tell what kind of file this is from its columns "
            f"({', '.join(shown(h, 30) for h in header[:12])}); expected the columns of marks, register grid, pupils, "
            "schools (GIAS) or DfE's pupil-level file (see README), or pass --kind"
        )
    if raw.kind not in ALIASES:
        raise UnusableFile(f"{path.name}: unknown kind {raw.kind!r}")
    raw.mapping, raw.unmapped = map_header(header, raw.kind)
    twice = duplicate_columns(header, raw.kind)
    if twice:
        load_lines(con, raw)
        raise UnusableFile(
            f"{path.name}: line 1: "
            + "; ".join(f"columns {shown(a)!r} and {shown(b)!r} both give {canon}" for a, b, canon in twice)
            + ": keep one of each and load the file again"
        )
    missing = [c for c in REQUIRED[raw.kind] if c not in raw.mapping]
    if missing:
        load_lines(con, raw)
        raise UnusableFile(
            f"{path.name}: line 1: missing required column(s) for a {raw.kind} file: " + ", ".join(missing)
        )
    if raw.kind != "marks":
        load_lines(con, raw)
    return raw
