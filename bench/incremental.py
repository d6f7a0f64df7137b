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

Usage: .venv/bin/python bench/incremental.py [--pupils N] [--reuse] [--pairs N]
(figures in bench/out/incremental/report.json; --pairs N times only N back-to-back pairs of
the bare read and the year's load, into report_pairs.json)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import duckdb  # noqa: E402
import largest_la  # noqa: E402

from data_pipeline import build  # noqa: E402
from data_pipeline import codes as codes_mod  # noqa: E402

OUT = ROOT / "bench" / "out" / "incremental"
AIM_DAY_S = 10.0
AIM_YEAR_VS_BARE = 2.0
AIM_QUERY_MS = 300.0
AIM_PEAK_GB = 4.0


def over_aim(rows: list[dict]) -> str:
    """How many timed queries took longer than the aim, by their median and by their slowest run."""
    timed = [r for r in rows if "median_ms" in r]
    median = sum(r["median_ms"] > AIM_QUERY_MS for r in timed)
    worst = sum(r["max_ms"] > AIM_QUERY_MS for r in timed)
    return f"{median} of {len(timed)} over {AIM_QUERY_MS:.0f} ms by the median, {worst} by the slowest run"


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


def ingest(db: Path, *files: Path, extra: tuple[str, ...] = ()) -> dict:
    cmd = [sys.executable, "-m", "data_pipeline", "ingest", "--quiet", "--db", str(db), *extra]
    r = largest_la.run_child(cmd + [str(f) for f in files])
    r["summary"] = " ".join(r["stdout"].split())[-600:] or r["stderr"][-1500:]
    print(
        f"  ingest {[f.name for f in files]}: rc {r['rc']}, {r['seconds']:.1f} s, "
        f"peak {r['peak_rss_gb']:.2f} GB; {r['summary']}",
        flush=True,
    )
    if r["rc"] != 0:
        raise RuntimeError(r["stderr"][-3000:])
    return r


def fresh_copy(src: Path, dst: Path) -> Path:
    """A copy of `src`, written to disk before it is used: the warehouse a load meets is at rest,
    not still being written back from a copy made a moment before (which made the timed load's
    own copy of it 2-3 s slower on this machine)."""
    for p in (dst, dst.with_name(dst.name + ".wal")):
        p.unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    with dst.open("rb+") as fh:
        os.fsync(fh.fileno())
    return dst


def with_bad_lines(src: Path, dst: Path) -> list[tuple[int, str]]:
    """A copy of `src` with three bad lines put in at a quarter, a half and three quarters of
    its bytes: a URN that is not a number, a Saturday, a line a field short. Returns each bad
    line's number in the new file and the reason the load should give."""
    size = src.stat().st_size
    cuts = []
    with src.open("rb") as fh:
        for frac in (0.25, 0.5, 0.75):
            fh.seek(int(size * frac))
            fh.readline()
            cuts.append(fh.tell())
    with src.open("rb") as fh:
        data_before = [0]
        counted = 0
        pos = 0
        for cut in cuts:
            while pos < cut:
                chunk = fh.read(min(1 << 24, cut - pos))
                counted += chunk.count(b"\n")
                pos += len(chunk)
            data_before.append(counted)
    out, bad = [], []
    with src.open("rb") as fh, dst.open("wb") as w:
        pos = 0
        for i, cut in enumerate(cuts):
            shutil.copyfileobj(_Limited(fh, cut - pos), w)
            pos = cut
            fh.seek(cut)
            sample = fh.readline().decode().rstrip("\n").split(",")
            fh.seek(cut)
            if i == 0:
                line, why = ",".join(["1000x1", *sample[1:]]), "URN is not a whole number"
            elif i == 1:
                line, why = ",".join([*sample[:2], "2026-03-07", *sample[3:]]), "date is a Saturday or Sunday"
            else:
                line, why = ",".join(sample[:4]), "expected 5 fields as in the header, found 4"
            w.write((line + "\n").encode())
            # lines so far: the header and data lines before the cut, plus the bad lines put in
            bad.append((data_before[i + 1] + 1 + i, why))
        shutil.copyfileobj(fh, w)
    out.extend(bad)
    return out


class _Limited:
    def __init__(self, fh, n: int):
        self.fh, self.left = fh, n

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size < 0 else min(size, self.left)
        data = self.fh.read(size)
        self.left -= len(data)
        return data


REBUILD = """
import sys, time
from data_pipeline import build, warehouse
with warehouse.writer(sys.argv[1]) as con:
    t0 = time.perf_counter()
    how = build.build(con)
    print(how, time.perf_counter() - t0)
"""


def run_bench(out: Path, repeats: int) -> dict:
    rep: dict = {
        "machine": largest_la.machine(),
        "generated": json.loads((out / "generated.json").read_text()),
    }
    say = lambda *a: print(*a, flush=True)  # noqa: E731
    base = out / "base.duckdb"
    if base.exists() and build.stale(base):
        say("base warehouse built by other mart SQL: made again")
        base.unlink()
    if not base.exists():
        say("base warehouse: schools, pupils, 2023/24 and 2024/25 ...")
        rep["base"] = ingest(
            base, out / "schools.csv", out / "pupils.csv", out / "y2023.csv", out / "y2024.csv"
        )
    rep["base_bytes"] = base.stat().st_size
    say("bare read of year.csv into a database file ...")
    rep["bare_year"] = largest_la.time_bare_read(out / "year.csv", str(out / "bare.duckdb"))
    say(f"  {rep['bare_year']['inner_seconds']:.1f} s (wall {rep['bare_year']['seconds']:.1f} s)")
    w3 = fresh_copy(base, out / "w3.duckdb")
    say("a whole year's file into two years of history ...")
    rep["year"] = ingest(w3, out / "year.csv")
    rep["w3_bytes_after_year"] = w3.stat().st_size
    say("one school day's file for every school ...")
    rep["day"] = ingest(w3, out / "day.csv")
    say("a re-sent week (every school) ...")
    rep["week"] = ingest(w3, out / "week.csv")
    rep["w3_bytes"] = w3.stat().st_size
    con = duckdb.connect(str(w3), read_only=True)
    rep["counts"] = dict(
        zip(
            ("marks", "pupil_week", "years"),
            con.execute(
                "select (select count(*) from marks), (select count(*) from pupil_week), "
                "(select count(distinct academic_year) from pupil_week)"
            ).fetchall()[0],
        )
    )
    rep["load_files"] = con.execute(
        "select file_name, rows_read, rows_loaded, rows_quarantined, message from load_files order by file_id"
    ).fetchall()
    con.close()
    say("  ", rep["counts"])
    say("queries on the three-year warehouse, as the incremental loads left it ...")
    rep["queries"], _ = largest_la.query_benchmarks(w3, repeats, largest_la.school_days())
    slow = sorted(rep["queries"], key=lambda q: -q.get("max_ms", 0))[:5]
    say("  slowest:", slow)
    say("  ", over_aim(rep["queries"]))
    say("full rebuild of every mart, for reference (on a copy) ...")
    full = fresh_copy(w3, out / "wfull.duckdb")
    r = largest_la.run_child([sys.executable, "-c", REBUILD, str(full)])
    if r["rc"] != 0:
        raise RuntimeError(r["stderr"][-3000:])
    how, secs = r["stdout"].split()
    rep["full_rebuild"] = {
        "how": how,
        "build_seconds": float(secs),
        "seconds": r["seconds"],
        "peak_rss_gb": r["peak_rss_gb"],
    }
    say("  ", rep["full_rebuild"])
    say("the same queries after the full rebuild (marts sorted by year and school again) ...")
    rep["queries_full"], _ = largest_la.query_benchmarks(full, repeats, largest_la.school_days())
    say("  ", over_aim(rep["queries_full"]))
    full.unlink()
    say("a year's file with 3 bad lines, into two years of history ...")
    bad_file = out / "year_bad.csv"
    rep["bad_expected"] = with_bad_lines(out / "year.csv", bad_file)
    wb = fresh_copy(base, out / "wbad.duckdb")
    rep["bad"] = ingest(wb, bad_file)
    con = duckdb.connect(str(wb), read_only=True)
    rep["bad_quarantine"] = con.execute("select line, reason from quarantine order by line").fetchall()
    rep["bad_counts"] = con.execute(
        "select rows_read, rows_loaded, rows_quarantined, message from load_files where file_name = 'year_bad.csv'"
    ).fetchall()
    con.close()
    say("  quarantine", rep["bad_quarantine"], "expected", rep["bad_expected"])
    for p in (wb, bad_file):
        p.unlink(missing_ok=True)
    (out / "report.json").write_text(json.dumps(rep, indent=1, default=str))
    return rep


def year_pairs(out: Path, n: int) -> list[dict]:
    """The year's file against DuckDB's bare read of it, n times back to back: the ratio within a
    pair, taken a minute apart, is steadier than one run's on a machine whose speed moves."""
    pairs = []
    for _ in range(n):
        bare = largest_la.time_bare_read(out / "year.csv", str(out / "bare.duckdb"))["inner_seconds"]
        load = ingest(fresh_copy(out / "base.duckdb", out / "w3.duckdb"), out / "year.csv")["seconds"]
        pairs.append({"bare_s": round(bare, 1), "load_s": round(load, 1), "ratio": round(load / bare, 2)})
        print(pairs[-1], flush=True)
    (out / "report_pairs.json").write_text(json.dumps(pairs, indent=1))
    return pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pupils", type=int, default=largest_la.FULL_PUPILS)
    ap.add_argument("--schools", type=int, default=largest_la.FULL_SCHOOLS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reuse", action="store_true", help="reuse the generated files in --out")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--pairs", type=int, default=0, help="only time N pairs of bare read and year load")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not (args.reuse and (args.out / "generated.json").exists()):
        t0 = time.perf_counter()
        info = generate(args.out, args.pupils, args.schools)
        print(f"generated in {time.perf_counter() - t0:.0f} s: {json.dumps(info)}")
    if args.generate_only:
        return 0
    if args.pairs:
        if not (args.out / "base.duckdb").exists() or build.stale(args.out / "base.duckdb"):
            print("no current base warehouse: run without --pairs first", file=sys.stderr)
            return 2
        year_pairs(args.out, args.pairs)
        return 0
    rep = run_bench(args.out, args.repeats)
    print(json.dumps({k: v for k, v in rep.items() if k != "queries"}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
