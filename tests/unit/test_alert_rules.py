"""The alert rules without Dagster or a network: what a message says, one alert per incident, the retry queue and its
bounds, held runs that Dagster retries, recoveries, secrets scrubbed, and the settings that refuse a bad channel."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging

import pytest
from slack_sdk import WebClient

from customer360.lib.alerts import channels, ledger, runs
from customer360.lib.alerts.checks import CheckWatch
from customer360.lib.alerts.config import HIDDEN, scrub, ui_url_warning
from customer360.lib.alerts.ledger import Outbox, Resolved
from customer360.lib.alerts.message import (
    MAX_ERROR_CHARS,
    Alert,
    AlertKind,
    Delivery,
    RequestProblem,
    check_failed,
    request_alert,
    run_failure,
)
from customer360.lib.alerts.requests import WaitingWatch, failure_alerts
from customer360.lib.alerts.resource import AlertsResource
from customer360.lib.alerts.runs import FinishedRun, RunWatch
from customer360.lib.reports import requests
from customer360.lib.reports.requests import ReportRequest
from customer360.resources import alerts_resource
from customer360.settings import SettingsError, settings

UI = "https://dagster.example.com"
WEBHOOK = "https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnopqrstuvwx"  # pragma: allowlist secret
TOKEN = "xoxb-1111-2222-abcdefabcdefabcdef"  # pragma: allowlist secret
SMTP_PASSWORD = "smtp-pass-5d2c9e"  # pragma: allowlist secret
CHANNELS = ("slack", "email")


class Channels:
    """Stands in for the resource's send: records each (alert, channel); `down` channels fail."""

    def __init__(self, names=("slack", "email"), down=()):
        self.names, self.down, self.sent, self.tried = list(names), set(down), [], []

    def __call__(self, alert, only=None):
        outcomes = {}
        for name in self.names:
            if only is not None and name not in only:
                continue
            self.tried.append((alert.key, name))
            ok = name not in self.down
            if ok:
                self.sent.append((alert.key, name))
            outcomes[name] = Delivery(name, ok, "" if ok else "connection refused")
        return outcomes


def _alert(key="run:r1") -> Alert:
    return run_failure("nightly_dbt_build", None, key.split(":")[-1], "boom", UI, key=key)


def test_a_run_failure_names_the_job_and_partition_the_first_error_and_links_the_run():
    alert = run_failure("transactions_increment", "2026-06-30", "abc-123", "  bronze: file x.csv has 3 bad rows\n", UI)
    assert alert.kind == AlertKind.RUN_FAILURE and alert.key == "run:abc-123"
    assert alert.title == "Customer 360: Run failed: job transactions_increment (partition 2026-06-30)"
    assert alert.text.splitlines() == [alert.title, "Error: bronze: file x.csv has 3 bad rows", "Run: abc-123",
                                       "Open in Dagster: https://dagster.example.com/runs/abc-123"]


def test_a_materialization_started_from_the_ui_is_named_as_such():
    assert run_failure("__ASSET_JOB", None, "r", "boom", UI).subject == "ad hoc materialization"


def test_a_long_error_is_cut_and_says_so_and_no_ui_address_means_no_link():
    alert = run_failure("job", None, "r", "x" * 5000, None)
    assert alert.error.startswith("x" * MAX_ERROR_CHARS) and alert.error.endswith("the run's logs hold the rest)")
    assert len(alert.error) < MAX_ERROR_CHARS + 60
    assert alert.link is None and "Open in Dagster" not in alert.text


def test_a_churn_gate_and_a_report_request_have_their_own_kind_and_key():
    gate = check_failed(["churn", "churn_model_candidate"], "quality_gates", "f1 0.41 < 0.50", "r9", UI, gate=True)
    assert (gate.kind, gate.key, gate.link) == (AlertKind.CHURN_GATE, "check:churn/churn_model_candidate:quality_gates",
                                                f"{UI}/runs/r9")
    request = request_alert(42, "monthly_spend", RequestProblem.FAILED, "refused: no such segment", None, UI)
    assert (request.kind, request.subject, request.link) == (
        AlertKind.REPORT_REQUEST, "request 42 (monthly_spend) failed", None)
    assert request.key == "request:42:failed"


def _request(request_id: int, status: str, minutes_ago: int, run_id: str | None = None) -> ReportRequest:
    at = NOW - dt.timedelta(minutes=minutes_ago)
    return ReportRequest(request_id, "monthly_spend", "2026-04-01", "2026-06-30", "", None, "svc:crm", at, status,
                         run_id, [], None, at)


