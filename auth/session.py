"""Who is using this Streamlit session: OIDC (st.login), a local account, or demo mode.

- OIDC: when `.streamlit/secrets.toml` has an `[auth]` section (docs/ACCESS.md), the sign-in
  page offers each configured provider (`st.login(provider)`); the identity Streamlit keeps
  in `st.user` is mapped to a role and schools by the users file.
- Local accounts: email and password checked against the argon2 hashes in the users file;
  the session stays signed in for ATTENDANCE_SESSION_HOURS (default 8). Five wrong
  passwords in 15 minutes lock the account at that client (device) for 15 minutes; a client
  failing across accounts then waits a delay that doubles with each failure (_try_local).
- Demo mode (ATTENDANCE_DEMO_MODE=1) on the synthetic demo warehouse only: no sign-in; the
  sidebar's "View as" switcher picks one of the demo accounts (data/demo_users.json).
The user is re-checked against the users file on every run: a removed user is signed out.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from access import ROLES

from . import audit, users

SESSION_KEY = "_signed_in"


def demo_mode_requested() -> bool:
    return os.environ.get("ATTENDANCE_DEMO_MODE", "").strip().lower() in ("1", "true", "yes", "on")


def session_hours() -> float:
    return float(os.environ.get("ATTENDANCE_SESSION_HOURS", "8"))


def oidc_providers() -> list[str]:
    """Provider names configured under [auth] in secrets.toml ('' = the unnamed default)."""
    try:
        conf = st.secrets.get("auth")
    except Exception:  # no secrets file
        return []
    if not conf:
        return []
    names = [k for k, v in conf.items() if hasattr(v, "get") and v.get("client_id")]
    if conf.get("client_id"):
        names.insert(0, "")
    return names


def _oidc_user() -> tuple[bool, users.User | None]:
    try:
        if not st.user.is_logged_in:
            return False, None
    except Exception:
        return False, None
    claims = st.user.to_dict()
    return True, users.user_for_claims(claims)


def demo_accounts() -> list[users.User]:
    found, _ = users.load_cached(users.DEMO_USERS)
    return list(found.values())


def demo_label(u: users.User) -> str:
    role = ROLES[u.role]
    where = f" of URN {', '.join(map(str, u.urns))}" if u.urns else ""
    return f"{role.label}{where}: {role.description}"


def _demo_role_from_url(roles: list[str]) -> str | None:
    """A shared link may name the role by the start of its label ("School staff") or in other
    case: the switcher is set to the one role it names, and the URL to its label, before the
    switcher is drawn. Returns the text asked for when it names no role (the switcher then
    shows the first, and says so)."""
    asked = st.query_params.get("demo_role")
    if not asked:
        return None
    if asked in (ROLES[r].label for r in roles):
        return None
    wanted = " ".join(asked.split()).casefold()
    found = [r for r in roles if wanted and ROLES[r].label.casefold().startswith(wanted)]
    if len(found) == 1:
        st.session_state["demo_role"] = found[0]
        st.query_params["demo_role"] = ROLES[found[0]].label
        return None
    return asked


def _demo_user() -> users.User | None:
    accounts = demo_accounts()
    if not accounts:
        return None
    by_role = {u.role: u for u in accounts}
    sb = st.sidebar
    sb.markdown("**Demo mode: no sign-in.**")
    unknown = _demo_role_from_url(list(by_role))
    if unknown:
        sb.warning(
            f"No demo role is called “{unknown}”; the roles are "
            + ", ".join(f"“{ROLES[r].label}”" for r in by_role)
            + ". Showing the first."
        )
    role = sb.selectbox(
        "View as (demo)",
        list(by_role),
        key="demo_role",
        bind="query-params",
        format_func=lambda r: ROLES[r].label,
        help="Demo mode shows what each role sees. A real deployment signs users in.",
    )
    user = by_role[role]
    sb.caption(demo_label(user))
    return user


def current_user(synthetic: bool) -> tuple[users.User | None, str]:
    """(the user, how they came in: 'oidc' | 'local' | 'demo' | ''). Demo mode needs the
    synthetic demo warehouse: on real data it is refused and sign-in is required."""
    logged_in, user = _oidc_user()
    if logged_in:
        return user, "oidc"
    held = st.session_state.get(SESSION_KEY)
    if held:
        found, _ = users.load_cached()
        fresh = found.get(held["email"])
        if (
            fresh is None
            or fresh.role != held["role"]
            or list(fresh.urns) != held["urns"]
            or time.time() - held["at"] > session_hours() * 3600
        ):
            st.session_state.pop(SESSION_KEY, None)
        else:
            return fresh, "local"
    if demo_mode_requested() and synthetic:
        return _demo_user(), "demo"
    return None, ""


def sign_out(user: users.User | None, how: str, scope=None) -> None:
    if user is not None:
        audit.record(scope, "sign_out", user=user.email, role=user.role)
    st.session_state.pop(SESSION_KEY, None)
    if how == "oidc":
        st.logout()
    else:
        st.rerun()


# Sign-in throttling. An account locks only at the client that failed (MAX_FAILURES wrong
# passwords in 15 minutes), so no one elsewhere can keep a known account locked; a client
# failing across accounts waits CLIENT_FREE_FAILURES tries, then a delay that doubles with each
# further failure (up to 15 minutes), so guessing is slow and a lock-out always ends.
MAX_FAILURES = 5
CLIENT_FREE_FAILURES = 10
MAX_DELAY_SECONDS = 900
# Fields typed before sign-in are bounded here as well as in the form (a crafted request
# bypasses the form): an email address is at most 254 characters.
MAX_EMAIL, MAX_PASSWORD = 254, 1024


def client_id() -> str:
    """A keyed hash of the client's address (the raw address is not kept), or of the session."""
    import hashlib

    from .store import pseudonym_key

    try:
        seen = st.context.ip_address or st.context.headers.get("X-Forwarded-For", "")
    except Exception:
        seen = ""
    if not seen:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        run = get_script_run_ctx()
        seen = f"session:{run.session_id}" if run is not None else "unknown"
    return hashlib.sha256(f"{pseudonym_key()}:client:{seen}".encode()).hexdigest()[:16]


