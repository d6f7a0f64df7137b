"""Users: the local users file (argon2id password hashes) and the OIDC mapping.

The file (`data/users.json` unless `ATTENDANCE_USERS` says otherwise) is JSON:

    {"users":  [{"email": "head@school.example", "role": "school_staff", "urns": [990001],
                 "name": "A Head", "password_hash": "$argon2id$..."}],
     "groups": [{"group": "<Entra group object id>", "role": "la_officer", "urns": []}]}

A user without `password_hash` can only sign in through OIDC. An OIDC sign-in maps to the
user with the same email (case-insensitive); failing that, to the first group entry whose
`group` is in the token's `groups` claim (Entra ID group object ids); failing that, no
access. It is written by `python -m data_pipeline users ...` (atomic replace, locked).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from access import ROLES
from data_pipeline import config

DEMO_USERS = config.DATA_DIR / "demo_users.json"
MIN_PASSWORD = 10
_hasher = PasswordHasher()  # argon2id, the library's recommended parameters
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class UsersError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    email: str
    role: str
    urns: tuple[int, ...] = ()
    name: str = ""
    password_hash: str | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        return self.name or self.email

    def public(self) -> dict:
        return {
            "email": self.email,
            "role": self.role,
            "urns": list(self.urns),
            "name": self.name,
            "password": bool(self.password_hash),
        }


@dataclass(frozen=True)
class GroupRule:
    group: str
    role: str
    urns: tuple[int, ...] = ()


def users_path() -> Path:
    return Path(os.environ.get("ATTENDANCE_USERS", config.DATA_DIR / "users.json"))


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise UsersError(f"{email!r} is not an email address")
    return email


def check_role(role: str, urns) -> tuple[int, ...]:
    if role not in ROLES:
        raise UsersError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    urns = tuple(sorted({int(u) for u in urns or ()}))
    if ROLES[role].needs_urns and not urns:
        raise UsersError(f"the {role} role needs at least one --urn")
    if not ROLES[role].needs_urns and urns:
        raise UsersError(f"the {role} role sees every school: give no --urn")
    return urns


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UsersError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def _read(path: Path) -> dict:
    if not path.exists():
        return {"users": [], "groups": []}
    data = json.loads(path.read_text(encoding="utf-8") or "{}")
    data.setdefault("users", [])
    data.setdefault("groups", [])
    return data


def _user(d: dict) -> User:
    return User(
        email=d["email"].lower(),
        role=d["role"],
        urns=tuple(int(u) for u in d.get("urns", [])),
        name=d.get("name", ""),
        password_hash=d.get("password_hash"),
    )


def load(path: Path | None = None) -> tuple[dict[str, User], list[GroupRule]]:
    """Users by email, and the group rules, from the users file (empty if there is none)."""
    data = _read(Path(path or users_path()))
    users = {}
    for d in data["users"]:
        u = _user(d)
        if u.role in ROLES:  # an unknown role grants nothing
            users[u.email] = u
    groups = [
        GroupRule(str(g["group"]), g["role"], tuple(int(u) for u in g.get("urns", [])))
        for g in data["groups"]
        if g.get("role") in ROLES
    ]
    return users, groups


_cache: dict[str, tuple[tuple, tuple]] = {}


def load_cached(path: Path | None = None):
    """load(), re-read whenever the file changes (a removed user loses access at once)."""
    path = Path(path or users_path())
    try:
        st = path.stat()
        version = (st.st_ino, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        version = None
    hit = _cache.get(str(path))
    if hit is None or hit[0] != version:
        hit = (version, load(path))
        _cache[str(path)] = hit
    return hit[1]


@contextmanager
def _locked(path: Path):
    """Edit the users file under an exclusive lock; the new file replaces the old atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _read(path)
        yield data
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)


def add_user(
    email: str, role: str, urns=(), password: str | None = None, name: str = "", path: Path | None = None
) -> User:
    email = normalise_email(email)
    urns = check_role(role, urns)
    entry = {"email": email, "role": role, "urns": list(urns), "name": name}
    if password is not None:
        entry["password_hash"] = hash_password(password)
    with _locked(Path(path or users_path())) as data:
        if any(d["email"].lower() == email for d in data["users"]):
            raise UsersError(f"{email} is already a user (remove it first, or set-password)")
        data["users"].append(entry)
    return _user(entry)


def remove_user(email: str, path: Path | None = None) -> None:
    email = normalise_email(email)
    with _locked(Path(path or users_path())) as data:
        before = len(data["users"])
        data["users"] = [d for d in data["users"] if d["email"].lower() != email]
        if len(data["users"]) == before:
            raise UsersError(f"no user {email}")


def set_password(email: str, password: str, path: Path | None = None) -> None:
    email = normalise_email(email)
    hashed = hash_password(password)
    with _locked(Path(path or users_path())) as data:
        for d in data["users"]:
            if d["email"].lower() == email:
                d["password_hash"] = hashed
                return
        raise UsersError(f"no user {email}")


def add_group(group: str, role: str, urns=(), path: Path | None = None) -> GroupRule:
    group = (group or "").strip()
    if not group:
        raise UsersError("give the group's object id")
    urns = check_role(role, urns)
    with _locked(Path(path or users_path())) as data:
        if any(g["group"] == group for g in data["groups"]):
            raise UsersError(f"group {group} is already mapped (remove-group first)")
        data["groups"].append({"group": group, "role": role, "urns": list(urns)})
    return GroupRule(group, role, urns)


def remove_group(group: str, path: Path | None = None) -> None:
    with _locked(Path(path or users_path())) as data:
        before = len(data["groups"])
        data["groups"] = [g for g in data["groups"] if g["group"] != group]
        if len(data["groups"]) == before:
            raise UsersError(f"no group {group}")


def verify(email: str, password: str, path: Path | None = None) -> User | None:
    """The user if the password matches their argon2 hash, else None (same work either way)."""
    try:
        email = normalise_email(email)
    except UsersError:
        email = ""
    users, _ = load_cached(path)
    user = users.get(email)
    target = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(target, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user if user and user.password_hash else None


def user_for_claims(claims: dict, path: Path | None = None) -> User | None:
    """Map an OIDC identity (st.user: email or preferred_username, groups) to a user."""
    users, groups = load_cached(path)
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if value and str(value).strip().lower() in users:
            return users[str(value).strip().lower()]
    email = str(claims.get("email") or claims.get("preferred_username") or "").strip().lower()
    token_groups = claims.get("groups") or []
    if isinstance(token_groups, str):
        token_groups = [token_groups]
    for rule in groups:
        if rule.group in token_groups and email:
            return User(email=email, role=rule.role, urns=rule.urns, name=str(claims.get("name", "")))
    return None
