"""Load the reference data (data/reference/*) into a DuckDB connection.

`load_reference(con)` creates (or replaces) the tables documented in
docs/REFERENCE.md. It reads only files shipped in data/reference, never
../shared (those are reshaped by data_pipeline.reference_build).
"""

from __future__ import annotations

from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
BOUNDARIES_DIR = REFERENCE_DIR / "boundaries"

_ALIASES = {
    "la": "england_upper_tier_la_2023_buc.geojson",
    "upper_tier_la": "england_upper_tier_la_2023_buc.geojson",
    "england_upper_tier_la": "england_upper_tier_la_2023_buc.geojson",
}


def boundaries_path(name: str) -> Path:
    """Path of a shipped GeoJSON boundary file.

    `name` is a file name (with or without .geojson) or an alias:
    'la' / 'upper_tier_la' (153 upper-tier LAs), 'lsoa21_<LA code>',
    'ward25_<LA code>' (LA code one of E08000027, E06000019, E08000009).
    Raises FileNotFoundError for unknown names.
    """
    fname = _ALIASES.get(name, name)
    if not fname.endswith(".geojson"):
        fname += ".geojson"
    p = BOUNDARIES_DIR / fname
    if not p.exists():
        raise FileNotFoundError(f"no boundary file {fname!r} in {BOUNDARIES_DIR}")
    return p


def _q(p: Path) -> str:
    return "'" + str(p).replace("'", "''") + "'"


TABLES = {
    "la_lookup": """
        SELECT la_code, CAST(old_la_code AS INTEGER) AS old_la_code, la_name, region_code, region_name,
               CAST(is_current AS BOOLEAN) AS is_current, successor_la_codes
        FROM read_csv({f}, header=true, all_varchar=true)""",
    "bench_la_year": "SELECT * FROM read_parquet({f})",
    "bench_weekly": "SELECT * FROM read_parquet({f})",
    "bench_cohort": "SELECT * FROM read_parquet({f})",
    "stat_neighbours": """
        SELECT model, la_code, CAST(old_la_code AS INTEGER) AS old_la_code, la_name,
               CAST(rank AS INTEGER) AS rank, neighbour_la_code,
               CAST(neighbour_old_la_code AS INTEGER) AS neighbour_old_la_code,
               neighbour_name, closeness, section
        FROM read_csv({f}, header=true, all_varchar=true)""",
    "geo_neighbours": "SELECT * FROM read_csv({f}, header=true, all_varchar=true)",
    "lsoa21": "SELECT * FROM read_parquet({f})",
}
FILES = {
    "la_lookup": "la_lookup.csv",
    "bench_la_year": "bench_la_year.parquet",
    "bench_weekly": "bench_weekly.parquet",
    "bench_cohort": "bench_cohort.parquet",
    "stat_neighbours": "stat_neighbours.csv",
    "geo_neighbours": "geo_neighbours.csv",
    "lsoa21": "lsoa21.parquet",
}


def load_reference(con, reference_dir: Path | None = None) -> list[str]:
    """CREATE OR REPLACE every reference table in `con`. Returns table names."""
    d = Path(reference_dir) if reference_dir else REFERENCE_DIR
    for name, sql in TABLES.items():
        f = d / FILES[name]
        if not f.exists():
            raise FileNotFoundError(
                f"reference file missing: {f} (run python -m data_pipeline.reference_build)"
            )
        con.execute(f"CREATE OR REPLACE TABLE {name} AS " + sql.format(f=_q(f)))
    return list(TABLES)
