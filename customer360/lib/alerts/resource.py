"""The `alerts` resource: sends one alert to every configured channel and says what became of it on each.

Built from settings by customer360/resources.py, its secrets as `dg.EnvVar` (the UI shows their names). No channel
configured is a normal state: `send` then sends nothing and returns no outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg
from pydantic import Field

from customer360.lib.alerts.channels import ChannelError, Email, SlackBot, SlackWebhook
from customer360.lib.alerts.config import SLACK_API_URL, scrub
from customer360.lib.alerts.message import Alert, Delivery


class AlertsResource(dg.ConfigurableResource):
    """Slack (webhook or bot token) and e-mail (SMTP), each on when configured."""

    slack_webhook_url: str | None = Field(None, description="Slack incoming webhook (a secret: its URL)")
    slack_bot_token: str | None = Field(None, description="Slack bot token (a secret), with slack_channel")
    slack_channel: str | None = None
    slack_api_url: str = SLACK_API_URL
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = Field(None, description="the SMTP login's password (a secret)")
    smtp_from: str | None = None
    smtp_to: list[str] = Field(default_factory=list)
    ui_url: str | None = Field(None, description="the Dagster UI as the people alerted reach it (run links)")
    request_alert_after_min: int = Field(30, gt=0, description="a report request still waiting or running this many "
                                                               "minutes after it was asked for is alerted")
    timeout_s: float = 10.0

    def channels(self) -> list[SlackWebhook | SlackBot | Email]:
        """The configured channels (none is fine); raises ValueError for one configured unsafely."""
        return [build() for build in self._builders().values()]

    def channel_names(self) -> list[str]:
        """The configured channels' names (`slack`, `email`), without building them."""
        return list(self._builders())

    def _builders(self) -> dict[str, Callable[[], SlackWebhook | SlackBot | Email]]:
        builders: dict[str, Callable[[], SlackWebhook | SlackBot | Email]] = {}
        if self.slack_webhook_url:
            builders["slack"] = lambda: SlackWebhook(self.slack_webhook_url, self.timeout_s)
        elif self.slack_bot_token and self.slack_channel:
            builders["slack"] = lambda: SlackBot(self.slack_bot_token, self.slack_channel, self.slack_api_url,
                                                 self.timeout_s)
        if self.smtp_host and self.smtp_from and self.smtp_to:
            builders["email"] = lambda: Email(self.smtp_host, self.smtp_port, self.smtp_security, self.smtp_from,
                                              self.smtp_to, self.smtp_user, self.smtp_password, self.timeout_s)
        return builders

    @property
    def configured(self) -> bool:
        return bool(self.slack_webhook_url or self.slack_bot_token or self.smtp_host)

    def scrub(self, text: str) -> str:
        """`text` without any of this resource's secrets."""
        return scrub(text, (self.slack_webhook_url, self.slack_bot_token, self.smtp_password))

    def send(self, alert: Alert, only: Sequence[str] | None = None) -> dict[str, Delivery]:
        """Send `alert` to every configured channel (or those named in `only`: a retry); channel -> outcome. A
        channel that fails, whatever the reason, is reported and never stops the others; a failure no retry can
        help (a channel configured unsafely, a deleted webhook, a revoked token) is marked `permanent`."""
        outcomes: dict[str, Delivery] = {}
        for name, build in self._builders().items():
            if only is not None and name not in only:
                continue
            try:
                channel = build()
            except ValueError as error:  # configured unsafely: no retry will change that
                outcomes[name] = Delivery(name, False, self.scrub(f"ValueError: {error}"), permanent=True)
                continue
            try:
                channel.send(alert)
                outcomes[name] = Delivery(name, True)
            except ChannelError as error:
                outcomes[name] = Delivery(name, False, self.scrub(str(error)), error.permanent)
            except Exception as error:  # noqa: BLE001 - one channel's surprise must not stop the others
                outcomes[name] = Delivery(name, False, self.scrub(f"{type(error).__name__}: {error}"))
        return outcomes