NOW = dt.datetime(2026, 6, 30, 13)
ALLOWED = dt.timedelta(minutes=30)


def test_requests_waiting_too_long_are_one_alert_naming_how_many_and_the_oldest_then_one_when_none_waits():
    """One cause (the daemon down) holds up every request: 40 waiting to start are one alert, not 40."""
    watch, sent = WaitingWatch(), []
    overdue = [_request(n, "requested", 61 - n) for n in range(1, 41)]  # asked 60 to 21 min ago: 31 overdue
    for tick in range(3):
        sent += [e for e in watch.observe(overdue, ALLOWED, NOW + dt.timedelta(minutes=tick), UI) if isinstance(e, Alert)]
        overdue.append(_request(50 + tick, "requested", 35))  # another crosses the wait while it lasts: nothing new
    [alert] = sent
    assert (alert.kind, alert.subject, alert.key) == (AlertKind.REQUESTS_WAITING, "31 report requests waiting to start",
                                                      "requests:waiting:to_start")
    assert "31 still waiting to start, the oldest request 1 (monthly_spend) for 60 min" in alert.text
    assert "Ids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 21 more" in alert.text and alert.link is None
    drained = watch.observe([], ALLOWED, NOW + dt.timedelta(minutes=5), UI)
    assert drained[0] == Resolved("requests:waiting:to_start") and drained[1].kind == AlertKind.REQUESTS_MOVING
    assert drained[1].recovery and "alerted at 2026-06-30 13:00 UTC" in drained[1].text
    assert watch.observe([], ALLOWED, NOW + dt.timedelta(minutes=6), UI) == []
    again = watch.observe([_request(60, "requested", 31)], ALLOWED, NOW + dt.timedelta(minutes=7), UI)
    assert again[0] == Resolved("requests:moving:to_start") and again[1].subject == "1 report request waiting to start"
    assert WaitingWatch.from_json(json.loads(json.dumps(watch.to_json()))) == watch  # it lives in the cursor


def test_a_slow_run_never_hides_a_stopped_requests_sensor_and_a_growing_incident_is_announced_again():
    """The review's case: one report runs past the wait, then the sensor stops and requests pile up to start."""
    watch, subjects = WaitingWatch(), []

    def tick(minute: int, found: list[ReportRequest]) -> None:
        subjects.extend(e.subject for e in watch.observe(found, ALLOWED, NOW + dt.timedelta(minutes=minute), UI)
                        if isinstance(e, Alert))

    slow = _request(1, "running", 31, "run-slow")
    tick(0, [slow])
    tick(5, [slow, _request(2, "requested", 31)])  # the sensor stopped: its own alert, though the slow one is open
    tick(9, [slow, _request(2, "requested", 35), _request(3, "requested", 32)])  # twice as many as announced: again
    tick(12, [slow] + [_request(n, "requested", 40) for n in range(2, 5)])  # 3: not twice the 2 announced
    assert subjects == ["1 report request waiting for their run to end", "1 report request waiting to start",
                        "2 report requests waiting to start"]
    assert WaitingWatch.from_json({"alerted_at": "2026-06-30T13:00"}) == WaitingWatch()  # a cursor of the old shape


def test_a_failed_request_is_alerted_only_when_no_run_alert_announces_its_failure():
    """A run that failed is run_failure_alerts' (held while Dagster retries it, one alert per run): the request's own
    alert would page for a failure a retry mends, or twice for one run."""
    def failed(request_id: int, error: str, run_id: str | None) -> ReportRequest:
        at = dt.datetime(2026, 6, 30, 12)
        return ReportRequest(request_id, "monthly_spend", "2026-04-01", "2026-06-30", "", None, "ana", at, "failed",
                             run_id, [], error, at)

    found = [failed(1, "refused: report 'x' is not in the catalogue", None),
             failed(2, "reports__monthly_spend: Binder Error: the report's query failed", "run-2"),
             failed(3, requests.run_ended_without_it("run-3", "CANCELED"), "run-3"),
             failed(4, requests.run_not_in_instance("run-4"), "run-4"),
             failed(5, requests.run_cancelled("run-5"), "run-5")]
    alerted = failure_alerts(found, UI)
    assert [alert.subject for alert in alerted] == [f"request {n} (monthly_spend) failed" for n in (1, 3, 4, 5)]