def _wait_seconds(failures: int, latest: str) -> float:
    """Seconds still to wait after `failures` failed sign-ins from one client, the latest at `latest`."""
    if failures < CLIENT_FREE_FAILURES or not latest:
        return 0.0
    delay = min(MAX_DELAY_SECONDS, 2 ** (failures - CLIENT_FREE_FAILURES) * 5)
    import datetime as dt

    passed = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(latest)).total_seconds()
    return max(0.0, delay - passed)


def _try_local(email: str, password: str, client: str | None = None) -> str | None:
    """Sign in with a local account; returns an error message or None."""
    client = client or client_id()
    if len(email or "") > MAX_EMAIL or len(password or "") > MAX_PASSWORD:
        audit.record(None, "sign_in_failed", user="(too long)", role="-", detail=f"client {client}")
        return "That email and password do not match an account."
    key = (email or "").strip().lower()
    wait = _wait_seconds(*audit.sign_in_failures(client=client))
    if wait > 0:
        return f"Too many failed sign-ins from this device: try again in {wait:.0f} seconds."
    if audit.sign_in_failures(user=key, client=client)[0] >= MAX_FAILURES:
        audit.record(None, "sign_in_failed", user=key or "-", role="-", detail=f"client {client}")
        return "Too many wrong passwords for this account from this device: try again in 15 minutes."
    user = users.verify(email, password)
    if user is None:
        audit.record(None, "sign_in_failed", user=key or "-", role="-", detail=f"client {client}")
        return "That email and password do not match an account."
    st.session_state[SESSION_KEY] = {
        "email": user.email,
        "role": user.role,
        "urns": list(user.urns),
        "at": time.time(),
    }
    audit.record(None, "sign_in", user=user.email, role=user.role, detail="local")
    return None


def sign_in_page() -> None:
    """The only page offered before sign-in: no data, no warehouse queries."""
    st.title("Sign in")
    st.markdown("School attendance data is children's personal data: sign in to see what your role allows.")
    logged_in, _ = _oidc_user()
    if logged_in:
        email = st.user.get("email") or st.user.get("preferred_username") or "this account"
        st.error(
            f"{email} is signed in but has no access to this dashboard. Ask your administrator to add you."
        )
        if st.button("Sign out"):
            st.logout()
        return
    providers = oidc_providers()
    for name in providers:
        label = {"microsoft": "Microsoft (Entra ID)", "": "your organisation's account"}.get(
            name, name.title()
        )
        if st.button(f"Sign in with {label}", key=f"oidc_{name or 'default'}", type="primary"):
            st.login(name or None)
    with st.form("local_sign_in"):
        if providers:
            st.markdown("Or with a local account:")
        email = st.text_input("Email", key="sign_in_email", autocomplete="username", max_chars=MAX_EMAIL)
        password = st.text_input(
            "Password",
            type="password",
            key="sign_in_password",
            autocomplete="current-password",
            max_chars=MAX_PASSWORD,
        )
        submitted = st.form_submit_button("Sign in", type="secondary" if providers else "primary")
    if submitted:
        error = _try_local(email, password)
        if error:
            st.error(error)
        else:
            st.rerun()
    if not users.users_path().exists() and not providers:
        st.info(
            "No users file yet. An administrator adds accounts with "
            "`python -m data_pipeline users add EMAIL --role ROLE`."
        )
    if demo_mode_requested():
        st.warning(
            "Demo mode is switched on (ATTENDANCE_DEMO_MODE) but this warehouse does not "
            "hold the synthetic demo data, so sign-in is required."
        )
