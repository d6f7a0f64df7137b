"""Access tier: the users command line, password hashes, sign-in checks, OIDC mapping."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from auth import users


def cli(path, *args, password: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", "users", "--file", str(path), *args],
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        timeout=120,
    )


def test_users_cli_add_list_set_password_remove(tmp_path):
    path = tmp_path / "users.json"
    r = cli(
        path,
        "add",
        "Head@School.example",
        "--role",
        "school_staff",
        "--urn",
        "990001",
        "--urn",
        "990003",
        "--password-stdin",
        password="correct horse battery",
    )
    assert r.returncode == 0, r.stderr
    r = cli(
        path,
        "add",
        "gov@school.example",
        "--role",
        "governor",
        "--urn",
        "990001",
        "--password-stdin",
        password="governor password",
    )
    assert r.returncode == 0, r.stderr
    text = path.read_text()
    assert "correct horse" not in text and "governor password" not in text
    assert text.count("$argon2id$") == 2
    listed = json.loads(cli(path, "list", "--format", "json").stdout)
    assert {u["email"]: (u["role"], u["urns"]) for u in listed["users"]} == {
        "head@school.example": ("school_staff", [990001, 990003]),
        "gov@school.example": ("governor", [990001]),
    }
    assert "argon2" not in cli(path, "list").stdout

    assert users.verify("head@school.example", "correct horse battery", path).urns == (990001, 990003)
    assert users.verify("HEAD@school.example ", "correct horse battery", path) is not None
    assert users.verify("head@school.example", "wrong password!", path) is None
    assert users.verify("nobody@school.example", "correct horse battery", path) is None

    r = cli(path, "set-password", "head@school.example", "--password-stdin", password="a new password")
    assert r.returncode == 0, r.stderr
    assert users.verify("head@school.example", "correct horse battery", path) is None
    assert users.verify("head@school.example", "a new password", path) is not None

    assert cli(path, "remove", "head@school.example").returncode == 0
    assert users.verify("head@school.example", "a new password", path) is None
    assert cli(path, "remove", "head@school.example").returncode == 1


@pytest.mark.parametrize(
    "args,password",
    [
        (["add", "x@school.example", "--role", "governor"], "long enough pw"),  # governor needs a URN
        (["add", "x@school.example", "--role", "la_officer", "--urn", "990001"], "long enough pw"),
        (["add", "not-an-email", "--role", "admin"], "long enough pw"),
        (["add", "x@school.example", "--role", "admin"], "short"),  # too short
    ],
)
def test_users_cli_refuses_bad_input(tmp_path, args, password):
    r = cli(tmp_path / "users.json", *args, "--password-stdin", password=password)
    assert r.returncode != 0
    assert not (tmp_path / "users.json").exists() or "x@school" not in (tmp_path / "users.json").read_text()


def test_duplicate_user_refused(tmp_path):
    path = tmp_path / "users.json"
    assert cli(path, "add", "a@la.example", "--role", "admin", "--no-password").returncode == 0
    assert cli(path, "add", "A@la.example", "--role", "la_officer", "--no-password").returncode == 1
    # an OIDC-only account has no password: local sign-in always fails
    assert users.verify("a@la.example", "", path) is None


def test_oidc_email_and_group_mapping(tmp_path):
    path = tmp_path / "users.json"
    users.add_user("officer@la.example", "la_officer", path=path)
    users.add_user("head@school.example", "school_staff", [990001], path=path)
    users.add_group("0f1e2d3c-group-governors-990002", "governor", [990002], path=path)
    users.add_group("aaaa-group-officers", "la_officer", path=path)

    u = users.user_for_claims({"email": "Officer@LA.example", "name": "An Officer"}, path)
    assert (u.email, u.role, u.urns) == ("officer@la.example", "la_officer", ())
    # Entra ID often carries the sign-in name in preferred_username rather than email
    u = users.user_for_claims({"preferred_username": "head@school.example"}, path)
    assert (u.role, u.urns) == ("school_staff", (990001,))
    u = users.user_for_claims(
        {"email": "new.gov@school.example", "groups": ["something-else", "0f1e2d3c-group-governors-990002"]},
        path,
    )
    assert (u.email, u.role, u.urns) == ("new.gov@school.example", "governor", (990002,))
    # an email entry wins over a group; no match means no access
    u = users.user_for_claims({"email": "head@school.example", "groups": ["aaaa-group-officers"]}, path)
    assert u.role == "school_staff"
    assert users.user_for_claims({"email": "stranger@else.example", "groups": ["other"]}, path) is None
    assert users.user_for_claims({}, path) is None


def test_scope_follows_role():
    from access import scope_for

    s = scope_for(users.User("g@s.example", "governor", (990001,)))
    assert (s.schools, s.pupil_rows_allowed, s.suppress_on_screen, s.role) == (
        (990001,),
        False,
        True,
        "governor",
    )
    s = scope_for(users.User("h@s.example", "school_staff", (990001, 990002)))
    assert (s.schools, s.pupil_rows_allowed, s.suppress_on_screen, s.suppress_exports) == (
        (990001, 990002),
        True,
        False,
        True,
    )
    s = scope_for(users.User("o@la.example", "la_officer"))
    assert (s.schools, s.pupil_rows_allowed, s.suppress_exports, s.identity_allowed) == (
        None,
        True,
        False,
        True,
    )
    s = scope_for(users.User("a@la.example", "admin"))
    assert (s.schools, s.pupil_rows_allowed, s.identity_allowed) == (None, False, False)


def test_demo_users_file_has_every_role_and_only_hashes():
    found, _ = users.load(users.DEMO_USERS)
    assert {u.role for u in found.values()} == {"la_officer", "school_staff", "governor", "admin"}
    assert all(u.password_hash.startswith("$argon2id$") for u in found.values())
    for email, pw in DEMO_PASSWORDS.items():
        assert users.verify(email, pw, users.DEMO_USERS) is not None


DEMO_PASSWORDS = {  # documented in README and docs/ACCESS.md
    "la.officer@demo.invalid": "demo-la-officer",
    "head.990001@demo.invalid": "demo-headteacher",
    "governor.990001@demo.invalid": "demo-governor",
    "admin@demo.invalid": "demo-administrator",
}
