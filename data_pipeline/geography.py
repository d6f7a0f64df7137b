"""Postcode handling: normalise UK postcodes and map them to LSOA 2021.

Reads only data/reference/postcode_lsoa21.csv (built by reference_build).
No postcode is ever stored in the warehouse; callers map and discard.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
POSTCODE_FILE = REFERENCE_DIR / "postcode_lsoa21.csv"

# outward code: A9, A99, AA9, AA99, A9A, AA9A (+ GIR 0AA); inward: 9AA
_PC = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$")


def normalise_postcode(s) -> str | None:
    """Upper case, one space before the 3-character inward code.

    Returns None if `s` is not shaped like a UK postcode.
    >>> normalise_postcode(" dy1  1hf ")
    'DY1 1HF'
    """
    if s is None or not isinstance(s, str):
        return None
    compact = re.sub(r"\s+", "", s).upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    m = _PC.match(compact)
    if not m:
        return None
    return f"{m.group(1)} {m.group(2)}"


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    with open(POSTCODE_FILE, newline="", encoding="utf-8") as fh:
        r = csv.DictReader(fh)
        return {row["postcode"]: row["lsoa21_code"] for row in r if row["lsoa21_code"]}


def postcodes_to_lsoa(postcodes: Iterable[str]) -> dict[str, str | None]:
    """Map each input postcode (as given) to its LSOA21 code, or None if the
    postcode is malformed or not in the shipped lookup (Dudley, Herefordshire,
    Trafford). Callers report the None ones."""
    lk = _lookup()
    out: dict[str, str | None] = {}
    for pc in postcodes:
        if pc in out:
            continue
        n = normalise_postcode(pc)
        out[pc] = lk.get(n) if n else None
    return out
