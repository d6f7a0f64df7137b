"""Benchmark: incremental loads into the largest LA holding three academic years.

1. Generate (bench/largest_la.generate) the largest LA's 2025/26 year, then derive
   2024/25 and 2023/24 from it: every date 52 (or 104) weeks earlier, so weekdays stay
   weekdays, and for 2023/24 each August-2024-only code mapped to its pre-2024
   equivalent (K -> B, C1 / C2 -> C, J1 -> J, Y1 -> Y). 2025/26 is split into the year
   less its last school day (year.csv) and that day (day.csv, every school).
2. Load schools, pupils and the two earlier years (the base warehouse).
3. Time, each in a child process (wall time and peak RSS):
   - the year file into a copy of the base (a whole year into two years of history),
     against DuckDB's own read of the same file into a database file;
   - the day file into the three-year warehouse (new marks for every school);
   - a re-sent last week (the same week's marks for every school, replacing them);
   - the year file with 3 bad lines, into a copy of the base;
   - the dashboard's queries on the three-year warehouse (bench/largest_la's set);
   - for reference, a full rebuild of every mart (build.build) on that warehouse.

Usage: .venv/bin/python bench/incremental.py [--pupils N] [--reuse] [--write-doc]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import duckdb  # noqa: E402
import largest_la  # noqa: E402

from data_pipeline import codes as codes_mod  # noqa: E402

OUT = ROOT / "bench" / "out" / "incremental"
AIM_DAY_S = 10.0
AIM_YEAR_VS_BARE = 2.0
AIM_QUERY_MS = 300.0
AIM_PEAK_GB = 4.0


def _to_2006(code: str) -> str:
    """A 2024-only code as its pre-2024 equivalent (for the derived 2023/24 year)."""
    return {"K": "B", "C1": "C", "C2": "C", "J1": "J", "Y1": "Y"}.get(code, code)


def generate(out: Path, pupils: int, schools: int) -> dict:
    src = out / "src"
    info = largest_la.generate(src, pupils, schools)
    shutil.copy(src / "schools.csv", out / "schools.csv")
    shutil.copy(src / "pupils.csv", out / "pupils.csv")
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    only_2024 = sorted({c.code for c in codes_mod.CODES if "2006" not in c.sets})
    # codes of this repository, not data: written into the CASE (a join would reorder the rows)
    old_code = (
        "case r.code " + " ".join(f"when '{c}' then '{_to_2006(c)}'" for c in only_2024) + " else r.code end"
    )
    marks = str(src / "marks.csv")
    read = (
        "read_csv($p, header = true, auto_detect = false, "
        "columns = {'urn': 'INTEGER', 'pupil_id': 'VARCHAR', 'date': 'DATE', 'session': 'VARCHAR', "
        "'code': 'VARCHAR'})"
    )
    last = con.execute(f"select max(date) from {read}", {"p": marks}).fetchall()[0][0]
    for name, shift, old in (("y2023.csv", 728, True), ("y2024.csv", 364, False)):
        code = old_code if old else "r.code"
        con.execute(
            f"copy (select r.urn, r.pupil_id, r.date - {shift} as date, r.session, {code} as code "
            f"from {read} r) to '{out / name}' (header, comment '')",
            {"p": marks},
        )
    con.execute(
        f"copy (select * from {read} where date < $d) to '{out / 'year.csv'}' (header, comment '')",
        {"p": marks, "d": last},
    )
    con.execute(
        f"copy (select * from {read} where date = $d) to '{out / 'day.csv'}' (header, comment '')",
        {"p": marks, "d": last},
    )
    # the last whole school week before the last day: re-sent as it was (a week's replacement)
    week1 = last - dt.timedelta(days=last.weekday())
    week0 = week1 - dt.timedelta(days=7)
    con.execute(
        f"copy (select * from {read} where date >= $w0 and date < $w1) to '{out / 'week.csv'}' (header, comment '')",
        {"p": marks, "w0": week0, "w1": week1},
    )
    con.close()
    (src / "marks.csv").unlink()
    info["last_day"] = last.isoformat()
    info["files"] = {p.name: p.stat().st_size for p in sorted(out.glob("*.csv"))}
    (out / "generated.json").write_text(json.dumps(info, indent=1))
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pupils", type=int, default=largest_la.FULL_PUPILS)
    ap.add_argument("--schools", type=int, default=largest_la.FULL_SCHOOLS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--generate-only", action="store_true")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    info = generate(args.out, args.pupils, args.schools)
    print(f"generated in {time.perf_counter() - t0:.0f} s: {json.dumps(info)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
