"""The support checklist (seed 004: a school's prompt list of strategies to evidence before
any formal step), shipped as data/reference/support_strategies.csv, and the vocabulary of
an action: the graduated response's stages (seed 003) and the statuses."""

from __future__ import annotations

from functools import cache

import pandas as pd

from data_pipeline import config

CSV = config.REFERENCE_DIR / "support_strategies.csv"

# Seed 003: Expect → Monitor → Listen and understand → Facilitate support → Formalise support → Enforce.
STAGES = ("Expect", "Monitor", "Listen and understand", "Facilitate support", "Formalise support", "Enforce")
FORMAL_STAGES = ("Formalise support", "Enforce")
# An action is planned, done, or not tried (with the reason, as the checklist's last column asks).
STATUSES = ("planned", "done", "not tried")
STATUS_LABELS = {"planned": "Planned", "done": "Done", "not tried": "Not tried"}
# The checklist's groups, in its order.
GROUPS = {
    "pupil": "Communication with the pupil",
    "parents": "Communication with parents",
    "safeguarding": "Safeguarding",
    "sen": "Special educational needs (SEN)",
    "medical": "Medical needs",
    "mental_health": "Mental health",
    "adjustments": "Reasonable adjustments",
    "additional": "Additional support",
    "formal": "Formal steps",
}


@cache
def _load() -> pd.DataFrame:
    df = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    df["sort"] = df["sort"].astype(int)
    df["formal_step"] = df["formal_step"].str.lower().eq("true")
    return df.sort_values("sort").reset_index(drop=True)


def strategies() -> pd.DataFrame:
    """strategy_id, group_id, group_name, sort, strategy, detail, default_stage, formal_step, source."""
    return _load().copy()


@cache
def by_id() -> dict[str, dict]:
    """The checklist's rows by strategy id, built once (read-only: a meeting page asks for
    labels hundreds of times a run)."""
    return {r["strategy_id"]: r for r in _load().to_dict("records")}


def label(strategy_id: str) -> str:
    row = by_id().get(strategy_id)
    return row["strategy"] if row else f"(unknown strategy {strategy_id})"


def group_of(strategy_id: str) -> str:
    row = by_id().get(strategy_id)
    return row["group_name"] if row else ""


def is_formal(strategy_id: str, stage: str | None = None) -> bool:
    """A formal step: a strategy of the checklist's formal steps (or flagged formal, e.g. an
    attendance contract), or any action recorded at the Formalise support or Enforce stage."""
    row = by_id().get(strategy_id)
    return bool(row and row["formal_step"]) or stage in FORMAL_STAGES


def options() -> list[str]:
    """Strategy ids in checklist order (for a selectbox; format with option_label)."""
    return _load()["strategy_id"].tolist()


def option_label(strategy_id: str) -> str:
    row = by_id()[strategy_id]
    return f"{row['group_name']}: {row['strategy']}"
