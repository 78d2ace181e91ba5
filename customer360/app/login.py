"""Who is reading: the identity Streamlit's OpenID Connect login (st.login) returns, mapped to an app role.

The identity's groups (the ID token's C360_APP_OIDC_GROUPS_CLAIM, default `groups`) are matched against
C360_APP_OIDC_GROUP_ROLES; an identity in several mapped groups reads as the widest of their roles (as a Snowflake user
granted several roles could), and one with no mapped group is refused. Without a login (no provider configured: one
laptop, `make app`) everyone who reaches the app reads as C360_APP_ROLE, and every page says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from customer360.settings import APP_COOKIE_SECRET, APP_OIDC_CLIENT_SECRET, APP_ROLES, AppLogin

# Narrowest first: the index is the breadth of what a role reads (access.py).
_BREADTH = {name: rank for rank, name in enumerate(APP_ROLES)}


class Refused(Exception):
    """The identity may not use the app; the message says why and whom to ask."""


def groups_of(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The identity's groups: a list claim; a single string is one group, never split (a group named "Sales X"
    must not become "X")."""
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(g) for g in value]
    return [str(value)]


def role_for(claims: Mapping[str, Any], login: AppLogin) -> str:
    """The app role of the logged-in identity, or Refused naming its groups and the ones that map to a role."""
    groups = groups_of(claims, login.groups_claim)
    mapping = dict(login.group_roles)
    roles = {mapping[g] for g in groups if g in mapping}
    if not roles:
        who = claims.get("email") or claims.get("sub") or "this identity"
        found = ", ".join(groups) if groups else f"no `{login.groups_claim}` claim"
        raise Refused(f"{who} may not use Customer 360: none of its groups ({found}) reads as one of the app's "
                      "roles. Ask the platform team for access.")
    return max(roles, key=_BREADTH.__getitem__)


def secrets_toml(login: AppLogin, env: Mapping[str, str]) -> str:
    """The [auth] section Streamlit's st.login reads, from the settings and the two secrets in the environment.
    Written by the launcher into the private home (0600), never into the repository."""
    auth = {
        "redirect_uri": login.redirect_uri, "cookie_secret": env[APP_COOKIE_SECRET].strip(),
        "client_id": login.client_id, "client_secret": env[APP_OIDC_CLIENT_SECRET].strip(),
        "server_metadata_url": login.metadata_url,
    }
    lines = ["[auth]", *(f"{key} = {_toml_string(key, value)}" for key, value in auth.items()),
             f"client_kwargs = {{ scope = {_toml_string('scope', login.scopes)} }}"]
    return "\n".join(lines) + "\n"


class LoginSettingError(ValueError):
    """A login setting Streamlit could not read back; the message names it."""


def _toml_string(name: str, value: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise LoginSettingError(f"the login setting {name} holds a control character (a newline?); set it again "
                                "without one")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def write_secrets(login: AppLogin, env: Mapping[str, str], home: Path) -> Path:
    """The secrets file for `streamlit run --secrets.files`, 0600 in the (0700) home."""
    path = home / "app" / "secrets.toml"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(secrets_toml(login, env))
    return path
