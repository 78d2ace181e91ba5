"""Where alerts go: Slack (an incoming webhook, or a bot token through dagster-slack's client) and e-mail (SMTP).

Each channel's `send` raises `ChannelError` when the message did not arrive; the resource turns that into a
`Delivery` the sensor queues for a retry. slack_sdk logs each request's URL at debug level, and a webhook's URL is
its secret: the clients here log to a logger that prints nothing.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from dagster_slack import SlackResource
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from customer360.lib.alerts.config import reachable_safely
from customer360.lib.alerts.message import Alert

_SILENT = logging.getLogger("customer360.alerts.slack_sdk")
_SILENT.setLevel(logging.CRITICAL + 1)
_SILENT.propagate = False


class ChannelError(Exception):
    """The channel did not take the message; the text says why (and may hold a secret: scrub it before use).
    `permanent`: retrying cannot help (a deleted webhook, a revoked token); the text names the setting to fix."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# Slack Web API errors no retry cures, and the setting that does.
_BOT_ERRORS_TO_FIX = {
    **dict.fromkeys(("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                     "no_permission", "missing_scope"), "C360_SLACK_BOT_TOKEN"),
    **dict.fromkeys(("channel_not_found", "not_in_channel", "is_archived"), "C360_SLACK_CHANNEL"),
}


def slack_escaped(text: str) -> str:
    """`text` as Slack shows it literally: its control characters escaped as Slack's docs say (&amp; &lt; &gt;), so
    an error quoting a file named `<!channel>` or `<https://x|Open the run>` pings nobody and links nowhere."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _in_code_block(text: str) -> str:
    """`text` escaped, and unable to close the ``` block it goes in (a zero-width space splits each backtick run)."""
    return slack_escaped(text).replace("`", "`\u200b")


def _blocks(alert: Alert) -> list[dict]:
    body = f"*{slack_escaped(alert.title)}*"
    if alert.error:
        body += f"\n```{_in_code_block(alert.error)}```"
    if alert.link:
        label = "Open the run in Dagster" if alert.run_id else "Open in Dagster"
        body += f"\n<{slack_escaped(alert.link)}|{label}>"
    return [{"type": "section", "text": {"type": "mrkdwn", "text": body}}]


def _text(alert: Alert) -> str:
    """The notification's text (what Slack shows in a push or a client without blocks), escaped."""
    return slack_escaped(alert.text)


def _reply(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


class SlackWebhook:
    name = "slack"

    def __init__(self, url: str, timeout_s: float):
        if not reachable_safely(url):
            raise ValueError("the Slack webhook URL must be https:// (plain http only to localhost)")
        self._client = WebhookClient(url, timeout=int(timeout_s), logger=_SILENT)

    def send(self, alert: Alert) -> None:
        try:
            response = self._client.send(text=_text(alert), blocks=_blocks(alert))
        except OSError as error:
            raise ChannelError(f"Slack webhook unreachable: {error}") from None
        if response.status_code == 200:
            return
        answer = f"Slack webhook answered {response.status_code}: {str(response.body)[:200]}"
        if 400 <= response.status_code < 500 and response.status_code != 429:  # gone, revoked, archived: for good
            raise ChannelError(f"{answer}; retrying cannot help: fix C360_SLACK_WEBHOOK_URL (a webhook that works, "
                               "from the Slack app's Incoming Webhooks page)", permanent=True)
        raise ChannelError(answer)


class SlackBot:
    name = "slack"

    def __init__(self, token: str, channel: str, api_url: str, timeout_s: float):
        if not reachable_safely(api_url):
            raise ValueError("a Slack bot token is only sent to an https:// API (plain http only to localhost)")
        self._client = SlackResource(token=token).get_client()
        self._client.base_url = api_url if api_url.endswith("/") else api_url + "/"
        self._client.timeout = int(timeout_s)
        self._channel = channel

    def send(self, alert: Alert) -> None:
        try:
            self._client.chat_postMessage(channel=self._channel, text=_text(alert), blocks=_blocks(alert))
        except SlackApiError as error:
            reason = error.response.get("error", "unknown error")
            if setting := _BOT_ERRORS_TO_FIX.get(reason):
                raise ChannelError(f"Slack refused the message: {reason}; retrying cannot help: fix {setting}",
                                   permanent=True) from None
            raise ChannelError(f"Slack refused the message: {reason}") from None
        except OSError as error:
            raise ChannelError(f"Slack API unreachable: {error}") from None


class Email:
    name = "email"

    def __init__(self, host: str, port: int, security: str, sender: str, to: Sequence[str], user: str | None,
                 password: str | None, timeout_s: float):
        self._host, self._port, self._security, self._timeout = host, port, security, timeout_s
        self._sender, self._to, self._user, self._password = sender, list(to), user, password

    def send(self, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = alert.title, self._sender, ", ".join(self._to)
        message.set_content(alert.text + "\n")
        try:
            with self._connect() as smtp:
                if self._user and self._password:
                    smtp.login(self._user, self._password)
                refused = smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            raise ChannelError(f"e-mail via {self._host}:{self._port}: the server refused the login ({error}); "
                               "retrying cannot help: fix C360_SMTP_USER and C360_SMTP_PASSWORD", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelError(f"e-mail via {self._host}:{self._port} failed: {error}") from None
        if refused:  # smtplib raises only when every recipient is refused; the others are returned
            reasons = ", ".join(f"{address} ({code} {_reply(reply)})" for address, (code, reply) in sorted(refused.items()))
            raise ChannelError(f"e-mail via {self._host}:{self._port} refused for {reasons}")

    def _connect(self) -> smtplib.SMTP:
        if self._security == "ssl":
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        if self._security == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except (smtplib.SMTPException, OSError):
                smtp.close()
                raise
        return smtp
