"""The catalogue: every measure, population, PA rule, collection and cohort dimension, defined
once (measures.toml, cohorts.toml) and read by the pipeline, the queries' callers, the pages,
the exports, the meeting pack and the technical notes. Ask of each figure which entry it is."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    short: str
    unit: str
    better: str  # "lower" | "higher"
    per: str  # "sessions" | "enrolments" | "total"
    definition: str
    count: str | None = None  # the pupils behind a rate over enrolments
    macro: str | None = None

    @property
    def low_is_good(self) -> bool:
        return self.better == "lower"

    @property
    def over_pupils(self) -> bool:
        return self.per == "enrolments"


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    definition: str
    min_possible: int = 0


@dataclass(frozen=True)
class Break:
    year: int
    kind: str  # "coverage" | "missing" | "partial"
    label: str
    note: str


@dataclass(frozen=True)
class Collection:
    id: str
    label: str
    long: str
    source: str
    pa_rule: str
    periods: str
    breaks: tuple[Break, ...] = ()

    def segment(self, year: int) -> int:
        """Which comparable stretch of the series a year belongs to: lines and trend
        sentences never run from one stretch into another."""
        starts = set()
        for b in self.breaks:
            starts.add(b.year)
            if b.kind in ("missing", "partial"):
                starts.add(b.year + 1)
        return sum(1 for y in starts if y <= year)

    def break_at(self, year: int) -> Break | None:
        return next((b for b in self.breaks if b.year == year), None)


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    short: str
    column: str
    national: str | None = None
    groups: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (key, label)


@cache
def _measures_file() -> dict:
    return tomllib.loads((HERE / "measures.toml").read_text())


@cache
def measures() -> dict[str, Measure]:
    return {m["id"]: Measure(**m) for m in _measures_file()["measure"]}


def measure(mid: str) -> Measure:
    return measures()[mid]


def headline() -> tuple[str, ...]:
    """The headline rates' ids, in the order headlines show them."""
    return tuple(_measures_file()["headline"])


def compared() -> tuple[str, ...]:
    """The four absence measures comparison bars set side by side."""
    return tuple(_measures_file()["compared"])


def labels(ids) -> dict[str, str]:
    """{id: label} for the given measures, in that order: a page's list of measures."""
    return {i: measure(i).label for i in ids}


@cache
def populations() -> dict[str, Rule]:
    return {k: Rule(k, **v) for k, v in _measures_file()["population"].items()}


@cache
def pa_rules() -> dict[str, Rule]:
    return {k: Rule(k, **v) for k, v in _measures_file()["pa_rule"].items()}


@cache
def collections() -> dict[str, Collection]:
    out = {}
    for k, v in _measures_file()["collection"].items():
        v = dict(v)
        breaks = tuple(Break(**b) for b in v.pop("break", []))
        out[k] = Collection(k, breaks=breaks, **v)
    return out


@cache
def dimensions() -> dict[str, Dimension]:
    raw = tomllib.loads((HERE / "cohorts.toml").read_text())["dimension"]
    return {
        d["id"]: Dimension(**{**d, "groups": tuple((g["key"], g["label"]) for g in d.get("groups", []))})
        for d in raw
    }


@cache
def column_labels() -> dict[str, str]:
    """{column: plain name} for tables people read: every measure by its short label, and the
    other columns (counts, groups, notes) by the catalogue's [columns] table."""
    return {**{m.id: m.short for m in measures().values()}, **_measures_file()["columns"]}


@dataclass(frozen=True)
class PupilList:
    query: str
    label: str
    span: str  # "period" | "year"
    rule: str  # markdown with {period}
    columns: dict[str, tuple[str, str]]  # column: (label, kind)

    def rule_for(self, period_label: str) -> str:
        return self.rule.format(period=period_label)


@cache
def pupil_lists() -> tuple[PupilList, ...]:
    raw = tomllib.loads((HERE / "pupil_lists.toml").read_text())["list"]
    return tuple(
        PupilList(**{**r, "columns": {k: tuple(v) for k, v in r.get("columns", {}).items()}}) for r in raw
    )
