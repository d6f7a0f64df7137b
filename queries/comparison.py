"""A figure's comparator as a thing, not a sentence: who it is, over which period, counted by
which rule, from which source; and, where no like-for-like figure exists, why not.

Pages, the meeting pack and exports name every comparison through `Comparator.title` and take
England only from `england()`, which refuses unlike pairs: a term against a full year, a year
against another year, a part of a year against a year-end figure."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import catalogue
from data_pipeline.codes import format_year

from . import WHOLE_LA, Period, run


@dataclass(frozen=True)
class Comparator:
    name: str  # "England", "the LA's primary schools", "this school, same weeks last year"
    period: str  # "2025/26 year to date"
    source: str  # "DfE daily attendance collection", "this LA's registers"
    rule: str | None = None  # the PA rule its PA and SA follow
    values: pd.Series | None = None
    why_not: str | None = None  # no like-for-like figure: why

    @property
    def title(self) -> str:
        return f"{self.name}, {self.period}, {self.source}"

    @property
    def available(self) -> bool:
        return self.values is not None and self.why_not is None

    def value(self, measure: str) -> float | None:
        if not self.available or measure not in self.values.index:
            return None
        v = self.values[measure]
        return None if v is None or pd.isna(v) else float(v)


# The LA's and schools' own PA and SA follow the census rule (every enrolment) unless set
# beside the daily collection: then the columns with this suffix, by the daily rule.
DAILY_RULE_SUFFIX = "_daily_rule"


def rule_label(rule: str) -> str:
    return catalogue.pa_rules()[rule].label


def daily_rule_column(measure: str) -> str:
    """The column holding a PA or SA figure by the daily collection's rule (others unchanged)."""
    return measure + DAILY_RULE_SUFFIX if catalogue.measure(measure).over_pupils else measure


def england(period: Period, bench_phase: str) -> Comparator:
    """England from DfE's daily collection for exactly this period, or the reason there is none."""
    col = catalogue.collections()["daily"]
    phase = "all phases" if bench_phase == "Total" else f"{bench_phase.lower()} schools"
    base = dict(
        name=f"England ({phase})",
        period=f"{format_year(period.academic_year)} year to date",
        source=col.label.lower(),
        rule=rule_label(col.pa_rule),
    )
    rows = run("england_headline_rates", WHOLE_LA, year=period.academic_year, bench_phase=bench_phase)
    if period.kind != "year":
        why = f"DfE publishes England's {col.label.lower()} for {col.periods.split(':')[0]}, not for {period.label}"
    elif rows.empty:
        why = f"England's {format_year(period.academic_year)} figures are not published in the reference data"
    elif not period.reaches_year_end:
        why = (
            f"England's figure is for the whole of {format_year(period.academic_year)}; this year to date "
            f"ends in the week of {period.week_to:%d %b %Y}, so the two do not cover the same weeks"
        )
    else:
        why = None
    return Comparator(**base, values=None if rows.empty else rows.iloc[0], why_not=why)


def with_england(head: pd.DataFrame, period: Period, bench_phase: str, sort: float = 5) -> pd.DataFrame:
    """A headline table (one row per comparison) with England's row added: its session rates,
    its PA and SA in the *_daily_rule columns only (its rule), or, where it has no figure for
    this period, no figures and a `note` saying why."""
    eng = england(period, bench_phase)
    row = {"comparison": eng.title, "sort": sort, "note": eng.why_not}
    if eng.available:
        for mid, m in catalogue.measures().items():
            v = eng.value(mid)
            if v is not None:
                row[daily_rule_column(mid) if m.over_pupils else mid] = v
    return pd.concat([head, pd.DataFrame([row])], ignore_index=True).sort_values("sort", kind="stable")
