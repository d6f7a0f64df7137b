"""Small-number suppression for aggregates below LA level (DfE practice: `c`).

`suppress(df, count_cols, rate_cols, threshold, group_cols)` returns a copy in which

- primary suppression: every count from 1 to threshold - 1 shows as 'c' (zeros are shown,
  as in DfE's statistics);
- rates (and anything else built on counts, e.g. a gap or a change) show as 'c' when a
  count they are built on is suppressed;
- a row whose denominator is suppressed has its numerators suppressed too
  (`rate_cols={"pa_rate": ("pa_enrolments", "enrolments")}`: numerator, then denominator);
- secondary suppression: the rows that share the values of `group_cols` form one breakdown
  whose cells add up to a total the viewer can see (or work out) elsewhere. When any cell of
  a breakdown is suppressed, the smallest cell still shown is suppressed too, so that
  the suppressed cells of a breakdown are never fewer than two, always include one cell of
  at least the threshold (so they never sum to a small number) and cannot be recovered by
  subtracting the shown cells from the total. `group_cols=()` treats the whole table as one
  breakdown; a list of tuples gives several breakdowns (both directions of a two-way
  table); `group_cols=None` switches secondary suppression off (only for tables whose rows
  do not add up to anything).

The rules repeat until nothing changes, so suppression in one breakdown (or of a
denominator) that creates a single suppressed cell in another is followed through.

Two forms of the result. Files (CSV, PDF, Excel, the HTML report) carry the published
convention: a withheld cell is the text 'c' (`suppress(...)`, the default). On screen a table
stays numeric (`suppress(..., numeric=True)`): a withheld cell is null, the column keeps its
number type (so it sorts as numbers and Arrow can send it), and the cells withheld are named
in `df.attrs["withheld"]` ({column: [index labels]}); `withheld(df)` reads them back as a mask,
the dashboard formats them as 'c' (ui.table_view) and `published(df)` turns such a frame into
the files' form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

SUPPRESSED = "c"


def _breakdowns(group_cols) -> list[tuple[str, ...]] | None:
    if group_cols is None:
        return None
    if isinstance(group_cols, str):
        return [(group_cols,)]
    cols = list(group_cols)
    if not cols:
        return [()]
    if all(isinstance(c, str) for c in cols):
        return [tuple(cols)]
    return [(c,) if isinstance(c, str) else tuple(c) for c in cols]


def _rate_sources(rate_cols, count_cols: Sequence[str]) -> dict[str, tuple[str, ...]]:
    if isinstance(rate_cols, Mapping):
        out = {}
        for rate, src in rate_cols.items():
            out[rate] = (src,) if isinstance(src, str) else tuple(src)
        return out
    return {r: tuple(count_cols) for r in (rate_cols or ())}


def suppression_mask(
    df: pd.DataFrame, count_cols: Sequence[str], rate_cols=(), threshold: int = 5, group_cols=()
) -> pd.DataFrame:
    """A boolean frame (same index, the count and rate columns): True where suppressed."""
    count_cols = [c for c in count_cols if c in df.columns]
    rates = {
        r: tuple(s for s in src if s in count_cols)
        for r, src in _rate_sources(rate_cols, count_cols).items()
        if r in df.columns
    }
    values = df[count_cols].apply(pd.to_numeric, errors="coerce")
    mask = pd.DataFrame(False, index=df.index, columns=count_cols + list(rates))
    for c in count_cols:
        mask[c] = (values[c] > 0) & (values[c] < threshold)
    # (numerator, denominator) pairs: a suppressed denominator hides the numerator
    pairs = [(src[0], src[-1]) for src in rates.values() if len(src) >= 2]
    breakdowns = _breakdowns(group_cols)
    changed = True
    while changed:
        changed = False
        for num, den in pairs:
            new = mask[den] & ~mask[num] & values[num].notna()
            if new.any():
                mask.loc[new, num] = True
                changed = True
        for cols in breakdowns or []:
            groups = (
                [df.index]
                if not cols
                else [g.index for _, g in df.groupby(list(cols), dropna=False, sort=False)]
            )
            for idx in groups:
                for c in count_cols:
                    m = mask.loc[idx, c]
                    if not m.any() or m.all():
                        continue
                    shown = values.loc[idx, c][~m].dropna()
                    if shown.empty:
                        continue
                    suppressed = values.loc[idx, c][m]
                    # at least two cells, at least one of them not small
                    if m.sum() >= 2 and (suppressed >= threshold).any():
                        continue
                    mask.loc[shown.sort_values(kind="stable").index[0], c] = True
                    changed = True
    for r, src in rates.items():
        mask[r] = mask[list(src)].any(axis=1) if src else False
    return mask


def suppress(
    df: pd.DataFrame,
    count_cols: Iterable[str],
    rate_cols=(),
    threshold: int = 5,
    group_cols=(),
    *,
    numeric: bool = False,
) -> pd.DataFrame:
    """A copy of df with small counts (and the rates built on them) shown as 'c'; with
    `numeric`, null instead, the cells named in attrs["withheld"] (the module's docstring)."""
    count_cols = list(count_cols)
    out = df.copy()
    if out.empty or threshold <= 1:
        return out
    mask = suppression_mask(out, count_cols, rate_cols, threshold, group_cols)
    cells: dict[str, list] = {}
    whole: list[str] = []
    for col in mask.columns:
        if mask[col].any():
            if numeric:
                if pd.api.types.is_integer_dtype(out[col]):
                    whole.append(col)  # counts: published and shown without decimals
                out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
                out.loc[mask[col], col] = float("nan")
                cells[col] = out.index[mask[col]].tolist()
            else:
                out[col] = out[col].astype(object)
                out.loc[mask[col], col] = SUPPRESSED
    out.attrs["suppressed"] = True
    if numeric:
        out.attrs["withheld"] = cells
        out.attrs["whole_numbers"] = whole
    return out


def rename(df: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """df.rename(columns=...) that keeps the withheld cells (attrs) under the new names."""
    out = df.rename(columns=columns)
    for key in ("withheld", "whole_numbers"):
        held = df.attrs.get(key)
        if isinstance(held, dict):
            out.attrs[key] = {columns.get(c, c): rows for c, rows in held.items()}
        elif held is not None:
            out.attrs[key] = [columns.get(c, c) for c in held]
    return out


def withheld(df: pd.DataFrame) -> pd.DataFrame:
    """True where a cell is withheld: named in attrs["withheld"] (a numeric frame) or the text
    'c' (a published one). Rows or columns a frame no longer has are ignored."""
    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    for col, rows in (df.attrs.get("withheld") or {}).items():
        if col in mask.columns:
            mask.loc[mask.index.isin(rows), col] = True
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            mask[col] |= df[col].map(lambda v: isinstance(v, str) and v == SUPPRESSED).astype(bool)
    return mask


def published(df: pd.DataFrame) -> pd.DataFrame:
    """A numeric suppressed frame as files carry it: every withheld cell the text 'c'. Any
    other frame is returned as it is."""
    cells = df.attrs.get("withheld") or {}
    if not any(col in df.columns for col in cells):
        return df
    out = df.copy()
    mask = withheld(df)
    whole = set(df.attrs.get("whole_numbers") or ())
    for col in cells:
        if col in out.columns and mask[col].any():
            values = out[col].astype(object).tolist()
            if col in whole:  # a count: 10, not 10.0
                values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
            out[col] = pd.Series(values, index=out.index, dtype=object)
            out.loc[mask[col], col] = SUPPRESSED
    out.attrs.pop("withheld", None)
    out.attrs.pop("whole_numbers", None)
    return out


# Columns of an aggregate table that count pupils (enrolments), whatever the query calls them,
# and columns that locate a row rather than measure it (never suppressed).
_COUNT = ("enrolments", "pupils", "roll")
_LOCATORS = {
    "urn",
    "academic_year",
    "time_period",
    "week_of_year",
    "ncyear",
    "imd_decile",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "sort",
    "group_order",
    "group_rank",
    "old_la_code",
    "rank",
    "n_ranked",
    "quartile",
    "neighbour_rank",
    "week_start",
    "in_la",
}


def count_columns(df: pd.DataFrame) -> list[str]:
    return [
        c
        for c in df.columns
        if any(c == k or c.endswith("_" + k) or c.startswith(k + "_") for k in _COUNT)
        and pd.api.types.is_numeric_dtype(df[c])
    ]


def suppress_table(df: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Any aggregate table, for a download below LA level: every pupil count (a column named
    for enrolments or pupils) from 1 to threshold - 1 is 'c', with every other figure of its
    row (rates, gaps, days: built on those pupils), and the whole table taken as one breakdown
    for secondary suppression (conservative: it may hide more than a table's own spec would)."""
    counts = count_columns(df)
    if not counts:
        return df
    figures = [
        c
        for c in df.columns
        if c not in counts and c not in _LOCATORS and pd.api.types.is_numeric_dtype(df[c])
    ]
    out = suppress(df, counts, (), threshold, ())
    hidden = (out[counts].astype(object) == SUPPRESSED).any(axis=1)
    for f in figures:
        if hidden.any():
            out[f] = out[f].astype(object)
            out.loc[hidden, f] = SUPPRESSED
    return out
