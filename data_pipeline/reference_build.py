"""Build data/reference/* from the raw public files in ../shared/data.

Run from the repo root:  python -m data_pipeline.reference_build [step ...]
Steps: postcodes, lsoa21, boundaries, geo_neighbours, stat_neighbours,
la_lookup, bench (all by default).  The product at run time reads only
data/reference; this script is the only thing that reads ../shared.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from data_pipeline.geography import normalise_postcode

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
OUT = REPO / "data" / "reference"
BOUNDS = OUT / "boundaries"

THREE_LAS = {"dudley": "E08000027", "herefordshire": "E06000019", "trafford": "E08000009"}


# ---------------------------------------------------------------------------
# British National Grid (OSGB36 transverse Mercator) -> WGS84
# Ordnance Survey "A guide to coordinate systems in Great Britain", annex C
# (inverse TM) and the 7-parameter Helmert OSGB36 -> ETRS89/WGS84 (~2-5 m).
# ---------------------------------------------------------------------------
_A_AIRY, _B_AIRY = 6377563.396, 6356256.909
_F0 = 0.9996012717
_LAT0, _LON0 = math.radians(49.0), math.radians(-2.0)
_N0, _E0 = -100000.0, 400000.0


def _bng_to_osgb36(e, n):
    """Inverse transverse Mercator on the Airy 1830 ellipsoid (vectorised)."""
    e = np.asarray(e, dtype=float)
    n = np.asarray(n, dtype=float)
    a, b, F0 = _A_AIRY, _B_AIRY, _F0
    e2 = 1 - (b * b) / (a * a)
    nn = (a - b) / (a + b)

    def meridional(lat):
        return (
            b
            * F0
            * (
                (1 + nn + 1.25 * nn**2 + 1.25 * nn**3) * (lat - _LAT0)
                - (3 * nn + 3 * nn**2 + 21 / 8 * nn**3) * np.sin(lat - _LAT0) * np.cos(lat + _LAT0)
                + (15 / 8 * nn**2 + 15 / 8 * nn**3) * np.sin(2 * (lat - _LAT0)) * np.cos(2 * (lat + _LAT0))
                - 35 / 24 * nn**3 * np.sin(3 * (lat - _LAT0)) * np.cos(3 * (lat + _LAT0))
            )
        )

    lat = (n - _N0) / (a * F0) + _LAT0
    M = meridional(lat)
    for _ in range(10):
        lat = lat + (n - _N0 - M) / (a * F0)
        M = meridional(lat)
    sl, cl, tl = np.sin(lat), np.cos(lat), np.tan(lat)
    nu = a * F0 / np.sqrt(1 - e2 * sl * sl)
    rho = a * F0 * (1 - e2) / (1 - e2 * sl * sl) ** 1.5
    eta2 = nu / rho - 1
    VII = tl / (2 * rho * nu)
    VIII = tl / (24 * rho * nu**3) * (5 + 3 * tl**2 + eta2 - 9 * tl**2 * eta2)
    IX = tl / (720 * rho * nu**5) * (61 + 90 * tl**2 + 45 * tl**4)
    X = 1 / (cl * nu)
    XI = 1 / (cl * 6 * nu**3) * (nu / rho + 2 * tl**2)
    XII = 1 / (cl * 120 * nu**5) * (5 + 28 * tl**2 + 24 * tl**4)
    XIIA = 1 / (cl * 5040 * nu**7) * (61 + 662 * tl**2 + 1320 * tl**4 + 720 * tl**6)
    dE = e - _E0
    phi = lat - VII * dE**2 + VIII * dE**4 - IX * dE**6
    lam = _LON0 + X * dE - XI * dE**3 + XII * dE**5 - XIIA * dE**7
    return phi, lam


def _helmert_osgb36_to_wgs84(phi, lam):
    # to cartesian on Airy
    a, b = _A_AIRY, _B_AIRY
    e2 = 1 - (b * b) / (a * a)
    nu = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    x = nu * np.cos(phi) * np.cos(lam)
    y = nu * np.cos(phi) * np.sin(lam)
    z = (1 - e2) * nu * np.sin(phi)
    # OSGB36 -> WGS84 (inverse of the published WGS84->OSGB36 parameters)
    tx, ty, tz = 446.448, -125.157, 542.060
    s = -20.4894e-6
    rx, ry, rz = (math.radians(v / 3600) for v in (0.1502, 0.2470, 0.8421))
    x2 = tx + (1 + s) * x - rz * y + ry * z
    y2 = ty + rz * x + (1 + s) * y - rx * z
    z2 = tz - ry * x + rx * y + (1 + s) * z
    # back to geodetic on GRS80/WGS84
    a2, b2 = 6378137.0, 6356752.3141
    e22 = 1 - (b2 * b2) / (a2 * a2)
    p = np.sqrt(x2 * x2 + y2 * y2)
    lat = np.arctan2(z2, p * (1 - e22))
    for _ in range(10):
        nu2 = a2 / np.sqrt(1 - e22 * np.sin(lat) ** 2)
        lat = np.arctan2(z2 + e22 * nu2 * np.sin(lat), p)
    lon = np.arctan2(y2, x2)
    return np.degrees(lat), np.degrees(lon)


def bng_to_wgs84(easting, northing):
    """British National Grid easting/northing (m) -> (latitude, longitude) WGS84.

    Accurate to a few metres (Helmert), well inside 20 m. Vectorised.
    """
    phi, lam = _bng_to_osgb36(easting, northing)
    return _helmert_osgb36_to_wgs84(phi, lam)


# ---------------------------------------------------------------------------
def _read_geojson(path: Path) -> dict:
    return json.loads(path.read_text())


def build_postcodes() -> Path:
    import shapely
    from shapely.geometry import shape

    pc = pd.read_csv(SHARED / "ons" / "onspd_nov2025_postcodes_dudley_herefordshire_trafford.csv")
    lat, lon = bng_to_wgs84(pc["easting"].to_numpy(), pc["northing"].to_numpy())
    pc["latitude"] = np.round(lat, 6)
    pc["longitude"] = np.round(lon, 6)
    codes, geoms = [], []
    for f in sorted((SHARED / "ons" / "la_boundaries").glob("lsoa21_*.geojson")):
        for feat in _read_geojson(f)["features"]:
            codes.append(feat["properties"]["LSOA21CD"])
            geoms.append(shape(feat["geometry"]))
    codes = np.array(codes)
    tree = shapely.STRtree(geoms)
    pts = shapely.points(pc["longitude"].to_numpy(), pc["latitude"].to_numpy())
    pt_idx, poly_idx = tree.query(pts, predicate="within")
    lsoa = np.full(len(pc), None, dtype=object)
    lsoa[pt_idx] = codes[poly_idx]  # ties on a shared edge: last wins, fine
    missing = pd.isna(lsoa)
    # postcodes outside all polygons (no grid ref or just outside the LA):
    # nearest LSOA21 centroid in England
    cent = pd.read_csv(SHARED / "ons" / "lsoa_latlong_england_2011_2021.csv")
    cent = cent.drop_duplicates("LSOACD")
    has_xy = pc["easting"].notna() & (pc["easting"] > 0)
    todo = missing & has_xy.to_numpy()
    if todo.any():
        cpts = shapely.points(cent["longitude"].to_numpy(), cent["latitude"].to_numpy())
        ctree = shapely.STRtree(cpts)
        near = ctree.nearest(pts[todo])
        lsoa[todo] = cent["LSOACD"].to_numpy()[near]
    out = pd.DataFrame(
        {
            # ONSPD 7-character form has no space for 4-character outward codes
            "postcode": pc["postcode"].map(normalise_postcode),
            "lsoa21_code": lsoa,
            "latitude": np.where(has_xy, pc["latitude"], np.nan),
            "longitude": np.where(has_xy, pc["longitude"], np.nan),
            "lad_code": pc["lad_code"],
        }
    )
    path = OUT / "postcode_lsoa21.csv"
    out.to_csv(path, index=False)
    print(
        f"postcodes: {len(out)} rows, {int(missing.sum())} outside polygons "
        f"({int(todo.sum())} placed by nearest centroid), {int((~has_xy).sum())} without grid ref"
    )
    return path


SUPPRESSION = {"c", "x", "z", ":", "-", "low", "na", "n/a", "", ".", "u"}


def to_num(series) -> pd.Series:
    """Published text numbers -> float; suppression/missing codes -> NaN."""
    s = pd.Series(series, dtype="string").str.strip()
    s = s.where(~s.str.lower().isin(SUPPRESSION))
    s = s.str.replace(",", "", regex=False)
    return pd.to_numeric(s, errors="coerce")


def _pct(num, den):
    num, den = to_num(num), to_num(den)
    return (100 * num / den.where(den > 0)).astype(float)


# ---------------------------------------------------------------------------
# LA lookup
# ---------------------------------------------------------------------------
# predecessor ONS code -> (old_la_code, name, successor current codes)
PREDECESSORS = {
    "E10000009": ("835", "Dorset (pre-2019 county)", ["E06000059"]),
    "E06000028": ("837", "Bournemouth (pre-2019)", ["E06000058"]),
    "E06000029": ("836", "Poole (pre-2019)", ["E06000058"]),
    "E10000021": ("928", "Northamptonshire (pre-2021 county)", ["E06000061", "E06000062"]),
    "E10000006": ("909", "Cumbria (pre-2023 county)", ["E06000063", "E06000064"]),
    "E10000023": ("815", "North Yorkshire (pre-2023 county code)", ["E06000065"]),
    "E10000027": ("933", "Somerset (pre-2023 county code)", ["E06000066"]),
    "E06000048": ("929", "Northumberland (pre-2020 code)", ["E06000057"]),
    "E08000020": ("390", "Gateshead (pre-2013 code)", ["E08000037"]),
    "E10000002": ("825", "Buckinghamshire (pre-2020 county)", ["E06000060"]),
    # abolished 2009 before GSS codes existed; published with code '.'
    "pre2009-875": ("875", "Cheshire (pre-2009 county)", ["E06000049", "E06000050"]),
    "pre2009-820": ("820", "Bedfordshire (pre-2009 county)", ["E06000055", "E06000056"]),
}
PRE2009 = {"875": "pre2009-875", "820": "pre2009-820"}
# LA numbers of reorganised areas that do not map 1:1 to a current LA
NOT_ONE_TO_ONE_OLD = {"835", "836", "837", "928", "909", "875", "820"}


def build_la_lookup() -> pd.DataFrame:
    d = pd.read_csv(SHARED / "dfe" / "attendance_ytd_la_202526.csv", dtype=str)
    la = d[d.geographic_level == "Local authority"][
        ["new_la_code", "old_la_code", "la_name", "region_code", "region_name"]
    ].drop_duplicates()
    la = la.rename(columns={"new_la_code": "la_code"})
    buc = _read_geojson(SHARED / "ons" / "england_upper_tier_la_2023_buc.geojson")
    buc_codes = {f["properties"]["la_code"] for f in buc["features"]}
    assert set(la.la_code) == buc_codes and len(la) == 153, (len(la), set(la.la_code) ^ buc_codes)
    la["is_current"] = True
    la["successor_la_codes"] = la["la_code"]
    reg = dict(zip(la.old_la_code, zip(la.region_code, la.region_name)))
    rows = []
    for code, (old, name, succ) in PREDECESSORS.items():
        r = reg.get(old) or reg[la.set_index("la_code").loc[succ[0], "old_la_code"]]
        rows.append(
            dict(
                la_code=code,
                old_la_code=old,
                la_name=name,
                region_code=r[0],
                region_name=r[1],
                is_current=False,
                successor_la_codes=",".join(succ),
            )
        )
    out = pd.concat([la, pd.DataFrame(rows)], ignore_index=True)
    out["old_la_code"] = out["old_la_code"].astype(int)
    out = out.sort_values(["is_current", "la_name"], ascending=[False, True])
    out.to_csv(OUT / "la_lookup.csv", index=False)
    print("la_lookup:", len(out))
    return out


def _la_maps():
    lk = pd.read_csv(OUT / "la_lookup.csv", dtype=str)
    cur = lk[lk.is_current == "True"]
    by_old = dict(zip(cur.old_la_code, cur.la_code))
    return lk, by_old


def _resolve_la(old_codes, new_codes, by_old):
    """Current ONS code where the LA maps 1:1 to a current LA (via the stable
    DfE LA number), else the published (predecessor) ONS code."""
    old = pd.Series(old_codes, dtype="string").str.replace(r"\.0$", "", regex=True)
    new = pd.Series(new_codes, dtype="string")
    new = new.where(new.str.startswith("E").fillna(False), old.map(PRE2009))
    mapped = old.map(lambda o: None if (pd.isna(o) or o in NOT_ONE_TO_ONE_OLD) else by_old.get(o))
    return mapped.fillna(new), old


LEVELS = {"National": "National", "Regional": "Regional", "Local authority": "Local authority"}
BENCH_COLS = [
    "collection",
    "source_file",
    "time_period",
    "period_label",
    "geographic_level",
    "la_code",
    "old_la_code",
    "la_name",
    "region_code",
    "region_name",
    "phase",
    "enrolments",
    "possible_sessions",
    "authorised_sessions",
    "unauthorised_sessions",
    "aea_sessions",
    "overall_absence_rate",
    "authorised_absence_rate",
    "unauthorised_absence_rate",
    "attendance_rate",
    "pa_enrolments",
    "persistent_absence_rate",
    "severe_absence_rate",
    "illness_rate",
    "medical_rate",
    "unauthorised_holiday_rate",
    "other_unauthorised_rate",
    "not_yet_known_rate",
    "late_after_close_rate",
    "part_time_rate",
]


def _label(tp: int) -> str:
    return f"{tp}/{str(tp + 1)[-2:]}"


def _geo(df, by_old):
    """Common geography columns for DfE EES-style files."""
    lvl = df["geographic_level"]
    la_code, old = _resolve_la(df["old_la_code"], df["new_la_code"], by_old)
    la_code = la_code.where(lvl == "Local authority")
    la_code = la_code.fillna(
        pd.Series(np.where(lvl == "National", "E92000001", df["region_code"]), index=df.index)
    )
    name = pd.Series(
        np.where(lvl == "National", "England", np.where(lvl == "Regional", df["region_name"], df["la_name"])),
        index=df.index,
    )
    return pd.DataFrame(
        {
            "geographic_level": lvl.values,
            "la_code": la_code.values,
            "old_la_code": pd.to_numeric(old.where(lvl == "Local authority"), errors="coerce")
            .astype("Int64")
            .values,
            "la_name": name.values,
            "region_code": df["region_code"].where(lvl != "National").values,
            "region_name": df["region_name"].where(lvl != "National").values,
        },
        index=df.index,
    )


def _daily_ytd(path: Path, by_old) -> pd.DataFrame:
    d = pd.read_csv(path, dtype=str, keep_default_na=False)
    ph = "school_type" if "school_type" in d.columns else "education_phase"
    tp = int(str(d["time_period"].iloc[0])[:4])
    g = _geo(d, by_old)
    poss = to_num(d["possible_sessions"])

    def col(c):
        return to_num(d[c]) if c in d.columns else pd.Series(np.nan, index=d.index)

    out = g.assign(
        collection="daily",
        source_file=path.name,
        time_period=tp,
        period_label=_label(tp),
        phase=d[ph].values,
        enrolments=col("enrolments"),
        possible_sessions=poss,
        authorised_sessions=col("authorised_absence"),
        unauthorised_sessions=col("unauthorised_absence"),
        aea_sessions=col("approved_educational_activity"),
        present_sessions=col("present_sessions"),
        illness=col("reason_i_authorised_illness"),
        medical=col("reason_m_authorised_medical_dental"),
        uhol=col("reason_g_unauthorised_holiday"),
        uoth=col("reason_o_other_unauthorised"),
        unyk=col("reason_n_no_reason_yet"),
        ulate=col("reason_u_unauthorised_late_after_registers_closed"),
        ptt=col("reason_c2_authorised_temp_reduced_timetable"),
        persistent_absence_rate=col("pa_perc"),
    )
    # LA 'Total' rows are not published before 2025/26: sum the phases
    # (sessions only; PA cannot be derived without pupil-level data).
    la = out[out.geographic_level == "Local authority"]
    have_total = set(la.loc[la.phase == "Total", "la_code"])
    sums = [
        "enrolments",
        "possible_sessions",
        "authorised_sessions",
        "unauthorised_sessions",
        "aea_sessions",
        "present_sessions",
        "illness",
        "medical",
        "uhol",
        "uoth",
        "unyk",
        "ulate",
        "ptt",
    ]
    parts = la[(la.phase != "Total") & ~la.la_code.isin(have_total)]
    if len(parts):
        keys = ["geographic_level", "la_code", "old_la_code", "la_name", "region_code", "region_name"]
        agg = parts.groupby(keys, dropna=False)[sums].sum(min_count=1)
        # any suppressed phase -> whole total unknown
        anyna = parts.groupby(keys, dropna=False)[["possible_sessions"]].agg(lambda s: s.isna().any())
        bad = anyna["possible_sessions"].to_numpy(dtype=bool)
        agg.loc[bad, :] = np.nan
        agg = agg.reset_index().assign(
            collection="daily",
            source_file=path.name + " (LA Total = sum of published phases)",
            time_period=tp,
            period_label=_label(tp),
            phase="Total",
            persistent_absence_rate=np.nan,
        )
        out = pd.concat([out, agg], ignore_index=True)
    P = out["possible_sessions"].where(out["possible_sessions"] > 0)

    def r(c):
        return 100 * out[c] / P

    out["overall_absence_rate"] = 100 * (out.authorised_sessions + out.unauthorised_sessions) / P
    out["authorised_absence_rate"] = r("authorised_sessions")
    out["unauthorised_absence_rate"] = r("unauthorised_sessions")
    out["attendance_rate"] = 100 * (out.present_sessions + out.aea_sessions) / P
    out["illness_rate"], out["medical_rate"] = r("illness"), r("medical")
    out["unauthorised_holiday_rate"], out["other_unauthorised_rate"] = r("uhol"), r("uoth")
    out["not_yet_known_rate"], out["late_after_close_rate"] = r("unyk"), r("ulate")
    out["part_time_rate"] = r("ptt")
    # The daily-collection files publish unrounded rates. For every LA/phase
    # row they equal the count ratios, but for the National/Regional 'Total'
    # rows of 2022/23-2024/25 they do not (7.53% published vs 7.46% from the
    # published counts in 2022/23): DfE's headline is the published rate, so
    # published rates win and the count ratio is the fallback (e.g. for the
    # LA totals we derive by summing phases).
    pub = {
        "overall_absence_rate": "overall_absence_perc",
        "authorised_absence_rate": "authorised_absence_perc",
        "unauthorised_absence_rate": "unauthorised_absence_perc",
        "attendance_rate": "attendance_perc",
        "illness_rate": "illness_perc",
        "medical_rate": "appointments_perc",
        "unauthorised_holiday_rate": "unauth_hol_perc",
        "other_unauthorised_rate": "unauth_oth_perc",
        "not_yet_known_rate": "unauth_not_yet_perc",
        "late_after_close_rate": "unauth_late_registers_closed_perc",
        "part_time_rate": "auth_part_time_perc",
    }
    n = len(d)
    for ours, theirs in pub.items():
        if theirs in d.columns:
            v = to_num(d[theirs]).to_numpy()
            cur = out[ours].to_numpy(copy=True)
            cur[:n] = np.where(np.isnan(v), cur[:n], v)
            out[ours] = cur
    out["pa_enrolments"] = np.nan
    out["severe_absence_rate"] = np.nan
    return out.reindex(columns=BENCH_COLS)


CENSUS_PHASE = {
    "Total": "Total",
    "State-funded primary": "Primary",
    "State-funded secondary": "Secondary",
    "Special": "Special",
}


def _bands(by_old) -> pd.DataFrame:
    b = pd.read_parquet(SHARED / "dfe" / "absence_bands_distributions_201617_202223.parquet")
    return b


def _bands_phase_totals(b, by_old) -> pd.DataFrame:
    """PA (10%+) and SA (50%+) enrolment counts by year, area and phase."""
    bands = [c for c in b.columns if c.startswith("enrol_oa_")]
    pa_bands = [c for c in bands if c not in ("enrol_oa_0_5", "enrol_oa_5_10")]
    g = _geo(b, by_old)
    x = pd.concat(
        [
            g,
            pd.DataFrame(
                {
                    "time_period": b.time_period.str[:4].astype(int).values,
                    "phase": b.school_type.map(CENSUS_PHASE).values,
                    "enr": b[bands].sum(axis=1).values,
                    "pa": b[pa_bands].sum(axis=1).values,
                    "sa": b["enrol_oa_50_plus"].values,
                }
            ),
        ],
        axis=1,
    )
    keys = ["time_period", "geographic_level", "la_code"]
    ph = x.groupby(keys + ["phase"], dropna=False)[["enr", "pa", "sa"]].sum().reset_index()
    tot = x.groupby(keys, dropna=False)[["enr", "pa", "sa"]].sum().reset_index().assign(phase="Total")
    return pd.concat([ph, tot], ignore_index=True)


def _census_3term(by_old, bt) -> pd.DataFrame:
    f = SHARED / "dfe" / "absence_3term_200607_201819_nat_reg_la.csv"
    d = pd.read_csv(f, dtype=str, keep_default_na=False)
    g = _geo(d, by_old)
    tp = d["time_period"].str[:4].astype(int)

    def n(c):
        return to_num(d[c])

    P = n("sess_possible").where(n("sess_possible") > 0)

    def r(c):
        return 100 * n(c) / P

    out = g.assign(
        collection="census",
        source_file=f.name,
        time_period=tp.values,
        period_label=tp.map(_label).values,
        phase=d.school_type.map(CENSUS_PHASE).values,
        enrolments=n("enrolments"),
        possible_sessions=n("sess_possible"),
        authorised_sessions=n("sess_authorised"),
        unauthorised_sessions=n("sess_unauthorised"),
        aea_sessions=np.nan,
        overall_absence_rate=100 * (n("sess_authorised") + n("sess_unauthorised")) / P,
        authorised_absence_rate=r("sess_authorised"),
        unauthorised_absence_rate=r("sess_unauthorised"),
        pa_enrolments=n("enrolments_pa_10_exact"),
        persistent_absence_rate=100
        * n("enrolments_pa_10_exact")
        / n("enrolments").where(n("enrolments") > 0),
        illness_rate=r("sess_auth_illness"),
        medical_rate=r("sess_auth_appointments"),
        unauthorised_holiday_rate=r("sess_unauth_holiday"),
        other_unauthorised_rate=r("sess_unauth_other"),
        not_yet_known_rate=r("sess_unauth_noyet"),
        late_after_close_rate=r("sess_unauth_late"),
        part_time_rate=np.nan,
    )
    out["attendance_rate"] = 100 - out["overall_absence_rate"]
    # severe absence from the bands file (2016/17 - 2018/19)
    sa = bt.assign(sa_rate=100 * bt.sa / bt.enr)[
        ["time_period", "geographic_level", "la_code", "phase", "sa_rate"]
    ]
    out = out.merge(sa, on=["time_period", "geographic_level", "la_code", "phase"], how="left")
    out["severe_absence_rate"] = out.pop("sa_rate")
    return out.reindex(columns=BENCH_COLS)


LAIT_MEASURES = {  # phase -> (overall, authorised, unauthorised, PA, SA)
    "Total": ("TotAbs", "TotAuthAbs", "TotUnAuthAbs", "TotPerAbNew", "TotSevPerAbNew"),
    "Primary": ("PriTotAbs", None, None, "SFPriPerAbNew", "SFPriSevPerAbNew"),
    "Secondary": ("SecTotAbs", None, None, "SFSecPerAbNew", "SFSecSevPerAbNew"),
    "Special": (None, None, None, "SpecPerAbNew", "SpecSevPerAbNew"),
}
LAIT_REGIONS = {
    980: ("E12000001", "North East"),
    981: ("E12000002", "North West"),
    982: ("E12000003", "Yorkshire and The Humber"),
    983: ("E12000004", "East Midlands"),
    984: ("E12000005", "West Midlands"),
    985: ("E12000006", "East of England"),
    986: ("E12000007", "London"),
    987: ("E13000001", "Inner London"),
    988: ("E13000002", "Outer London"),
    989: ("E12000008", "South East"),
    990: ("E12000009", "South West"),
}


def _census_lait(lk, by_old, bt, first_year=2019) -> pd.DataFrame:
    """Census absence 2019/20 onwards from LAIT (rates only, 2 dp); PA/SA
    recomputed from the bands file counts where it covers the year."""
    f = SHARED / "lait" / "lait_bds_long.parquet"
    d = pd.read_parquet(f)
    codes = {m for t in LAIT_MEASURES.values() for m in t if m}
    d = d[d["Short Desc"].isin(codes)].copy()
    d["time_period"] = d["Years"].astype(int) - 1
    d = d[d.time_period >= first_year]
    d["v"] = to_num(d["Values"])
    d["num"] = d["LA Number"].astype(int)
    wide = d.pivot_table(
        index=["num", "LA and Regions", "time_period"], columns="Short Desc", values="v", aggfunc="first"
    ).reset_index()
    lk.drop_duplicates("old_la_code").set_index("old_la_code")
    frames = []
    for phase, (oa, au, un, pa, sa) in LAIT_MEASURES.items():
        w = wide

        def g(c, w=w):
            return w[c] if (c and c in w) else pd.Series(np.nan, index=w.index)

        frames.append(
            pd.DataFrame(
                {
                    "num": w.num,
                    "lait_name": w["LA and Regions"],
                    "time_period": w.time_period,
                    "phase": phase,
                    "overall_absence_rate": g(oa),
                    "authorised_absence_rate": g(au),
                    "unauthorised_absence_rate": g(un),
                    "persistent_absence_rate": g(pa),
                    "severe_absence_rate": g(sa),
                }
            )
        )
    x = pd.concat(frames, ignore_index=True)
    x = x.dropna(subset=["overall_absence_rate", "persistent_absence_rate", "severe_absence_rate"], how="all")
    lvl, code, old, name, rc, rn = [], [], [], [], [], []
    for num, _lname in zip(x.num, x.lait_name):
        if num == 970:
            lvl.append("National")
            code.append("E92000001")
            old.append(pd.NA)
            name.append("England")
            rc.append(None)
            rn.append(None)
        elif num in LAIT_REGIONS:
            c, n_ = LAIT_REGIONS[num]
            lvl.append("Regional")
            code.append(c)
            old.append(pd.NA)
            name.append(n_)
            rc.append(c)
            rn.append(n_)
        else:
            s = str(num)
            cur = None if s in NOT_ONE_TO_ONE_OLD else by_old.get(s)
            if cur is None:
                cur = lk[(lk.old_la_code == s) & (lk.is_current == "False")].la_code.iloc[0]
            row = lk[lk.la_code == cur].iloc[0]
            lvl.append("Local authority")
            code.append(cur)
            old.append(num)
            name.append(row.la_name)
            rc.append(row.region_code)
            rn.append(row.region_name)
    x = x.assign(
        geographic_level=lvl,
        la_code=code,
        old_la_code=pd.array(old, dtype="Int64"),
        la_name=name,
        region_code=rc,
        region_name=rn,
    )
    x["attendance_rate"] = 100 - x["overall_absence_rate"]
    x = x.merge(
        bt.rename(columns={"enr": "b_enr", "pa": "b_pa", "sa": "b_sa"}),
        on=["time_period", "geographic_level", "la_code", "phase"],
        how="left",
    )
    hb = x.b_enr > 0
    x.loc[hb, "enrolments"] = x.loc[hb, "b_enr"]
    x.loc[hb, "pa_enrolments"] = x.loc[hb, "b_pa"]
    x.loc[hb, "persistent_absence_rate"] = 100 * x.b_pa[hb] / x.b_enr[hb]
    x.loc[hb, "severe_absence_rate"] = 100 * x.b_sa[hb] / x.b_enr[hb]
    x["collection"] = "census"
    x["source_file"] = np.where(
        hb, f.name + " + absence_bands_distributions_201617_202223.parquet (PA, SA)", f.name
    )
    x["period_label"] = x.time_period.map(_label)
    return x.reindex(columns=BENCH_COLS)


def build_bench() -> None:
    lk, by_old = _la_maps()
    frames = [_daily_ytd(p, by_old) for p in sorted((SHARED / "dfe").glob("attendance_ytd_la_*.csv"))]
    b = _bands(by_old)
    bt = _bands_phase_totals(b, by_old)
    frames.append(_census_3term(by_old, bt))
    frames.append(_census_lait(lk, by_old, bt))
    out = pd.concat(frames, ignore_index=True)
    out["time_period"] = out["time_period"].astype(int)
    out["old_la_code"] = out["old_la_code"].astype("Int64")
    for c in BENCH_COLS[11:]:
        out[c] = out[c].astype(float)
    dup = out.duplicated(["collection", "time_period", "geographic_level", "la_code", "phase"], keep=False)
    assert not dup.any(), out[dup].head(20)
    out.to_parquet(OUT / "bench_la_year.parquet", index=False)
    print("bench_la_year:", len(out))
    build_cohort(b, by_old)
    build_weekly(by_old)


def build_cohort(b, by_old) -> None:
    bands = [c for c in b.columns if c.startswith("enrol_oa_")]
    pa_bands = [c for c in bands if c not in ("enrol_oa_0_5", "enrol_oa_5_10")]
    g = _geo(b, by_old)
    x = pd.concat(
        [
            g[["geographic_level", "la_code"]],
            pd.DataFrame(
                {
                    "time_period": b.time_period.str[:4].astype(int).values,
                    "fsm": b.fsm_eligible.values,
                    "sen": b.sen_status.values,
                    "sex": b.sex.values,
                    "year_group": b.nc_year.values,
                    "enrolments": b[bands].sum(axis=1).values,
                    "pa_enrolments": b[pa_bands].sum(axis=1).values,
                    "sa_enrolments": b["enrol_oa_50_plus"].values,
                }
            ),
        ],
        axis=1,
    )
    frames = []
    for br in ["fsm", "sen", "sex", "year_group"]:
        a = (
            x.groupby(["time_period", "geographic_level", "la_code", br])[
                ["enrolments", "pa_enrolments", "sa_enrolments"]
            ]
            .sum()
            .reset_index()
        )
        frames.append(a.rename(columns={br: "group_label"}).assign(breakdown=br))
    out = pd.concat(frames, ignore_index=True)
    out["collection"] = "census"
    den = out.enrolments.where(out.enrolments > 0)
    out["persistent_absence_rate"] = 100 * out.pa_enrolments / den
    out["severe_absence_rate"] = 100 * out.sa_enrolments / den
    out = out[
        [
            "collection",
            "time_period",
            "geographic_level",
            "la_code",
            "breakdown",
            "group_label",
            "enrolments",
            "pa_enrolments",
            "sa_enrolments",
            "persistent_absence_rate",
            "severe_absence_rate",
        ]
    ]
    out.to_parquet(OUT / "bench_cohort.parquet", index=False)
    print("bench_cohort:", len(out))


def build_weekly(by_old) -> None:
    frames = []
    for p in sorted((SHARED / "dfe").glob("attendance_daily_weekly_la_*.csv")):
        d = pd.read_csv(p, dtype=str, keep_default_na=False)
        d = d[d.breakdown == "Weekly"].copy()
        ph = "school_type" if "school_type" in d.columns else "education_phase"
        wk = pd.to_datetime(d["week_commencing"], format="mixed", dayfirst=True)
        tp = np.where(wk.dt.month >= 8, wk.dt.year, wk.dt.year - 1)
        g = _geo(d, by_old)
        P = to_num(d.possible_sessions)
        P = P.where(P > 0)
        au, un = to_num(d.authorised_absence), to_num(d.unauthorised_absence)
        frames.append(
            pd.DataFrame(
                {
                    "collection": "daily",
                    "source_file": p.name,
                    "time_period": tp,
                    "week_start": wk.dt.date,
                    "geographic_level": g.geographic_level,
                    "la_code": g.la_code,
                    "phase": d[ph],
                    "possible_sessions": P,
                    "overall_absence_rate": 100 * (au + un) / P,
                    "authorised_absence_rate": 100 * au / P,
                    "unauthorised_absence_rate": 100 * un / P,
                    "attendance_rate": 100
                    * (to_num(d.present_sessions) + to_num(d.approved_educational_activity))
                    / P,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.to_parquet(OUT / "bench_weekly.parquet", index=False)
    print("bench_weekly:", len(out))


def build_stat_neighbours() -> None:
    lk, by_old = _la_maps()
    frames = []
    for model, f in [
        ("May 2025", "statistical_neighbours_may2025.csv"),
        ("April 2021", "statistical_neighbours_april2021.csv"),
    ]:
        d = pd.read_csv(SHARED / "sn" / f, dtype=str)
        pred = lk[lk.is_current == "False"].drop_duplicates("old_la_code").set_index("old_la_code").la_code

        def code(o, pred=pred):
            if o not in NOT_ONE_TO_ONE_OLD and o in by_old:
                return by_old[o]
            return pred.get(o)

        frames.append(
            pd.DataFrame(
                {
                    "model": model,
                    "la_code": d.old_la_code.map(code),
                    "old_la_code": d.old_la_code.astype(int),
                    "la_name": d.la_name,
                    "rank": d.sn_rank.astype(int),
                    "neighbour_la_code": d.sn_old_la_code.map(code),
                    "neighbour_old_la_code": d.sn_old_la_code.astype(int),
                    "neighbour_name": d.sn_la_name,
                    "closeness": d.closeness.str.strip().str.capitalize(),
                    "section": d.section,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.to_csv(OUT / "stat_neighbours.csv", index=False)
    print(
        "stat_neighbours:",
        len(out),
        "unmapped:",
        int(out.la_code.isna().sum() + out.neighbour_la_code.isna().sum()),
    )


def build_geo_neighbours(tol_m: float = 200.0) -> None:
    import shapely
    from shapely.geometry import shape

    feats = _read_geojson(SHARED / "ons" / "england_upper_tier_la_2023_buc.geojson")["features"]
    codes = [f["properties"]["la_code"] for f in feats]
    names = dict(zip(codes, [f["properties"]["la_name"] for f in feats]))
    k = math.cos(math.radians(52.5))
    geoms = [
        shapely.transform(shape(f["geometry"]), lambda a: a * np.array([111320 * k, 110540])) for f in feats
    ]
    geoms = [shapely.make_valid(g) for g in geoms]
    buf = [g.buffer(tol_m / 2) for g in geoms]
    tree = shapely.STRtree(buf)
    rows = []
    for i, g in enumerate(buf):
        for j in tree.query(g, predicate="intersects"):
            if i != j:
                rows.append((codes[i], codes[j], names[codes[j]]))
    out = pd.DataFrame(rows, columns=["la_code", "neighbour_la_code", "neighbour_name"]).sort_values(
        ["la_code", "neighbour_name"]
    )
    out.to_csv(OUT / "geo_neighbours.csv", index=False)
    print("geo_neighbours:", len(out), "Dudley:", out[out.la_code == "E08000027"].neighbour_name.tolist())


def build_lsoa21() -> None:
    import shapely
    from shapely.geometry import shape

    imd = pd.read_csv(
        SHARED / "imd" / "imd2025_england_lsoa21.csv", usecols=["lsoa21_code", "IMD_decile", "IMD_rank"]
    )
    ll = pd.read_csv(SHARED / "ons" / "lsoa_latlong_england_2011_2021.csv").drop_duplicates("LSOACD")
    df = imd.merge(
        ll[["LSOACD", "latitude", "longitude"]], left_on="lsoa21_code", right_on="LSOACD", how="left"
    ).drop(columns="LSOACD")
    # LAD (Dec 2024) by centroid in simplified LAD boundaries (best fit), nearest fallback
    lads = _read_geojson(SHARED / "ons" / "lad_dec_2024_england_simplified.geojson")["features"]
    lcode = np.array([f["properties"]["lad24_code"] for f in lads])
    lg = [shape(f["geometry"]) for f in lads]
    tree = shapely.STRtree(lg)
    pts = shapely.points(df.longitude.to_numpy(), df.latitude.to_numpy())
    ok = ~df.latitude.isna().to_numpy()
    lad = np.full(len(df), None, dtype=object)
    pi, gi = tree.query(pts[ok], predicate="within")
    idx = np.flatnonzero(ok)
    lad[idx[pi]] = lcode[gi]
    miss = ok & pd.isna(lad)
    if miss.any():
        lad[miss] = lcode[tree.nearest(pts[miss])]
    df["la_code"] = lad
    df["lsoa21_name"] = None
    df["ward_code"] = None
    df["ward_name"] = None
    # authoritative for the three LAs with full LSOA21 boundaries + ward lookup
    w = pd.read_csv(
        SHARED / "ons" / "la_boundaries" / "lsoa21_to_ward25_pointinpolygon_dudley_herefordshire_trafford.csv"
    )
    w = w.set_index("lsoa21_code")
    m = df.lsoa21_code.isin(w.index)
    df.loc[m, "lsoa21_name"] = df.loc[m, "lsoa21_code"].map(w.lsoa21_name)
    df.loc[m, "la_code"] = df.loc[m, "lsoa21_code"].map(w.lad_code)
    df.loc[m, "ward_code"] = df.loc[m, "lsoa21_code"].map(w.ward25_code)
    df.loc[m, "ward_name"] = df.loc[m, "lsoa21_code"].map(w.ward25_name)
    # upper-tier LA
    ac = pd.read_csv(SHARED / "ons" / "la_all_codes.csv", dtype=str)
    ut = dict(zip(ac.LADCD, ac.UTLACD))
    df["utla_code"] = df.la_code.map(ut)
    df = df.rename(columns={"IMD_decile": "imd_decile", "IMD_rank": "imd_rank"})
    df = df[
        [
            "lsoa21_code",
            "lsoa21_name",
            "la_code",
            "utla_code",
            "ward_code",
            "ward_name",
            "imd_decile",
            "imd_rank",
            "latitude",
            "longitude",
        ]
    ]
    df["latitude"] = df.latitude.round(6)
    df["longitude"] = df.longitude.round(6)
    df.to_parquet(OUT / "lsoa21.parquet", index=False)
    print(
        "lsoa21:",
        len(df),
        "no latlong:",
        int((~ok).sum()),
        "nearest-LAD:",
        int(miss.sum()),
        "no utla:",
        int(df.utla_code.isna().sum()),
    )


def build_boundaries() -> None:
    BOUNDS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        SHARED / "ons" / "england_upper_tier_la_2023_buc.geojson",
        BOUNDS / "england_upper_tier_la_2023_buc.geojson",
    )
    for kind in ("lsoa21", "ward25"):
        for name, code in THREE_LAS.items():
            f = f"{kind}_{name}_{code}.geojson"
            shutil.copyfile(SHARED / "ons" / "la_boundaries" / f, BOUNDS / f"{kind}_{code}.geojson")
    print("boundaries copied")


STEPS = {
    "postcodes": build_postcodes,
    "la_lookup": build_la_lookup,
    "lsoa21": build_lsoa21,
    "boundaries": build_boundaries,
    "geo_neighbours": build_geo_neighbours,
    "stat_neighbours": build_stat_neighbours,
    "bench": build_bench,
}


def main(argv=None):
    argv = argv if argv is not None else sys.argv[1:]
    OUT.mkdir(parents=True, exist_ok=True)
    steps = argv or list(STEPS)
    for s in steps:
        STEPS[s]()


if __name__ == "__main__":
    main()
