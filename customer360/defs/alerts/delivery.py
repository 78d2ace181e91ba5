"""What every alert sensor does once it knows its alerts: send them through its outbox (lib/alerts/ledger.py: no storms,
retries of a channel that was down, a bounded queue), keep the outbox in the sensor's cursor, and say in the tick what
happened. With no channel configured nothing is sent and the cursor still moves on."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import dagster as dg

from customer360.lib.alerts.ledger import SEND_BUDGET_S, Outbox, Resolved
from customer360.lib.alerts.message import Alert
from customer360.lib.alerts.resource import AlertsResource

ALERT_INTERVAL_S = 30


def deliver(context: dg.SensorEvaluationContext, alerts: AlertsResource, state: dict,
            events: Sequence[Alert | Resolved], now: float, started: float, note: str = "") -> dg.SkipReason:
    """Send `events` (and what the outbox in `state` still owes), store `state` as the cursor, and return the tick's
    summary. `started`: the tick's start (time.monotonic), so the sending ends within its budget; `note`: what the
    tick adds to its summary (a read that failed)."""
    outbox = Outbox.from_json(state.get("outbox"))
    new_alerts = [event for event in events if isinstance(event, Alert)]
    if alerts.configured:
        outcomes = outbox.dispatch(events, alerts.send, now, lambda line: context.log.info(alerts.scrub(line)),
                                   alerts.channel_names(), warn=lambda line: context.log.warning(alerts.scrub(line)),
                                   budget_s=SEND_BUDGET_S - (time.monotonic() - started))  # the tick's, reading included
    else:
        outcomes = []
    state["outbox"] = outbox.to_json()
    context.update_cursor(json.dumps(state))
    if not alerts.configured:
        return dg.SkipReason(f"{len(new_alerts)} alerts, not sent: no channel is configured (C360_SLACK_*, C360_SMTP_*)")
    delivered = sum(outcome.delivered for outcome in outcomes)
    undeliverable = sum(outcome.permanent for outcome in outcomes)
    dropped = f"; {undeliverable} undeliverable, dropped (the tick's log names the setting to fix)" if undeliverable else ""
    return dg.SkipReason(f"{note}{len(new_alerts)} new alerts; {delivered} deliveries made, "
                         f"{len(outbox.queue)} alerts waiting for a channel{dropped}")