def test_an_alert_survives_the_cursor_as_json():
    alert = check_failed(["gold", "fct_transactions"], "unique", "2 duplicates", None, UI, gate=False)
    assert Alert.from_json(json.loads(json.dumps(alert.to_json()))) == alert
    assert alert.link == f"{UI}/assets/gold/fct_transactions"


def test_one_alert_per_key_while_it_repeats_within_the_window_then_again_after_it():
    outbox, send, log = Outbox(), Channels(), []
    outbox.dispatch([_alert(), _alert()], send, 0, log.append, send.names)
    outbox.dispatch([_alert()], send, ledger.WINDOW_S - 1, log.append, send.names)  # renews the window
    assert send.sent == [("run:r1", "slack"), ("run:r1", "email")]
    assert sum("not sent again" in line for line in log) == 2
    outbox.dispatch([_alert()], send, 2 * ledger.WINDOW_S, log.append, send.names)
    assert len(send.sent) == 4


def test_a_check_that_passed_is_news_again_when_it_fails_even_within_one_tick():
    outbox, send = Outbox(), Channels(names=["slack"])
    outbox.dispatch([_alert("check:a:b"), Resolved("check:a:b"), _alert("check:a:b"), _alert("check:a:b")], send, 0,
                    print, send.names)
    assert len(send.sent) == 2


def test_an_undelivered_alert_is_retried_on_the_failed_channel_only_until_it_arrives():
    outbox, log = Outbox(), []
    outbox.dispatch([_alert()], Channels(down={"email"}), 0, log.append, CHANNELS)
    assert [(p.alert.key, p.channels, p.attempts) for p in outbox.queue] == [("run:r1", ["email"], 1)]
    restored = Outbox.from_json(json.loads(json.dumps(outbox.to_json())))  # as the sensor's cursor keeps it
    again = Channels()
    restored.dispatch([], again, 30, log.append, CHANNELS)
    assert again.sent == [("run:r1", "email")] and restored.queue == []


def test_an_alert_undelivered_for_a_day_is_dropped_with_a_log_line():
    outbox, log = Outbox(), []
    outbox.dispatch([_alert()], Channels(down={"slack", "email"}), 0, log.append, CHANNELS)
    outbox.dispatch([], Channels(down={"slack", "email"}), 3600, log.append, CHANNELS)
    assert outbox.queue[0].attempts == 2
    outbox.dispatch([], Channels(), ledger.QUEUE_TTL_S + 1, log.append, CHANNELS)
    assert outbox.queue == []
    assert any(line.startswith("dropped an alert undelivered for 24 h to slack, email after 2 attempts")
               for line in log)


def test_the_queue_keeps_at_most_200_alerts_and_says_how_many_it_dropped():
    outbox, log = Outbox(), []
    alerts = [_alert(f"run:r{i}") for i in range(ledger.MAX_QUEUED + 5)]
    outbox.dispatch(alerts, Channels(down={"slack"}, names=["slack"]), 0, log.append, ["slack"])
    assert len(outbox.queue) == ledger.MAX_QUEUED and outbox.queue[0].alert.key == "run:r5"
    assert "dropped the 5 oldest undelivered alerts: more than 200 were waiting" in log


def test_a_channel_that_fails_is_tried_once_per_tick_and_the_rest_is_queued_for_it_untried():
    outbox, down, log = Outbox(), Channels(down={"slack"}), []
    alerts = [_alert(f"run:r{i}") for i in range(7)]
    outbox.dispatch(alerts, down, 0, log.append, CHANNELS)
    assert [name for _, name in down.tried].count("slack") == 1  # a dead channel costs one timeout per tick
    assert down.sent == [(a.key, "email") for a in alerts]
    assert [(p.alert.key, p.channels, p.attempts) for p in outbox.queue] == [
        ("run:r0", ["slack"], 1), *((f"run:r{i}", ["slack"], 0) for i in range(1, 7))]
    assert "not tried: slack failed earlier this tick (connection refused)" in outbox.queue[1].last_error
    up = Channels()
    outbox.dispatch([], up, 30, log.append, CHANNELS)
    assert up.sent == [(a.key, "slack") for a in alerts] and outbox.queue == []


class Clock:
    """A clock each send moves on by `per_send` seconds (a slow channel)."""

    def __init__(self, per_send: float):
        self.now, self.per_send = 0.0, per_send

    def __call__(self) -> float:
        return self.now

    def send(self, channels: Channels):
        def send(alert, only=None):
            self.now += self.per_send
            return channels(alert, only)
        return send


