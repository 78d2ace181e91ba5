"""No storms, and nothing lost while a channel is down: what a sensor remembers between ticks, in its cursor.

    new alerts ──> ledger: key seen within WINDOW? ──yes──> not sent (the same incident, still going on)
                       │ no
                       v
                 send to every configured channel ──> a channel failed ──> queue (retried on the next ticks)
                                                                              │ older than QUEUE_TTL, or more
                                                                              v than MAX_QUEUED: dropped, logged

The ledger slides: every repeat of a key renews it, so a check that fails on each run of a busy day is one alert,
and the next one comes only after WINDOW without a repeat (or after `forget`, when the check passed). Everything
here is bounded, because it lives in a sensor's cursor: at most MAX_QUEUED queued alerts and MAX_KEYS keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from customer360.lib.alerts.message import Alert, Delivery

WINDOW_S = 2 * 3600  # repeats within 2 h of the last one are the same incident
MAX_QUEUED = 200
QUEUE_TTL_S = 24 * 3600
MAX_KEYS = 2000

# Sends one alert to the named channels (None: every configured one) and says what became of it on each.
Send = Callable[[Alert, Sequence[str] | None], dict[str, Delivery]]
Log = Callable[[str], None]


@dataclass(frozen=True)
class Resolved:
    """The incident of `key` is over (a check passed, an asset is fresh again): its next alert is news."""

    key: str


@dataclass
class Pending:
    """An alert not yet delivered to `channels`."""

    alert: Alert
    channels: list[str]
    first_tried: float
    attempts: int = 1
    last_error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"alert": self.alert.to_json(), "channels": self.channels, "first_tried": self.first_tried,
                "attempts": self.attempts, "last_error": self.last_error}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pending:
        return cls(Alert.from_json(data["alert"]), list(data["channels"]), float(data["first_tried"]),
                   int(data["attempts"]), str(data["last_error"]))


@dataclass
class Outbox:
    seen: dict[str, float] = field(default_factory=dict)  # key -> when it last occurred
    queue: list[Pending] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"seen": self.seen, "queue": [p.to_json() for p in self.queue]}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Outbox:
        data = data or {}
        return cls(dict(data.get("seen", {})), [Pending.from_json(p) for p in data.get("queue", [])])

    def forget(self, key: str) -> None:
        """The incident is over (a check passed): its next failure is news again."""
        self.seen.pop(key, None)

    def is_repeat(self, alert: Alert, now: float) -> bool:
        """Whether `alert` repeats one seen within WINDOW_S; either way, the key is renewed."""
        last = self.seen.pop(alert.key, None)
        self.seen[alert.key] = now  # re-inserted: the dict stays ordered by last occurrence
        return last is not None and now - last < WINDOW_S

    def dispatch(self, events: Sequence[Alert | Resolved], send: Send, now: float, log: Log) -> list[Delivery]:
        """Retry the queue, then, in order, send each new alert that is not a repeat and forget each resolved
        incident; return every outcome of this tick."""
        outcomes = self._retry(send, now, log)
        for alert in events:
            if isinstance(alert, Resolved):
                self.forget(alert.key)
                continue
            if self.is_repeat(alert, now):
                log(f"not sent again (same incident within {WINDOW_S // 3600} h): {alert.title}")
                continue
            delivered = send(alert, None)
            outcomes += delivered.values()
            self._queue_failures(Pending(alert, [], now, 0), delivered, log)
        self._bound(now, log)
        return outcomes

    def _retry(self, send: Send, now: float, log: Log) -> list[Delivery]:
        outcomes, queued, self.queue = [], self.queue, []
        for pending in queued:
            if now - pending.first_tried > QUEUE_TTL_S:
                log(f"dropped an alert undelivered for {QUEUE_TTL_S // 3600} h to {', '.join(pending.channels)} "
                    f"after {pending.attempts} attempts (last error: {pending.last_error}): {pending.alert.title}")
                continue
            delivered = send(pending.alert, pending.channels)
            outcomes += delivered.values()
            self._queue_failures(pending, delivered, log)
        return outcomes

    def _queue_failures(self, pending: Pending, delivered: dict[str, Delivery], log: Log) -> None:
        failed = [d for d in delivered.values() if not d.delivered]
        if not failed:
            return
        pending.channels = [d.channel for d in failed]
        pending.attempts += 1
        pending.last_error = "; ".join(f"{d.channel}: {d.detail}" for d in failed)
        log(f"will retry on the next tick ({pending.last_error}): {pending.alert.title}")
        self.queue.append(pending)

    def _bound(self, now: float, log: Log) -> None:
        if len(self.queue) > MAX_QUEUED:
            dropped, self.queue = self.queue[:-MAX_QUEUED], self.queue[-MAX_QUEUED:]
            log(f"dropped the {len(dropped)} oldest undelivered alerts: more than {MAX_QUEUED} were waiting")
        self.seen = {key: at for key, at in self.seen.items() if now - at < WINDOW_S}
        if len(self.seen) > MAX_KEYS:
            self.seen = dict(list(self.seen.items())[-MAX_KEYS:])
