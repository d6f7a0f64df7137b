"""`python -m data_pipeline users add|list|remove|set-password|add-group|remove-group`.

Local accounts and OIDC mappings in the users file (data/users.json unless --file or
ATTENDANCE_USERS). Passwords are read from stdin with --password-stdin (first line), else
asked for twice on a terminal; they are stored only as argon2id hashes. Every change is
written to the audit log in the app store.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

import access


def add_parser(sub) -> None:
    p = sub.add_parser("users", help="manage dashboard users (local accounts and OIDC mappings)")
    p.add_argument(
        "--file", type=Path, default=None, help="users file (default: $ATTENDANCE_USERS or data/users.json)"
    )
    us = p.add_subparsers(dest="users_command", required=True)
    roles = list(access.ROLES)

    a = us.add_parser("add", help="add a user")
    a.add_argument("email")
    a.add_argument("--role", required=True, choices=roles)
    a.add_argument(
        "--urn",
        type=int,
        action="append",
        default=[],
        help="a school the user may see (school_staff, governor); repeat for more",
    )
    a.add_argument("--name", default="")
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    a.add_argument(
        "--no-password", action="store_true", help="no local password: the user signs in through OIDC only"
    )

    ls = us.add_parser("list", help="list users and group mappings (never hashes)")
    ls.add_argument("--format", choices=["table", "json"], default="table")

    r = us.add_parser("remove", help="remove a user")
    r.add_argument("email")

    s = us.add_parser("set-password", help="set or reset a user's password")
    s.add_argument("email")
    s.add_argument("--password-stdin", action="store_true")

    g = us.add_parser("add-group", help="map an OIDC group (Entra ID group object id) to a role")
    g.add_argument("group")
    g.add_argument("--role", required=True, choices=roles)
    g.add_argument("--urn", type=int, action="append", default=[])

    rg = us.add_parser("remove-group", help="remove a group mapping")
    rg.add_argument("group")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise SystemExit("error: give --password-stdin, or run on a terminal to be asked")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("error: the passwords differ")
    return first


def _audit(action: str, detail: str) -> None:
    try:
        from auth import audit

        audit.record(None, "users", action, user=f"cli:{getpass.getuser()}", role="admin", detail=detail)
    except Exception as exc:  # the change is made; say the audit failed
        print(f"warning: not written to the audit log: {exc}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from auth import users

    path = args.file or users.users_path()
    cmd = args.users_command
    try:
        if cmd == "add":
            pw = None if args.no_password else _password(args.password_stdin)
            u = users.add_user(args.email, args.role, args.urn, pw, args.name, path)
            print(f"added {u.email} ({u.role}{', URNs ' + ', '.join(map(str, u.urns)) if u.urns else ''})")
            _audit("add", f"{u.email} {u.role} {list(u.urns)}")
        elif cmd == "list":
            found, groups = users.load(path)
            if args.format == "json":
                print(
                    json.dumps(
                        {
                            "users": [u.public() for u in found.values()],
                            "groups": [g.__dict__ | {"urns": list(g.urns)} for g in groups],
                        }
                    )
                )
            else:
                print(f"{'email':<40} {'role':<13} {'password':<8} urns")
                for u in found.values():
                    print(
                        f"{u.email:<40} {u.role:<13} {'yes' if u.password_hash else 'no':<8} "
                        f"{' '.join(map(str, u.urns))}"
                    )
                for g in groups:
                    print(f"group {g.group:<34} {g.role:<13} {'-':<8} {' '.join(map(str, g.urns))}")
        elif cmd == "remove":
            users.remove_user(args.email, path)
            print(f"removed {args.email}")
            _audit("remove", args.email)
        elif cmd == "set-password":
            users.set_password(args.email, _password(args.password_stdin), path)
            print(f"password set for {args.email}")
            _audit("set-password", args.email)
        elif cmd == "add-group":
            g = users.add_group(args.group, args.role, args.urn, path)
            print(f"group {g.group} -> {g.role}")
            _audit("add-group", f"{g.group} {g.role} {list(g.urns)}")
        elif cmd == "remove-group":
            users.remove_group(args.group, path)
            print(f"removed group {args.group}")
            _audit("remove-group", args.group)
    except users.UsersError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