def test_sending_stops_after_the_budget_and_the_unsent_alerts_wait_for_the_next_tick():
    outbox, log, clock, channels = Outbox(), [], Clock(per_send=9), Channels()
    alerts = [_alert(f"run:r{i}") for i in range(7)]
    outbox.dispatch(alerts, clock.send(channels), 0, log.append, CHANNELS, clock=clock, budget_s=40)
    sent = sorted({key for key, _ in channels.sent})
    assert sent == ["run:r0", "run:r1", "run:r2", "run:r3", "run:r4"]  # started at 0, 9, 18, 27, 36 s: under 40
    assert [(p.alert.key, p.channels, p.attempts) for p in outbox.queue] == [
        (f"run:r{i}", ["slack", "email"], 0) for i in (5, 6)]
    assert "2 alerts wait for the next tick: this one spent its 40 s on sending" in log
    later = Channels()
    outbox.dispatch([], later, 30, log.append, CHANNELS)
    assert later.sent == [(f"run:r{i}", name) for i in (5, 6) for name in CHANNELS] and outbox.queue == []


def test_a_queued_alert_for_a_channel_no_longer_configured_is_dropped_with_a_warning():
    outbox, log, warnings = Outbox(), [], []
    outbox.dispatch([_alert()], Channels(down={"slack", "email"}), 0, log.append, CHANNELS)
    email_only = Channels(names=["email"])
    outbox.dispatch([], email_only, 30, log.append, ["email"], warn=warnings.append)  # redeployed without Slack
    assert email_only.sent == [("run:r1", "email")] and outbox.queue == []
    assert warnings == ["dropped for slack: the channel is no longer configured (queued since it failed with: slack: "
                        "connection refused; email: connection refused): Customer 360: Run failed: job "
                        "nightly_dbt_build"]


def test_the_queue_and_held_runs_stay_small_in_the_cursor_dagster_writes_every_tick():
    outbox, log = Outbox(), []
    long_error = "e" * 1500
    alerts = [run_failure("nightly", None, f"r{i}", long_error, UI) for i in range(ledger.MAX_QUEUED)]
    outbox.dispatch(alerts, Channels(down={"slack"}, names=["slack"]), 0, log.append, ["slack"])
    queued = json.dumps([p.to_json() for p in outbox.queue])
    assert len(queued) <= ledger.MAX_QUEUE_BYTES and outbox.queue[-1].alert.key == f"run:r{ledger.MAX_QUEUED - 1}"
    dropped = ledger.MAX_QUEUED - len(outbox.queue)
    assert dropped > 0 and len(queued) + len(json.dumps(outbox.queue[0].to_json())) > ledger.MAX_QUEUE_BYTES
    assert (f"dropped the {dropped} oldest undelivered alerts: the waiting ones took more than 100000 bytes of the "
            "sensor's cursor") in log
    watch = RunWatch()
    watch.observe(FinishedRun("r1", "nightly", None, True, will_retry=True, error=long_error), UI, 0)
    assert long_error not in json.dumps(watch.to_json())  # read again (first_error) when it is alerted


def test_nothing_is_sent_and_nothing_fails_without_a_channel():
    outbox, send = Outbox(), Channels(names=[])
    assert outbox.dispatch([_alert()], send, 0, print, send.names) == [] and outbox.queue == []
    assert AlertsResource().send(_alert()) == {} and not AlertsResource().configured


def _error_of(run_id: str) -> str:
    """The run's first error as the sensor reads it from Dagster when alerting a held run."""
    return f"error of {run_id}"


def _run(run_id, failed=True, partition=None, **kwargs) -> FinishedRun:
    return FinishedRun(run_id, "nightly_dbt_build", partition, failed, error=f"error of {run_id}", **kwargs)


def test_a_run_dagster_will_retry_is_held_and_forgotten_when_a_retry_succeeds():
    watch = RunWatch()
    assert watch.observe(_run("r1", will_retry=True), UI, 0) == []
    assert watch.observe(_run("r2", failed=False, root_run_id="r1", retry_number=1), UI, 60) == []
    assert watch.held == {} and watch.failing == {}


