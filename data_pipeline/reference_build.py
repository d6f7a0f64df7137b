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
        return b * F0 * (
            (1 + nn + 1.25 * nn**2 + 1.25 * nn**3) * (lat - _LAT0)
            - (3 * nn + 3 * nn**2 + 21 / 8 * nn**3) * np.sin(lat - _LAT0) * np.cos(lat + _LAT0)
            + (15 / 8 * nn**2 + 15 / 8 * nn**3) * np.sin(2 * (lat - _LAT0)) * np.cos(2 * (lat + _LAT0))
            - 35 / 24 * nn**3 * np.sin(3 * (lat - _LAT0)) * np.cos(3 * (lat + _LAT0))
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
    out = pd.DataFrame({
        "postcode": pc["postcode"].str.upper().str.strip(),
        "lsoa21_code": lsoa,
        "latitude": np.where(has_xy, pc["latitude"], np.nan),
        "longitude": np.where(has_xy, pc["longitude"], np.nan),
        "lad_code": pc["lad_code"],
    })
    path = OUT / "postcode_lsoa21.csv"
    out.to_csv(path, index=False)
    print(f"postcodes: {len(out)} rows, {int(missing.sum())} outside polygons "
          f"({int(todo.sum())} placed by nearest centroid), {int((~has_xy).sum())} without grid ref")
    return path


STEPS = {"postcodes": build_postcodes}


def main(argv=None):
    argv = argv if argv is not None else sys.argv[1:]
    OUT.mkdir(parents=True, exist_ok=True)
    steps = argv or list(STEPS)
    for s in steps:
        STEPS[s]()


if __name__ == "__main__":
    main()
