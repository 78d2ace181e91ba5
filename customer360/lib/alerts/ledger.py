"""No storms, and nothing lost while a channel is down: what a sensor remembers between ticks, in its cursor.

    new alerts ──> ledger: key seen within WINDOW? ──yes──> not sent (the same incident, still going on)
                       │ no
                       v
                 send to every configured channel ──> a channel failed ──> queue (retried on the next ticks)
                                                                              │ older than QUEUE_TTL, or more
                                                                              v than MAX_QUEUED: dropped, logged

A tick must end well within Dagster's 60 s sensor limit (a tick that runs longer fails and its cursor is lost, so
the next one would send again what this one delivered). So a channel that fails once in a tick is not tried again
in that tick (a dead channel costs one timeout, not one per alert: the rest is queued for it untried), and once
SEND_BUDGET_S of sending has passed, every alert not yet sent is queued as it is, for the next tick. A failure no
retry can help (a deleted webhook, a revoked token: `Delivery.permanent`) is not queued but dropped at once, with a
warning that names the setting to fix.

The ledger slides: every repeat of a key renews it, so a check that fails on each run of a busy day is one alert,
and the next one comes only after WINDOW without a repeat (or after `forget`, when the check passed). Everything
here is bounded, because it lives in a sensor's cursor: at most MAX_QUEUED queued alerts and MAX_KEYS keys.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from customer360.lib.alerts.message import Alert, Delivery

WINDOW_S = 2 * 3600  # repeats within 2 h of the last one are the same incident
MAX_QUEUED = 200
# The queue's size in the cursor, which Dagster writes with every tick (2 sensors, every 30 s, kept for days): past it,
# the oldest queued alerts are dropped. A queued alert keeps at most MAX_LAST_ERROR_CHARS of its last error.
MAX_QUEUE_BYTES = 100_000
MAX_LAST_ERROR_CHARS = 300
QUEUE_TTL_S = 24 * 3600
MAX_KEYS = 2000
# Sending stops after this much of a tick. Dagster fails a sensor tick after 60 s, and the send started last may still
# take a timeout on each channel (the resource's `timeout_s`, 10 s): 30 + 2 x 10 leaves room for reading the events.
SEND_BUDGET_S = 30.0

# Sends one alert to the named channels (None: every configured one) and says what became of it on each.
Send = Callable[[Alert, Sequence[str] | None], dict[str, Delivery]]
Log = Callable[[str], None]
Clock = Callable[[], float]


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

    def dispatch(self, events: Sequence[Alert | Resolved], send: Send, now: float, log: Log, channels: Sequence[str],
                 clock: Clock = time.monotonic, budget_s: float = SEND_BUDGET_S, warn: Log | None = None
                 ) -> list[Delivery]:
        """Retry the queue, then, in order, send each new alert that is not a repeat and forget each resolved
        incident; return every outcome of this tick. `channels`: the configured ones. Within the tick, a channel that
        failed is not tried again, and after `budget_s` (by `clock`) nothing is sent: those alerts wait in the queue.
        A failure no retry can help (`Delivery.permanent`) is dropped at once, with a `warn` line naming what to fix."""
        tick = _Tick(send, list(channels), clock() + budget_s, clock, warn or log)
        self._retry(tick, now, log)
        for alert in events:
            if isinstance(alert, Resolved):
                self.forget(alert.key)
                continue
            if self.is_repeat(alert, now):
                log(f"not sent again (same incident within {WINDOW_S // 3600} h): {alert.title}")
                continue
            self._send(tick, Pending(alert, list(tick.channels), now, 0), log)
        if tick.postponed:
            log(f"{tick.postponed} alerts wait for the next tick: this one spent its {budget_s:.0f} s on sending")
        self._bound(now, log)
        return tick.outcomes

    def _retry(self, tick: _Tick, now: float, log: Log) -> None:
        queued, self.queue = self.queue, []
        for pending in queued:
            if now - pending.first_tried > QUEUE_TTL_S:
                log(f"dropped an alert undelivered for {QUEUE_TTL_S // 3600} h to {', '.join(pending.channels)} "
                    f"after {pending.attempts} attempts (last error: {pending.last_error}): {pending.alert.title}")
                continue
            if gone := [name for name in pending.channels if name not in tick.channels]:
                tick.warn(f"dropped for {', '.join(gone)}: the channel is no longer configured (queued since it failed "
                          f"with: {pending.last_error}): {pending.alert.title}")
                pending.channels = [name for name in pending.channels if name in tick.channels]
            if pending.channels:
                self._send(tick, pending, log)

    def _send(self, tick: _Tick, pending: Pending, log: Log) -> None:
        """Send `pending` to its channels that are still worth trying this tick; queue it for the others."""
        if tick.over():
            tick.postponed += 1
            self.queue.append(pending)
            return
        to_try = [name for name in pending.channels if name not in tick.broken]
        delivered = tick.send(pending.alert, to_try) if to_try else {}
        tick.outcomes += delivered.values()
        failed = [d for d in delivered.values() if not d.delivered]
        for outcome in failed:
            tick.broken.setdefault(outcome.channel, outcome)
        untried = [Delivery(name, False, f"not tried: {name} failed earlier this tick ({tick.broken[name].detail})",
                            tick.broken[name].permanent) for name in pending.channels if name not in to_try]
        tick.outcomes += [d for d in untried if d.permanent]
        for dropped in (d for d in failed + untried if d.permanent):
            tick.warn(f"undeliverable to {dropped.channel}, dropped: {dropped.detail}: {pending.alert.title}")
        self._queue_failures(pending, [d for d in failed if not d.permanent], [d for d in untried if not d.permanent],
                             log)

    def _queue_failures(self, pending: Pending, failed: list[Delivery], untried: list[Delivery], log: Log) -> None:
        if not failed and not untried:
            return
        pending.channels = [d.channel for d in failed + untried]
        pending.attempts += 1 if failed else 0
        pending.last_error = "; ".join(f"{d.channel}: {d.detail}" for d in failed + untried)[:MAX_LAST_ERROR_CHARS]
        log(f"will retry on the next tick ({pending.last_error}): {pending.alert.title}")
        self.queue.append(pending)

    def _bound(self, now: float, log: Log) -> None:
        if len(self.queue) > MAX_QUEUED:
            dropped, self.queue = self.queue[:-MAX_QUEUED], self.queue[-MAX_QUEUED:]
            log(f"dropped the {len(dropped)} oldest undelivered alerts: more than {MAX_QUEUED} were waiting")
        sizes = [len(json.dumps(pending.to_json())) for pending in self.queue]
        over = 0
        while sum(sizes[over:]) > MAX_QUEUE_BYTES:
            over += 1
        if over:
            self.queue = self.queue[over:]
            log(f"dropped the {over} oldest undelivered alerts: the waiting ones took more than {MAX_QUEUE_BYTES} bytes "
                "of the sensor's cursor")
        self.seen = {key: at for key, at in self.seen.items() if now - at < WINDOW_S}
        if len(self.seen) > MAX_KEYS:
            self.seen = dict(list(self.seen.items())[-MAX_KEYS:])


@dataclass
class _Tick:
    """One tick's sending: the channels that failed in it (not tried again) and its deadline."""

    send: Send
    channels: list[str]
    deadline: float
    clock: Clock
    warn: Log
    broken: dict[str, Delivery] = field(default_factory=dict)  # channel -> its failure: not tried again this tick
    outcomes: list[Delivery] = field(default_factory=list)
    postponed: int = 0

    def over(self) -> bool:
        return self.clock() >= self.deadline