def test_a_run_whose_retries_fail_too_is_one_alert_naming_the_retries_and_the_last_run():
    watch = RunWatch()
    watch.observe(_run("r1", will_retry=True), UI, 0)
    watch.observe(_run("r2", will_retry=True, root_run_id="r1", retry_number=1), UI, 60)
    [alert] = watch.observe(_run("r3", root_run_id="r1", retry_number=2), UI, 120)
    assert alert.key == "run:r1" and alert.run_id == "r3" and alert.subject.endswith("after 2 retries")
    assert alert.error == "error of r3" and alert.link == f"{UI}/runs/r3"


def test_a_hold_no_retry_resolves_within_6_hours_is_alerted():
    watch = RunWatch()
    watch.observe(_run("r1", will_retry=True), UI, 0)
    assert watch.expire(UI, runs.HOLD_MAX_S - 1, _error_of) == []
    [alert] = watch.expire(UI, runs.HOLD_MAX_S, _error_of)
    assert alert.run_id == "r1" and "no retry finished within 6 h" in alert.error and watch.held == {}


def test_a_recovery_is_announced_once_for_the_same_job_and_partition_only():
    watch = RunWatch.from_json(json.loads(json.dumps(RunWatch().to_json())))
    watch.observe(_run("r1", partition="2026-06-29"), UI, 0)
    assert watch.observe(_run("r2", failed=False, partition="2026-06-30"), UI, 10) == []  # another partition
    [recovered] = watch.observe(_run("r3", failed=False, partition="2026-06-29"), UI, 20)
    assert recovered.kind == AlertKind.RUN_RECOVERED and recovered.link == f"{UI}/runs/r3"
    assert "after run r1 failed" in recovered.error
    assert watch.observe(_run("r4", failed=False, partition="2026-06-29"), UI, 30) == []


def _adhoc(run_id, assets, failed=True) -> FinishedRun:
    return FinishedRun(run_id, "__ASSET_JOB", None, failed, error=f"error of {run_id}", assets=assets)


def test_an_ad_hoc_materialization_names_its_assets_and_recovers_only_when_the_same_assets_succeed():
    watch = RunWatch()
    [failed] = watch.observe(_adhoc("rA", ("gold/orders",)), UI, 0)
    assert failed.title == "Customer 360: Run failed: ad hoc materialization of gold/orders"
    assert watch.observe(_adhoc("rB", ("gold/customers",), failed=False), UI, 10) == []  # another asset, same job
    assert watch.observe(_adhoc("rC", ("gold/customers", "gold/orders"), failed=False), UI, 20) == []  # another set
    [recovered] = watch.observe(_adhoc("rD", ("gold/orders",), failed=False), UI, 30)
    assert recovered.title == "Customer 360: Recovered: ad hoc materialization of gold/orders"
    assert "after run rA failed" in recovered.error


def test_a_subset_run_of_a_job_names_its_assets_and_a_long_selection_is_counted():
    assets = tuple(f"gold/a{i}" for i in range(7))
    alert = run_failure("nightly_dbt_build", "2026-06-30", "r", "boom", UI, assets=assets)
    assert alert.subject == ("job nightly_dbt_build on gold/a0, gold/a1, gold/a2, gold/a3, gold/a4 and 2 more assets "
                             "(partition 2026-06-30)")
    assert runs.job_key("j", None, assets) != runs.job_key("j", None, assets[:6])
    assert len(runs.job_key("j", None, tuple(f"gold/asset_{i}" for i in range(500)))) < 40  # a digest, in the cursor


def test_a_held_run_of_an_asset_selection_keeps_its_assets_until_it_is_alerted():
    watch = RunWatch.from_json(json.loads(json.dumps(RunWatch().to_json())))
    watch.observe(FinishedRun("r1", "__ASSET_JOB", None, True, will_retry=True, assets=("gold/orders",)), UI, 0)
    watch = RunWatch.from_json(json.loads(json.dumps(watch.to_json())))
    [alert] = watch.expire(UI, runs.HOLD_MAX_S, _error_of)
    assert alert.subject == "ad hoc materialization of gold/orders"


class Posted:
    """Stands in for slack_sdk's WebhookClient.send: records what would be posted, answers 200."""

    def __init__(self, status: int = 200, answer: str = "ok"):
        self.posts, self.status, self.answer = [], status, answer

    def __call__(self, **body):  # set on the class, it is called without the client
        self.posts.append(body)
        return type("Response", (), {"status_code": self.status, "body": self.answer})()


