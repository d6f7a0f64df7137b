"""Access control: roles and scopes (roles), local and OIDC users (users), the writable app
store (store), the audit log (audit) and the Streamlit sign-in (session).

Import the submodule you need (`from auth import audit`); this package imports nothing
itself, so the query layer can use `auth.audit` without a circular import.
"""
