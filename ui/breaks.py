"""Series breaks on trend charts: a published series is drawn in comparable stretches (no line
across a change of coverage, a year not collected or a partial year), each break marked and
named, from the catalogue's collections."""

from __future__ import annotations

import pandas as pd

import catalogue


def with_gaps(df: pd.DataFrame, collection: str) -> pd.DataFrame:
    """Rows of one series (time_period, period_label, value), with a row for every year in its
    span (value NaN where nothing is published) and `segment`: the comparable stretch."""
    col = catalogue.collections()[collection]
    if df.empty:
        return df.assign(segment=pd.Series(dtype=int))
    years = range(int(df["time_period"].min()), int(df["time_period"].max()) + 1)
    full = pd.DataFrame({"time_period": list(years)})
    out = full.merge(df, on="time_period", how="left")
    out["period_label"] = out["time_period"].map(lambda y: f"{y}/{(y + 1) % 100:02d}")
    out["segment"] = out["time_period"].map(col.segment)
    return out


def notes(years, collection: str) -> dict[int, str]:
    """{year: the break's label} for the breaks that fall inside the years shown."""
    col = catalogue.collections()[collection]
    shown = set(int(y) for y in years)
    return {b.year: b.label for b in col.breaks if b.year in shown}


def mark(fig, years, collection: str) -> None:
    """A dotted vertical line and a short label at each break inside the years shown (the
    x axis being the academic-year labels)."""
    for year, label in notes(years, collection).items():
        x = f"{year}/{(year + 1) % 100:02d}"
        fig.add_vline(x=x, line_dash="dot", line_color="#505a5f", line_width=1)
        fig.add_annotation(
            x=x,
            y=1,
            yref="paper",
            text=label.split(":")[0] + " break",
            showarrow=False,
            yanchor="bottom",
            font=dict(size=11, color="#0b0c0c"),
        )


def trend_sentence_span(series: pd.DataFrame, collection: str) -> pd.DataFrame:
    """The rows of the latest comparable stretch with a figure: a trend sentence reads across
    these only."""
    s = series.dropna(subset=["value"]).sort_values("time_period")
    if s.empty:
        return s
    col = catalogue.collections()[collection]
    last = col.segment(int(s["time_period"].iloc[-1]))
    return s[s["time_period"].map(col.segment) == last]
