"""The access policy, in one place: the four roles, what each may see and do, and the Scope
every query, the actions store and every export run with. Nothing else compares role names:
the rest of the code asks a Scope (scope.suppress_on_screen, scope.may_record_actions, ...).
Enforced in the query layer (queries/__init__.py), the actions store and the exports;
docs/ACCESS.md describes it and how it is tested."""

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
    suppress_on_screen: bool = False  # aggregates shown with small numbers as 'c'
    suppress_exports: bool = True  # exports below LA level suppressed
    identity: bool = False  # names and UPNs, on request
    records_actions: bool = False  # meeting actions
    reads_audit_log: bool = False


ROLES: dict[str, Role] = {
    "la_officer": Role(
        "la_officer",
        "LA officer",
        "every school in the LA, with pupil-level data",
        all_schools=True,
        pupil_rows=True,
        needs_urns=False,
        suppress_exports=False,
        identity=True,
        records_actions=True,
    ),
    "school_staff": Role(
        "school_staff",
        "School staff (headteacher, attendance lead)",
        "their own school or schools, with pupil-level data",
        all_schools=False,
        pupil_rows=True,
        needs_urns=True,
        identity=True,
        records_actions=True,
    ),
    "governor": Role(
        "governor",
        "Governor",
        "their own school, aggregates only, small numbers suppressed",
        all_schools=False,
        pupil_rows=False,
        needs_urns=True,
        suppress_on_screen=True,
    ),
    "admin": Role(
        "admin",
        "Administrator",
        "manages users and loads data; sees the audit log and LA-wide aggregates",
        all_schools=True,
        pupil_rows=False,
        needs_urns=False,
        reads_audit_log=True,
    ),
}
# The pipeline's and the frame's own queries (meta, calendar) and tests of LA-wide aggregates.
SYSTEM = Role("system", "System", "the warehouse's own queries", True, False, False, suppress_exports=False)

# Which pages navigation offers each role (dashboard.PAGES). Navigation only offers: every
# query enforces the viewer's scope whatever the page.
EVERYONE = tuple(ROLES)
LA_WIDE = tuple(r for r, v in ROLES.items() if v.all_schools)
PUPIL_LEVEL = tuple(r for r, v in ROLES.items() if v.pupil_rows)
LA_PUPILS = tuple(r for r, v in ROLES.items() if v.pupil_rows and v.all_schools)
SCHOOL_LEVEL = tuple(r for r, v in ROLES.items() if v.pupil_rows or v.suppress_on_screen)
ADMIN = tuple(r for r, v in ROLES.items() if v.reads_audit_log)
# The Targeting Support Meeting and impact pages: those who record actions, and the LA's
# administrators (aggregates only).
MEETINGS = tuple(r for r, v in ROLES.items() if v.records_actions or (v.all_schools and not v.pupil_rows))


def role(name: str) -> Role | None:
    return SYSTEM if name == "system" else ROLES.get(name)


@dataclass(frozen=True)
class Scope:
    """What the viewer may see: schools (URNs, or None for the whole LA), pupil rows, suppression.

    Built from the signed-in user by scope_for(user); in tests, built directly. `role` and
    `user` are written to the audit log.
    """

    schools: tuple[int, ...] | None = None
    pupil_rows_allowed: bool = False
    suppression_threshold: int = config.SUPPRESSION_THRESHOLD
    role: str = "system"
    user: str = "system"

    def __post_init__(self):
        if self.schools is not None:
            object.__setattr__(self, "schools", tuple(sorted({int(u) for u in self.schools})))

    @property
    def urns(self) -> list[int] | None:
        return None if self.schools is None else [int(u) for u in self.schools]

    @property
    def known_role(self) -> bool:
        return role(self.role) is not None

    @property
    def suppress_on_screen(self) -> bool:
        """Aggregates only, small numbers suppressed (governors)."""
        r = role(self.role)
        return r is None or r.suppress_on_screen

    @property
    def suppress_exports(self) -> bool:
        """Every export outside the LA's own role is suppressed."""
        r = role(self.role)
        return r is None or r.suppress_exports

    @property
    def identity_allowed(self) -> bool:
        """Names and UPNs (where the return supplied them), on request."""
        r = role(self.role)
        return self.pupil_rows_allowed and r is not None and r.identity

    @property
    def may_record_actions(self) -> bool:
        r = role(self.role)
        return self.pupil_rows_allowed and r is not None and r.records_actions

    @property
    def may_read_audit_log(self) -> bool:
        r = role(self.role)
        return r is not None and r.reads_audit_log

    def allows_school(self, urn) -> bool:
        return self.schools is None or int(urn) in self.schools


WHOLE_LA = Scope()


def scope_for(user) -> Scope:
    """The Scope every query of this user runs with (user: auth.users.User)."""
    r = ROLES[user.role]
    return Scope(
        schools=None if r.all_schools else tuple(user.urns),
        pupil_rows_allowed=r.pupil_rows,
        suppression_threshold=config.SUPPRESSION_THRESHOLD,
        role=r.name,
        user=user.email,
    )
