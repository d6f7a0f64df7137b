"""Paths and settings, each overridable by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"


def default_db() -> Path:
    """The warehouse: data/attendance.duckdb unless ATTENDANCE_DB says otherwise."""
    return Path(os.environ.get("ATTENDANCE_DB", DATA_DIR / "attendance.duckdb"))


def default_demo_db() -> Path:
    """Where `demo` builds: data/demo.duckdb (ATTENDANCE_DEMO_DB overrides), never the real
    warehouse's default path, so a demo build cannot land on real returns by accident."""
    return Path(os.environ.get("ATTENDANCE_DEMO_DB", DATA_DIR / "demo.duckdb"))


# Counts under this are suppressed below LA level (DfE practice; configurable).
SUPPRESSION_THRESHOLD = int(os.environ.get("ATTENDANCE_SUPPRESSION_THRESHOLD", "5"))
# DfE's expected minimum school week, used to turn sessions into hours.
SCHOOL_WEEK_HOURS = float(os.environ.get("ATTENDANCE_SCHOOL_WEEK_HOURS", "32.5"))
# DuckDB memory cap for loads: keeps the largest LA under 4 GB peak.
LOAD_MEMORY_LIMIT = os.environ.get("ATTENDANCE_LOAD_MEMORY", "3GB")


def load_wait_seconds() -> float:
    """How long a load waits for another load of the same warehouse before failing."""
    return float(os.environ.get("ATTENDANCE_LOAD_WAIT", "3600"))