def test_slack_shows_error_text_literally_no_ping_no_fake_link_no_early_end_of_the_code_block(monkeypatch):
    posted = Posted()
    monkeypatch.setattr(channels.WebhookClient, "send", posted)
    error = "file <!channel> <https://evil.example|Open the run in Dagster>.csv & ``` done"
    alert = run_failure("job_<b>", None, "r1", error, UI)
    assert AlertsResource(slack_webhook_url=WEBHOOK).send(alert)["slack"].delivered
    [post] = posted.posts
    shown = [post["text"], post["blocks"][0]["text"]["text"]]
    for text in shown:
        assert "<!channel>" not in text and "<https://evil" not in text and "job_<b>" not in text
        assert "&lt;!channel&gt; &lt;https://evil.example|Open the run in Dagster&gt;.csv &amp;" in text
    block = shown[1]
    assert block.count("```") == 2 and block.index("```") < block.index("done") < block.rindex("```")
    assert block.endswith(f"<{UI}/runs/r1|Open the run in Dagster>") and block.count("<") == 1


@pytest.mark.parametrize(("status", "answer", "permanent"), [
    (404, "no_service", True), (410, "channel_is_archived", True), (403, "invalid_token", True),
    (429, "rate_limited", False), (503, "service unavailable", False)])
def test_a_webhook_slack_deleted_or_refused_is_a_permanent_failure_naming_the_setting(monkeypatch, status, answer,
                                                                                     permanent):
    monkeypatch.setattr(channels.WebhookClient, "send", Posted(status, answer))
    [outcome] = AlertsResource(slack_webhook_url=WEBHOOK).send(_alert()).values()
    assert not outcome.delivered and outcome.permanent is permanent
    assert outcome.detail.startswith(f"Slack webhook answered {status}: {answer}")
    assert ("fix C360_SLACK_WEBHOOK_URL" in outcome.detail) is permanent


@pytest.mark.parametrize(("error", "setting"), [("invalid_auth", "C360_SLACK_BOT_TOKEN"), ("token_revoked",
                         "C360_SLACK_BOT_TOKEN"), ("channel_not_found", "C360_SLACK_CHANNEL"), ("ratelimited", None)])
def test_a_bot_token_slack_refuses_is_a_permanent_failure_naming_the_setting(monkeypatch, error, setting):
    def refuses(client, **body):
        raise channels.SlackApiError("refused", {"ok": False, "error": error})
    monkeypatch.setattr(WebClient, "chat_postMessage", refuses)  # the client dagster-slack's resource gives
    [outcome] = AlertsResource(slack_bot_token=TOKEN, slack_channel="#a").send(_alert()).values()
    assert outcome.permanent is (setting is not None)
    assert outcome.detail == (f"Slack refused the message: {error}; retrying cannot help: fix {setting}" if setting
                              else f"Slack refused the message: {error}")


def test_a_permanent_failure_is_dropped_at_once_with_a_warning_for_this_and_the_ticks_other_alerts():
    def send(alert, only=None):
        sent = {"email": Delivery("email", True)} if "email" in (only or CHANNELS) else {}
        slack = {"slack": Delivery("slack", False, "Slack webhook answered 404: no_service; retrying cannot help: fix "
                                                   "C360_SLACK_WEBHOOK_URL", permanent=True)}
        calls.append(only)
        return {**(slack if "slack" in (only or CHANNELS) else {}), **sent}
    outbox, calls, log, warnings = Outbox(), [], [], []
    outcomes = outbox.dispatch([_alert("run:r1"), _alert("run:r2")], send, 0, log.append, CHANNELS, warn=warnings.append)
    assert outbox.queue == [] and calls == [["slack", "email"], ["email"]]
    assert sum(o.permanent for o in outcomes) == 2 and sum(o.delivered for o in outcomes) == 2
    assert len(warnings) == 2 and all(w.startswith("undeliverable to slack, dropped: ") for w in warnings)
    assert all("fix C360_SLACK_WEBHOOK_URL" in w for w in warnings)


def _evaluate(watch: CheckWatch, passed: bool, run_id: str, blocking: bool = True):
    return watch.observe(["gold", "orders"], "unique", passed, blocking, None if passed else "2 duplicates", run_id, UI,
                         gate=False)


