"""The four roles, what each may see, and the Scope built from a signed-in user."""

from __future__ import annotations

from dataclasses import dataclass

from data_pipeline import config


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    description: str
    all_schools: bool  # False: only the URNs listed for the user
    pupil_rows: bool  # may see lists of pupils (pseudonymous by default)
    needs_urns: bool


ROLES: dict[str, Role] = {
    "la_officer": Role(
        "la_officer", "LA officer", "every school in the LA, with pupil-level data", True, True, False
    ),
    "school_staff": Role(
        "school_staff",
        "School staff (headteacher, attendance lead)",
        "their own school or schools, with pupil-level data",
        False,
        True,
        True,
    ),
    "governor": Role(
        "governor",
        "Governor",
        "their own school, aggregates only, small numbers suppressed",
        False,
        False,
        True,
    ),
    "admin": Role(
        "admin",
        "Administrator",
        "manages users and loads data; sees the audit log and LA-wide aggregates",
        True,
        False,
        False,
    ),
}

# Page access groups for dashboard.PAGES.
EVERYONE = tuple(ROLES)
LA_WIDE = ("la_officer", "admin")
PUPIL_LEVEL = ("la_officer", "school_staff")
SCHOOL_LEVEL = ("la_officer", "school_staff", "governor")
ADMIN = ("admin",)
# The Targeting Support Meeting and impact pages: the LA (officers; admins see aggregates only)
# and school staff for their own schools.
MEETINGS = ("la_officer", "admin", "school_staff")


def scope_for(user):
    """The Scope every query of this user runs with (user: auth.users.User)."""
    from queries import Scope

    role = ROLES[user.role]
    return Scope(
        schools=None if role.all_schools else tuple(user.urns),
        pupil_rows_allowed=role.pupil_rows,
        suppression_threshold=config.SUPPRESSION_THRESHOLD,
        role=role.name,
        user=user.email,
    )
