"""School calendars: terms, half terms and school days.

For loaded data the terms are derived from the dates schools actually
recorded (see build.py); the dates here are the demo LA's calendar, which
follows Dudley's published term-date pattern for 2024/25 and 2025/26
(term and half-term weeks, Easter, the May bank holiday).
"""

from __future__ import annotations

import datetime as dt

D = dt.date

# (half-term name, first day, last day) for each academic year of the demo.
DEMO_HALF_TERMS: dict[int, list[tuple[str, dt.date, dt.date]]] = {
    2024: [
        ("Autumn 1", D(2024, 9, 3), D(2024, 10, 25)),
        ("Autumn 2", D(2024, 11, 4), D(2024, 12, 20)),
        ("Spring 1", D(2025, 1, 6), D(2025, 2, 14)),
        ("Spring 2", D(2025, 2, 24), D(2025, 4, 4)),
        ("Summer 1", D(2025, 4, 22), D(2025, 5, 23)),
        ("Summer 2", D(2025, 6, 2), D(2025, 7, 22)),
    ],
    2025: [
        ("Autumn 1", D(2025, 9, 3), D(2025, 10, 24)),
        ("Autumn 2", D(2025, 11, 3), D(2025, 12, 19)),
        ("Spring 1", D(2026, 1, 5), D(2026, 2, 13)),
        ("Spring 2", D(2026, 2, 23), D(2026, 3, 27)),
        ("Summer 1", D(2026, 4, 13), D(2026, 5, 22)),
        ("Summer 2", D(2026, 6, 1), D(2026, 7, 21)),
    ],
}

# Bank holidays and INSET-style closures inside the terms above.
DEMO_CLOSURES = {
    D(2024, 11, 4),
    D(2025, 1, 6),
    D(2025, 5, 5),
    D(2025, 6, 2),
    D(2025, 11, 3),
    D(2026, 1, 5),
    D(2026, 5, 4),
    D(2026, 6, 1),
}


def demo_school_days(academic_year: int) -> list[dt.date]:
    days = []
    for _, first, last in DEMO_HALF_TERMS[academic_year]:
        d = first
        while d <= last:
            if d.weekday() < 5 and d not in DEMO_CLOSURES:
                days.append(d)
            d += dt.timedelta(days=1)
    return days


def term_of_month(month: int) -> str:
    """The term a half term belongs to, from the month it starts in."""
    if month >= 9:
        return "Autumn"
    if month <= 3:
        return "Spring"
    return "Summer"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
