"""DfE attendance codes: the single source of truth for every measure.

Two code sets: the one in force until the end of 2023/24 ("2006") and the
one DfE introduced on 19 August 2024 ("2024"). A mark is validated against
the set in force on its date; `ref_codes` in the warehouse is built from
this table and every measure is computed by joining marks to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The first academic year that uses the August 2024 code set.
CODE_SET_2024_FIRST_YEAR = 2024


@dataclass(frozen=True)
class Code:
    code: str
    category: str  # present | aea | authorised | unauthorised | not_possible
    reason: str  # reason group used for the reasons breakdown
    description: str
    sets: tuple[str, ...] = ("2006", "2024")


CODES: tuple[Code, ...] = (
    Code("/", "present", "present", "Present (AM)"),
    Code("\\", "present", "present", "Present (PM)"),
    Code("L", "present", "late_before_close", "Late, before the register closed"),
    # Approved educational activity: counts as attendance, not as "present".
    Code("B", "aea", "aea", "Other approved educational activity (education off-site before 2024)"),
    Code("K", "aea", "aea", "Education arranged by the local authority", ("2024",)),
    Code("V", "aea", "aea", "Educational visit or trip"),
    Code("P", "aea", "aea", "Approved sporting activity"),
    Code("W", "aea", "aea", "Work experience"),
    Code("J", "aea", "aea", "Interview (approved educational activity before 2024)", ("2006",)),
    # Authorised absence.
    Code("C", "authorised", "other_authorised", "Authorised: exceptional circumstances"),
    Code(
        "C1",
        "authorised",
        "other_authorised",
        "Authorised: regulated performance or employment abroad",
        ("2024",),
    ),
    Code("C2", "authorised", "part_time_timetable", "Authorised: part-time timetable", ("2024",)),
    Code("E", "authorised", "excluded", "Suspended or excluded, no alternative provision"),
    Code("I", "authorised", "illness", "Illness (not medical or dental appointment)"),
    Code("M", "authorised", "medical", "Medical or dental appointment"),
    Code("J1", "authorised", "other_authorised", "Interview", ("2024",)),
    Code("S", "authorised", "other_authorised", "Study leave"),
    Code("T", "authorised", "other_authorised", "Mobile child (parent travelling for work)"),
    Code("R", "authorised", "other_authorised", "Religious observance"),
    Code(
        "H", "authorised", "authorised_holiday", "Holiday authorised by the school (before 2024)", ("2006",)
    ),
    Code("F", "authorised", "authorised_holiday", "Extended family holiday (agreed, before 2013)", ("2006",)),
    # Unauthorised absence.
    Code("G", "unauthorised", "unauthorised_holiday", "Holiday not authorised by the school"),
    Code("N", "unauthorised", "not_yet_known", "Reason not yet provided"),
    Code("O", "unauthorised", "other_unauthorised", "Other unauthorised absence"),
    Code("U", "unauthorised", "late_after_close", "Arrived after the register closed"),
    # Not a possible session.
    Code("X", "not_possible", "not_possible", "Not of compulsory school age, not required to attend"),
    Code("Y", "not_possible", "not_possible", "Enforced closure (before 2024)", ("2006",)),
    Code("Y1", "not_possible", "not_possible", "Unable to attend: transport not available", ("2024",)),
    Code("Y2", "not_possible", "not_possible", "Unable to attend: widespread travel disruption", ("2024",)),
    Code(
        "Y3",
        "not_possible",
        "not_possible",
        "Unable to attend: part of the school premises closed",
        ("2024",),
    ),
    Code(
        "Y4",
        "not_possible",
        "not_possible",
        "Unable to attend: whole school site unexpectedly closed",
        ("2024",),
    ),
    Code("Y5", "not_possible", "not_possible", "Unable to attend: in criminal justice detention", ("2024",)),
    Code("Y6", "not_possible", "not_possible", "Unable to attend: public health guidance or law", ("2024",)),
    Code("Y7", "not_possible", "not_possible", "Unable to attend: any other unavoidable cause", ("2024",)),
    Code("Z", "not_possible", "not_possible", "Prospective pupil not yet on roll"),
    Code("#", "not_possible", "not_possible", "Planned whole-school closure"),
    Code("D", "not_possible", "not_possible", "Dual registered: attending the other school"),
    Code("Q", "not_possible", "not_possible", "Unable to attend: lack of access arrangements", ("2024",)),
)

BY_CODE = {c.code: c for c in CODES}

# Reason groups shown to users, in display order, with plain-English labels.
REASON_LABELS = {
    "illness": "Illness",
    "medical": "Medical or dental appointment",
    "authorised_holiday": "Authorised holiday (before 2024)",
    "excluded": "Suspended or excluded",
    "part_time_timetable": "Part-time timetable (C2)",
    "other_authorised": "Other authorised",
    "unauthorised_holiday": "Unauthorised holiday",
    "other_unauthorised": "Other unauthorised",
    "not_yet_known": "Reason not yet known",
    "late_after_close": "Late after the register closed (U)",
}


def academic_year_of(day: dt.date) -> int:
    """The academic year a date belongs to, as its starting calendar year (2024 for 2024/25)."""
    return day.year if day.month >= 9 else day.year - 1


def code_set_for_year(academic_year: int) -> str:
    return "2024" if academic_year >= CODE_SET_2024_FIRST_YEAR else "2006"


def normalise(code: str) -> str:
    """Codes are case-insensitive in MIS exports; '/' and '\\' are kept as they are."""
    return code.strip().upper()


def rows() -> list[tuple]:
    """Rows of the warehouse's ref_codes table: one per code and code set."""
    out = []
    for c in CODES:
        for s in c.sets:
            out.append(
                (
                    c.code,
                    s,
                    c.category,
                    c.reason,
                    c.description,
                    c.category != "not_possible",
                    c.category == "present",
                    c.category == "aea",
                    c.category == "authorised",
                    c.category == "unauthorised",
                )
            )
    return out


def format_year(academic_year: int) -> str:
    return f"{academic_year}/{(academic_year + 1) % 100:02d}"
