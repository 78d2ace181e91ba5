"""People log in: the app behind Streamlit's OpenID Connect login, in Chromium, against a local OpenID provider
(oidc-provider-mock). Each identity reads as the role its groups map to, sees what that role may see, logs out, and an
identity with no mapped group is refused before anything is read."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import duckdb
import oidc_provider_mock
import pytest
import requests
from test_ui import browser_page, free_port, stop_group, wait_until_served

from customer360.settings import ROOT

pytestmark = pytest.mark.e2e

# Groups as a company directory names them, mapped to the app's roles by C360_APP_OIDC_GROUP_ROLES.
GROUP_ROLES = "c360-marketing=MARKETING_MANAGER,c360-analysts=DATA_ANALYST,c360-engineers=DATA_ENGINEER"
PEOPLE = {
    "mia@example.test": ["staff", "c360-marketing"],
    "ana@example.test": ["c360-analysts"],
    "eng@example.test": ["c360-engineers", "c360-marketing"],  # the widest role wins
    "nobody@example.test": ["staff"],
}


@pytest.fixture(scope="module")
def provider():
    with oidc_provider_mock.run_server_in_thread() as server:
        url = f"http://localhost:{server.server_port}"
        for sub, groups in PEOPLE.items():
            done = requests.put(f"{url}/users/{quote(sub)}", json={"email": sub, "groups": groups}, timeout=10)
            assert done.status_code == 204, done.text
        yield url


@pytest.fixture(scope="module")
def login_app(built_home, provider, tmp_path_factory):
    port = free_port()
    env = {**os.environ, "C360_HOME": str(built_home), "C360_TARGET": "local", "C360_APP_PORT": str(port),
           "C360_APP_OIDC_METADATA_URL": f"{provider}/.well-known/openid-configuration",
           "C360_APP_OIDC_CLIENT_ID": "customer360-app",
           "C360_APP_OIDC_CLIENT_SECRET": "test-client-secret",  # pragma: allowlist secret
           "C360_APP_COOKIE_SECRET": "test-cookie-secret-of-enough-length",  # pragma: allowlist secret
           "C360_APP_OIDC_GROUP_ROLES": GROUP_ROLES,
           "C360_APP_OIDC_REDIRECT_URI": f"http://localhost:{port}/oauth2callback"}
    env.pop("C360_APP_ROLE", None)
    log = tmp_path_factory.mktemp("login-app") / "streamlit.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "customer360.app"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_served(f"http://localhost:{port}/_stcore/health", process, timeout=90)
        yield f"http://localhost:{port}"
    finally:
        stop_group(process)
    assert "test-client-secret" not in log.read_text()  # the launcher never prints a secret


def log_in(page, app: str, sub: str) -> None:
    page.goto(app)
    page.get_by_role("button", name="Log in").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def an_email(home) -> str:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute("select email from gold.customer_360_profile order by customer_id limit 1").fetchone()[0]


def test_nothing_is_shown_before_login_and_the_secrets_file_is_private(login_app, built_home):
    with browser_page() as page:
        page.goto(login_app)
        page.get_by_role("button", name="Log in").wait_for(timeout=90_000)
        assert page.get_by_text("Customer deep dive").count() == 0
    secrets = built_home / "app" / "secrets.toml"
    assert oct(secrets.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("sub,role,search_label,health", [
    ("mia@example.test", "MARKETING_MANAGER", "Search customers by customer id", "may not read the OBSERVABILITY"),
    ("ana@example.test", "DATA_ANALYST", "Search customers by customer id", "Latest run of each job"),
    ("eng@example.test", "DATA_ENGINEER", "Search customers by customer id or name or email",
     "Latest run of each job"),
])
def test_each_identity_reads_as_the_role_its_groups_map_to_then_logs_out(login_app, sub, role, search_label, health):
    with browser_page() as page:
        log_in(page, login_app, sub)
        page.get_by_text(f"Role: {role}").first.wait_for(timeout=90_000)
        page.get_by_text(f"Logged in as {sub}").first.wait_for()
        assert page.get_by_text("No login in front of this app").count() == 0
        page.get_by_label(search_label, exact=True).wait_for()
        page.get_by_text("Pipeline health", exact=True).first.click()
        page.get_by_text(health).first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Log out").click()
        # Streamlit ends the provider's session too (its end_session endpoint asks to confirm), then comes back.
        page.get_by_role("button", name="End session").click(timeout=60_000)
        page.get_by_role("button", name="Log in").wait_for(timeout=60_000)
        assert page.get_by_text(f"Role: {role}").count() == 0


def search_as(app: str, sub: str, label: str, typed: str, expected: str) -> None:
    """Log in as `sub`, type `typed` into the deep dive's search (labelled by what the role may search) and wait for
    `expected` on the page."""
    with browser_page() as page:
        log_in(page, app, sub)
        search = page.get_by_label(label, exact=True)
        search.wait_for(timeout=90_000)
        search.fill(typed)
        search.press("Enter")
        page.get_by_text(expected).first.wait_for(timeout=30_000)


def test_an_email_search_finds_nothing_for_marketing_and_the_customer_for_engineers(login_app, built_home):
    email = an_email(built_home)
    search_as(login_app, "eng@example.test", "Search customers by customer id or name or email", email,
              "Lifetime value")
    search_as(login_app, "mia@example.test", "Search customers by customer id", email, "No customer matches")


def test_an_identity_with_no_mapped_group_is_refused_and_reads_nothing(login_app):
    with browser_page() as page:
        log_in(page, login_app, "nobody@example.test")
        page.get_by_text("nobody@example.test may not use Customer 360").first.wait_for(timeout=90_000)
        page.get_by_text("its groups (staff)").first.wait_for()
        assert page.get_by_text("Customer deep dive").count() == 0
        assert page.get_by_text("Role:").count() == 0