def test_a_failed_check_that_passes_again_is_announced_once_and_a_pass_without_an_alert_is_not():
    watch = CheckWatch()
    assert [e for e in _evaluate(watch, True, "r0") if isinstance(e, Alert)] == []  # never alerted: nothing to say
    assert [e for e in _evaluate(watch, False, "r1", blocking=False) if isinstance(e, Alert)] == []
    [failed] = [e for e in _evaluate(watch, False, "r2") if isinstance(e, Alert)]
    watch = CheckWatch.from_json(json.loads(json.dumps(watch.to_json())))  # as the cursor keeps it
    [recovered] = [e for e in _evaluate(watch, True, "r3") if isinstance(e, Alert)]
    assert recovered.title == "Customer 360: Check passed again: gold/orders check unique"
    assert recovered.error == "passed in run r3 after failing in run r2" and recovered.link == f"{UI}/runs/r3"
    assert [e for e in _evaluate(watch, True, "r4") if isinstance(e, Alert)] == []


def test_a_check_that_flaps_within_the_window_announces_each_failure_and_each_recovery():
    watch, outbox, send = CheckWatch(), Outbox(), Channels(names=["slack"])
    for run_id, passed in (("r1", False), ("r2", True), ("r3", False), ("r4", True)):
        outbox.dispatch(_evaluate(watch, passed, run_id), send, 0, print, send.names)
    assert [key for key, _ in send.sent] == ["check:gold/orders:unique", "check_passed:gold/orders:unique"] * 2


def test_secrets_and_a_webhooks_path_are_scrubbed_from_any_text():
    text = f"POST {WEBHOOK} failed; path /services/T0001/B0002/abcdefghijklmnopqrstuvwx; {TOKEN}; {SMTP_PASSWORD}"
    scrubbed = scrub(text, [WEBHOOK, TOKEN, SMTP_PASSWORD, None])
    assert WEBHOOK not in scrubbed and "abcdefghijklmnopqrstuvwx" not in scrubbed
    assert TOKEN not in scrubbed and SMTP_PASSWORD not in scrubbed and scrubbed.count(HIDDEN) == 4


@pytest.mark.parametrize("error", [OSError, RuntimeError])  # a ChannelError, and a surprise
def test_a_channel_that_fails_reports_a_scrubbed_reason(monkeypatch, error):
    def fails(client, **body):
        raise error(f"POST {client.url} timed out")  # as a client's error can quote the URL: the webhook's secret
    monkeypatch.setattr(channels.WebhookClient, "send", fails)
    [outcome] = AlertsResource(slack_webhook_url=WEBHOOK).send(_alert()).values()
    assert not outcome.delivered and outcome.detail.endswith(f"POST {HIDDEN} timed out")
    assert "abcdefghijklmnopqrstuvwx" not in outcome.detail


def test_run_links_to_localhost_on_the_production_target_are_warned_about_at_load(caplog):
    local_ui = settings({"C360_SLACK_WEBHOOK_URL": WEBHOOK})
    assert local_ui.alerts.ui_url == "http://localhost:3000"
    warning = ui_url_warning(local_ui.alerts, "snowflake")
    assert warning.startswith("alerts link runs to http://localhost:3000, which only this machine can open: set "
                              "C360_ALERT_UI_URL")
    assert ui_url_warning(local_ui.alerts, "local") is None  # a laptop: localhost is right
    assert ui_url_warning(settings({}).alerts, "snowflake") is None  # no channel, no links
    assert ui_url_warning(settings({"C360_SLACK_WEBHOOK_URL": WEBHOOK, "C360_ALERT_UI_URL": UI}).alerts,
                          "snowflake") is None
    caplog.set_level(logging.WARNING)
    alerts_resource(dataclasses.replace(local_ui, target="snowflake"))
    assert [r.getMessage() for r in caplog.records if r.name == "customer360.alerts"] == [warning]


def test_no_alert_variable_means_no_channel():
    assert settings({}).alerts.channels == ()


def test_each_channel_is_on_when_its_variables_are_set_and_run_links_use_the_ui_address():
    s = settings({"C360_SLACK_WEBHOOK_URL": WEBHOOK, "C360_SMTP_HOST": "smtp.example.com",
                  "C360_SMTP_FROM": "c360@example.com", "C360_SMTP_TO": "a@example.com, b@example.com",
                  "C360_ALERT_UI_URL": "https://dagster.example.com/"})
    assert s.alerts.channels == ("slack", "email") and s.alerts.smtp_to == ("a@example.com", "b@example.com")
    assert s.alerts.ui_url == UI and settings({"C360_PORT": "3100"}).alerts.ui_url == "http://localhost:3100"


