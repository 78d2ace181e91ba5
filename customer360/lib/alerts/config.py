"""The alert channels' settings as the platform reads them (customer360/settings.py, `AlertsEnvironment`), the rules
they must meet, and the scrubbing that keeps their secrets out of every message and log line.

The secrets (the webhook URL, the bot token, the SMTP password) are never held here: the `alerts` resource reads
them from the environment as `dg.EnvVar`, so the UI and run storage show their names only. It reads them as set,
unstripped: a value with a space or a newline around it is refused here rather than failing in the middle of the
night as a URL or a password that does not work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

SLACK_WEBHOOK_URL = "C360_SLACK_WEBHOOK_URL"
SLACK_BOT_TOKEN = "C360_SLACK_BOT_TOKEN"  # pragma: allowlist secret
SMTP_PASSWORD = "C360_SMTP_PASSWORD"  # pragma: allowlist secret
SECRET_VARIABLES = (SLACK_WEBHOOK_URL, SLACK_BOT_TOKEN, SMTP_PASSWORD)
SLACK_API_URL = "https://slack.com/api/"
SMTP_SECURITY = ("starttls", "ssl", "none")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
HIDDEN = "[hidden]"


@dataclass(frozen=True)
class AlertConfig:
    """Which channels are on and where they send; each value's variable and meaning: `AlertsEnvironment`."""

    slack: str | None  # "webhook", "bot" or None (off)
    slack_channel: str | None
    slack_api_url: str
    smtp_host: str | None  # None: e-mail off
    smtp_port: int
    smtp_security: str
    smtp_user: str | None
    smtp_password_set: bool
    smtp_from: str | None
    smtp_to: tuple[str, ...]
    ui_url: str  # the Dagster UI as the people alerted reach it; run links start with it
    request_alert_after_min: int = 30  # a report request waiting (or running) longer than this is alerted

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(name for name, on in (("slack", self.slack), ("email", self.smtp_host)) if on)


def reachable_safely(url: str) -> bool:
    """https, or plain http to this machine (a test's receiver)."""
    parsed = urlparse(url)
    return parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in LOOPBACK)


def ui_url_warning(config: AlertConfig, target: str) -> str | None:
    """Why the run links would not open for the people alerted, or None: on the production target (snowflake), with a
    channel on, C360_ALERT_UI_URL unset or on this machine gives `http://localhost:...` links only it can open."""
    if target != "snowflake" or not config.channels or urlparse(config.ui_url).hostname not in LOOPBACK:
        return None
    return (f"alerts link runs to {config.ui_url}, which only this machine can open: set C360_ALERT_UI_URL to the "
            "Dagster UI's address as the people alerted reach it (e.g. https://dagster.example.com)")


def padded(environ: dict[str, str], names: Iterable[str]) -> list[str]:
    """The variables among `names` whose value has whitespace around it."""
    return [name for name in names if (value := environ.get(name)) and value.strip() and value != value.strip()]


def alert_problems(given: dict[str, object]) -> list[tuple[str, str]]:
    """(variable, message) for every rule the alert settings break, from the values as given; never a secret's
    value in a message."""
    problems = []
    webhook, token = given.get(SLACK_WEBHOOK_URL), given.get(SLACK_BOT_TOKEN)
    if webhook and token:
        problems.append((SLACK_BOT_TOKEN, f"{SLACK_WEBHOOK_URL} and {SLACK_BOT_TOKEN} are both set; Slack alerts go "
                                          "one way: unset one of them"))
    if webhook and not reachable_safely(str(webhook)):
        problems.append((SLACK_WEBHOOK_URL, f"{SLACK_WEBHOOK_URL} must be an https:// URL (plain http only to "
                                            "localhost): it is Slack's incoming webhook, https://hooks.slack.com/..."))
    if token and not given.get("C360_SLACK_CHANNEL"):
        problems.append(("C360_SLACK_CHANNEL", f"{SLACK_BOT_TOKEN} needs C360_SLACK_CHANNEL: the channel the bot "
                                               "posts to (e.g. #data-alerts); set it"))
    api = str(given.get("C360_SLACK_API_URL") or SLACK_API_URL)
    if token and not reachable_safely(api):
        problems.append(("C360_SLACK_API_URL", f"C360_SLACK_API_URL={api!r} must be https:// (plain http only to "
                                               f"localhost): the bot token travels to it; the default is {SLACK_API_URL}"))
    problems += _smtp_problems(given)
    return problems


def _smtp_problems(given: dict[str, object]) -> list[tuple[str, str]]:
    host = given.get("C360_SMTP_HOST")
    set_without_host = [n for n in ("C360_SMTP_USER", SMTP_PASSWORD, "C360_SMTP_FROM", "C360_SMTP_TO") if given.get(n)]
    if not host:
        return [(name, f"{name} is set but C360_SMTP_HOST is not; set the host to send e-mail, or unset {name}")
                for name in set_without_host]
    problems = [(name, f"C360_SMTP_HOST is set, so e-mail alerts need {name}; set it") for name in
                ("C360_SMTP_FROM", "C360_SMTP_TO") if not given.get(name)]
    if bool(given.get("C360_SMTP_USER")) != bool(given.get(SMTP_PASSWORD)):
        problems.append((SMTP_PASSWORD, f"C360_SMTP_USER and {SMTP_PASSWORD} go together (the server's login); set "
                                        "both or neither"))
    security = str(given.get("C360_SMTP_SECURITY") or "starttls").lower()
    if given.get(SMTP_PASSWORD) and security == "none" and host not in LOOPBACK:
        problems.append(("C360_SMTP_SECURITY", f"C360_SMTP_SECURITY=none would send {SMTP_PASSWORD} in clear text to "
                                               f"{host}; use starttls or ssl"))
    return problems


def recipients(raw: str | None) -> tuple[str, ...]:
    """`a@x.org, b@x.org` -> ('a@x.org', 'b@x.org')."""
    return tuple(part.strip() for part in (raw or "").split(",") if part.strip())


def secret_fragments(secrets: Iterable[str | None]) -> list[str]:
    """What must never be printed: each secret, and a webhook URL's path (Slack's secret is its path), longest first."""
    found = set()
    for secret in secrets:
        if not secret:
            continue
        found.add(secret)
        found.add(secret.strip())
        parsed = urlparse(secret)
        if parsed.scheme and parsed.path.strip("/"):
            found.add(parsed.path)
            found.update(part for part in parsed.path.split("/") if len(part) >= 8)
    return sorted((f for f in found if len(f) >= 4), key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret (and every webhook path) replaced by [hidden]."""
    for fragment in secret_fragments(secrets):
        text = text.replace(fragment, HIDDEN)
    return text