@pytest.mark.parametrize(("environ", "expected"), [
    ({"C360_SLACK_WEBHOOK_URL": WEBHOOK + "\n"}, "C360_SLACK_WEBHOOK_URL has whitespace around its value"),
    ({"C360_SMTP_PASSWORD": " " + SMTP_PASSWORD, "C360_SMTP_HOST": "h", "C360_SMTP_USER": "u",
      "C360_SMTP_FROM": "f@x", "C360_SMTP_TO": "t@x"}, "C360_SMTP_PASSWORD has whitespace around its value"),
    ({"C360_SLACK_BOT_TOKEN": TOKEN, "C360_SLACK_CHANNEL": "#a", "C360_SLACK_API_URL": "http://slack.example.com/api/"},
     "must be https://"),
    ({"C360_SLACK_BOT_TOKEN": TOKEN}, "needs C360_SLACK_CHANNEL"),
    ({"C360_SLACK_WEBHOOK_URL": WEBHOOK.replace("https", "http")}, "must be an https:// URL"),
    ({"C360_SLACK_WEBHOOK_URL": WEBHOOK, "C360_SLACK_BOT_TOKEN": TOKEN, "C360_SLACK_CHANNEL": "#a"}, "both set"),
    ({"C360_SMTP_HOST": "smtp.example.com", "C360_SMTP_TO": "a@x"}, "need C360_SMTP_FROM"),
    ({"C360_SMTP_TO": "a@x"}, "C360_SMTP_TO is set but C360_SMTP_HOST is not"),
    ({"C360_SMTP_HOST": "smtp.example.com", "C360_SMTP_FROM": "f@x", "C360_SMTP_TO": "a@x", "C360_SMTP_USER": "u",
      "C360_SMTP_PASSWORD": SMTP_PASSWORD, "C360_SMTP_SECURITY": "none"}, "in clear text"),
])
def test_a_bad_alert_setting_is_refused_naming_it_and_never_printing_a_secret(environ, expected):
    with pytest.raises(SettingsError) as error:
        settings(environ)
    message = str(error.value)
    assert expected in message
    assert all(secret not in message for secret in (WEBHOOK, "abcdefghijklmnopqrstuvwx", TOKEN, SMTP_PASSWORD))


@pytest.mark.parametrize("minutes", ["0", "-5", "half an hour"])
def test_the_wait_before_a_report_request_is_alerted_must_be_a_whole_number_of_minutes_above_zero(minutes):
    with pytest.raises(SettingsError, match="C360_REQUEST_ALERT_AFTER_MIN"):
        settings({"C360_REQUEST_ALERT_AFTER_MIN": minutes})
    assert settings({}).alerts.request_alert_after_min == 30
    assert alerts_resource(settings({"C360_REQUEST_ALERT_AFTER_MIN": "45"})).request_alert_after_min == 45


def test_a_bot_token_may_talk_plain_http_to_a_receiver_on_this_machine_only():
    s = settings({"C360_SLACK_BOT_TOKEN": TOKEN, "C360_SLACK_CHANNEL": "#a",
                  "C360_SLACK_API_URL": "http://127.0.0.1:8999/api/"})
    assert s.alerts.slack == "bot"
    with pytest.raises(ValueError, match="https"):
        AlertsResource(slack_bot_token=TOKEN, slack_channel="#a", slack_api_url="http://slack.example.com/").channels()


def test_a_channel_built_past_the_settings_checks_is_a_failed_outcome_not_a_crash():
    resource = AlertsResource(slack_bot_token=TOKEN, slack_channel="#a", slack_api_url="http://slack.example.com/")
    assert resource.send(_alert()) == {"slack": Delivery(
        "slack", False, "ValueError: a Slack bot token is only sent to an https:// API (plain http only to localhost)",
        permanent=True)}


def test_a_failed_run_read_before_dagster_decided_on_a_retry_waits_for_the_decision():
    watch = RunWatch()
    assert watch.observe(_run("r1", undecided=True), UI, 0) == [] and watch.undecided() == ["r1"]
    assert watch.decided("r1", True, UI, _error_of) == [] and watch.undecided() == []  # a retry comes: held as usual
    watch.observe(_run("r2", undecided=True), UI, 0)
    [alert] = watch.decided("r2", False, UI, _error_of)  # no retry: alerted at once
    assert alert.run_id == "r2" and alert.error == "error of r2" and "r2" not in watch.undecided()
