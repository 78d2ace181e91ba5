"""The alert sensors end to end on loopback: real runs in a temporary Dagster instance, the sensors ticked as the
daemon would, alerts delivered to an HTTP server that answers like Slack and to a real SMTP server (aiosmtpd).
Settings come from the environment, as in production, and the resource is the one the definitions build."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time

import dagster as dg
import pytest
from alert_definitions import (
    SOURCE_ERROR,
    adhoc_job,
    balances,
    balances_config,
    churn_model_candidate,
    nightly_extract,
    orders,
    run_config,
)
from alert_receivers import assert_sent_once_each_though_slack_was_down, mail_receiver, slack_receiver
from conftest import free_port
from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange

from customer360.defs.alerts.sensors import check_and_freshness_alerts, run_failure_alerts
from customer360.lib.alerts.config import HIDDEN
from customer360.lib.alerts.message import run_failure
from customer360.lib.alerts.resource import AlertsResource
from customer360.resources import alerts_resource
from customer360.settings import settings

UI = "https://dagster.example.com"
ALERT_VARIABLES = ("C360_SLACK_WEBHOOK_URL", "C360_SLACK_BOT_TOKEN", "C360_SLACK_CHANNEL", "C360_SLACK_API_URL",
                   "C360_SMTP_HOST", "C360_SMTP_PORT", "C360_SMTP_SECURITY", "C360_SMTP_USER", "C360_SMTP_PASSWORD",
                   "C360_SMTP_FROM", "C360_SMTP_TO", "C360_ALERT_UI_URL")
BOT_TOKEN = "xoxb-test-7f3e9a1b2c4d5e6f"  # pragma: allowlist secret
SMTP_PASSWORD = "smtp-secret-83b1c0de"  # pragma: allowlist secret


class Ticks:
    """Ticks a sensor as the daemon would, keeping its cursor between ticks."""

    def __init__(self, sensor, instance: dg.DagsterInstance):
        self.sensor, self.instance, self.cursor, self.reasons = sensor, instance, None, []

    def __call__(self) -> str:
        resource = alerts_resource(settings(), timeout_s=5)
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor, resources={"alerts": resource})
        result = self.sensor(context)
        self.cursor = context.cursor
        self.reasons.append(result.skip_message)
        return result.skip_message


@pytest.fixture
def env(c360_env, monkeypatch):
    for name in ALERT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("C360_ALERT_UI_URL", UI)
    return monkeypatch


@pytest.fixture
def slack(env):
    with slack_receiver() as receiver:
        env.setenv("C360_SLACK_WEBHOOK_URL", receiver.webhook_url)
        yield receiver


@pytest.fixture
def mail(env):
    port = free_port()
    with mail_receiver(port) as receiver:
        for name, value in {"C360_SMTP_HOST": "127.0.0.1", "C360_SMTP_PORT": str(port), "C360_SMTP_SECURITY": "none",
                            "C360_SMTP_USER": "alerts", "C360_SMTP_PASSWORD": SMTP_PASSWORD,
                            "C360_SMTP_FROM": "c360@example.com", "C360_SMTP_TO": "oncall@example.com"}.items():
            env.setenv(name, value)
        yield receiver


def _instance(folder, **overrides):
    """A temporary Dagster instance (SQLite storage) in `folder`; `overrides`: its dagster.yaml settings."""
    folder.mkdir()
    return dg.instance_for_test(temp_dir=str(folder), overrides=overrides or None)


RUN_RETRIES = {"run_retries": {"enabled": True, "max_retries": 1}}


@pytest.fixture
def instance(tmp_path):
    with _instance(tmp_path / "dagster") as instance:
        yield instance


def _extract(instance, fail: bool, partition: str = "2026-06-30") -> str:
    result = nightly_extract.execute_in_process(run_config=run_config(fail), instance=instance, partition_key=partition,
                                                raise_on_error=False)
    assert result.success is not fail
    return result.run_id


def _retry(instance, parent: str, fail: bool) -> str:
    """A re-execution of `parent` from its failure, tagged as Dagster's run retries tag one, in this process."""
    tags = {"dagster/root_run_id": parent, "dagster/parent_run_id": parent, "dagster/retry_number": "1",
            "dagster/partition": "2026-06-30"}
    config = {**run_config(fail), "execution": {"config": {"in_process": {}}}}
    with dg.execute_job(dg.reconstructable(nightly_extract), instance, run_config=config, tags=tags,
                        reexecution_options=dg.ReexecutionOptions.from_failure(parent, instance)) as result:
        assert result.success is not fail
        return result.run_id


def test_a_failed_run_is_alerted_once_to_slack_and_by_email_with_its_error_and_run_link(instance, slack, mail):
    ticks = Ticks(run_failure_alerts, instance)
    assert "watching from now on" in ticks()
    run_id = _extract(instance, fail=True)
    ticks()
    ticks()
    assert len(slack.posts) == 1 and len(mail.messages) == 1
    link = f"{UI}/runs/{run_id}"
    [text] = slack.texts()
    assert "Run failed: job nightly_extract (partition 2026-06-30)" in text
    assert SOURCE_ERROR in text and link in text and link in json.dumps(slack.posts[0].body["blocks"])
    [message] = mail.messages
    assert message["Subject"] == "Customer 360: Run failed: job nightly_extract (partition 2026-06-30)"
    assert message["To"] == "oncall@example.com" and mail.logins == [("alerts", SMTP_PASSWORD)]
    body = message.get_content()
    assert SOURCE_ERROR in body and link in body


def test_history_before_the_first_tick_is_not_alerted(instance, slack):
    _extract(instance, fail=True)
    ticks = Ticks(run_failure_alerts, instance)
    ticks()
    ticks()
    assert slack.posts == []


def test_a_recovery_is_announced_once_when_the_same_job_and_partition_succeeds(instance, slack):
    ticks = Ticks(run_failure_alerts, instance)
    ticks()
    _extract(instance, fail=True, partition="2026-06-29")
    ticks()
    _extract(instance, fail=False, partition="2026-06-30")  # another partition: not a recovery
    ticks()
    assert len(slack.posts) == 1
    recovered = _extract(instance, fail=False, partition="2026-06-29")
    _extract(instance, fail=False, partition="2026-06-29")
    ticks()
    ticks()
    assert len(slack.posts) == 2
    assert "Recovered: job nightly_extract (partition 2026-06-29)" in slack.texts()[1]
    assert f"{UI}/runs/{recovered}" in slack.texts()[1]


def test_a_run_dagster_will_retry_is_held_and_alerted_once_when_its_retry_fails_too(tmp_path, slack):
    with _instance(tmp_path / "retries", **RUN_RETRIES) as instance:
        ticks = Ticks(run_failure_alerts, instance)
        ticks()
        first = _extract(instance, fail=True)
        assert instance.get_run_by_id(first).tags["dagster/will_retry"] == "true"  # set by Dagster, not by us
        ticks()
        assert slack.posts == []
        # The retry, tagged as Dagster's daemon tags a re-execution.
        retry = _retry(instance, first, fail=True)
        assert instance.get_run_by_id(retry).tags["dagster/will_retry"] == "false"
        ticks()
        ticks()
    assert len(slack.posts) == 1
    assert "job nightly_extract (partition 2026-06-30) after 1 retry" in slack.texts()[0]
    assert f"{UI}/runs/{retry}" in slack.texts()[0]


def test_a_retry_that_succeeds_alerts_nobody(tmp_path, slack):
    with _instance(tmp_path / "retries", **RUN_RETRIES) as instance:
        ticks = Ticks(run_failure_alerts, instance)
        ticks()
        first = _extract(instance, fail=True)
        _retry(instance, first, fail=False)
        ticks()
    assert slack.posts == []


def test_a_failed_blocking_check_and_a_churn_gate_are_alerted_once_per_window(instance, slack):
    ticks = Ticks(check_and_freshness_alerts, instance)
    ticks()
    for _ in range(2):
        first = dg.materialize([orders], instance=instance, raise_on_error=False)
        assert not first.success
    gate = dg.materialize([churn_model_candidate], instance=instance, raise_on_error=False)
    ticks()
    ticks()
    texts = slack.texts()
    assert len(texts) == 2
    assert "Blocking check failed: gold/orders check rows_match_bronze" in texts[0]
    assert "3 rows of bronze are missing" in texts[0] and f"{UI}/runs/" in texts[0]
    assert "Churn gate failed: churn/churn_model_candidate check quality_gates" in texts[1]
    assert f"{UI}/runs/{gate.run_id}" in texts[1]


def test_a_freshness_violation_and_its_recovery_are_each_alerted_once(instance, slack):
    ticks = Ticks(check_and_freshness_alerts, instance)
    ticks()
    key = dg.AssetKey(["gold", "customer_360_profile"])
    fail, warn, ok = FreshnessState.FAIL, FreshnessState.WARN, FreshnessState.PASS
    for new, previous in ((warn, ok), (fail, warn), (ok, fail), (fail, ok)):
        # What Dagster's freshness daemon reports when the state changes.
        instance.report_runless_asset_event(FreshnessStateChange(
            key=key, new_state=new, previous_state=previous, state_change_timestamp=time.time()))
    ticks()
    ticks()
    texts = slack.texts()
    assert len(texts) == 3  # the warning alone is no alert; failing again after a recovery is news
    assert "Freshness policy violated: asset gold/customer_360_profile" in texts[0] and "(was WARN)" in texts[0]
    assert f"{UI}/assets/gold/customer_360_profile" in texts[0]
    assert "Fresh again: asset gold/customer_360_profile" in texts[1] and "(now PASS)" in texts[1]
    assert "Freshness policy violated: asset gold/customer_360_profile" in texts[2]


def test_the_bot_token_posts_to_its_channel_through_dagster_slacks_client(instance, env):
    with slack_receiver() as receiver:
        env.setenv("C360_SLACK_BOT_TOKEN", BOT_TOKEN)
        env.setenv("C360_SLACK_CHANNEL", "#data-alerts")
        env.setenv("C360_SLACK_API_URL", receiver.api_url)
        ticks = Ticks(run_failure_alerts, instance)
        ticks()
        run_id = _extract(instance, fail=True)
        ticks()
    [post] = receiver.posts
    assert post.path == "/api/chat.postMessage" and post.authorization == f"Bearer {BOT_TOKEN}"
    assert post.body["channel"] == "#data-alerts" and f"{UI}/runs/{run_id}" in post.body["text"]


def test_an_alert_slack_could_not_take_is_delivered_on_a_later_tick_and_email_gets_it_once(instance, slack, mail):
    assert_sent_once_each_though_slack_was_down(Ticks(run_failure_alerts, instance), slack, mail,
                                                lambda: _extract(instance, fail=True))


def test_nothing_is_sent_and_nothing_fails_when_no_channel_is_configured(instance, env):
    with slack_receiver() as receiver:
        ticks = Ticks(run_failure_alerts, instance)
        ticks()
        _extract(instance, fail=True)
        assert "not sent: no channel is configured" in ticks()
        checks = Ticks(check_and_freshness_alerts, instance)
        checks()
        dg.materialize([orders], instance=instance, raise_on_error=False)
        assert "not sent: no channel is configured" in checks()
    assert receiver.posts == []


def test_no_secret_reaches_a_log_line_the_cursor_or_the_tick_when_a_channel_fails(instance, slack, mail, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    ticks = Ticks(run_failure_alerts, instance)
    ticks()
    slack.down = True
    _extract(instance, fail=True)
    ticks()
    ticks()
    # Every log line of the process but the test SMTP server's own (aiosmtpd logs the session it receives).
    logged = capfd.readouterr().err + "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert f"Slack webhook answered 503: service unavailable for {HIDDEN}" in logged  # logged, scrubbed
    path = slack.webhook_url.split(str(slack.port))[1]
    for secret in (slack.webhook_url, path, "hooksecretpathabcdef123456", SMTP_PASSWORD):
        assert secret not in logged and secret not in ticks.cursor and secret not in " ".join(ticks.reasons)


def test_aiosmtpds_debugging_server_prints_an_alert_the_docs_suggest_watching_for(env):
    """docs/alerts.md's way to watch e-mail under `make dev`: aiosmtpd's own server prints what it receives."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_for_port(port)
        for name, value in {"C360_SMTP_HOST": "127.0.0.1", "C360_SMTP_PORT": str(port), "C360_SMTP_SECURITY": "none",
                            "C360_SMTP_FROM": "c360@example.com", "C360_SMTP_TO": "oncall@example.com"}.items():
            env.setenv(name, value)
        outcomes = alerts_resource(settings()).send(run_failure("nightly_extract", None, "r1", SOURCE_ERROR, UI))
        assert outcomes["email"].delivered
    finally:
        server.terminate()
        printed = server.communicate(timeout=30)[0]
    assert "Subject: Customer 360: Run failed: job nightly_extract" in printed and f"{UI}/runs/r1" in printed


def _wait_for_port(port: int) -> None:
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after 10 s")


def test_the_resource_holds_the_secrets_names_never_their_values(slack, mail):
    """As the UI's resource page and run storage show it: the variables' names (EnvVar), read only when used."""
    resource = alerts_resource(settings())
    assert (resource.slack_webhook_url, resource.smtp_password) == ("C360_SLACK_WEBHOOK_URL", "C360_SMTP_PASSWORD")
    assert isinstance(resource.slack_webhook_url, dg.EnvVar) and isinstance(resource.smtp_password, dg.EnvVar)
    assert slack.webhook_url not in repr(resource) and SMTP_PASSWORD not in repr(resource)


def test_a_failed_run_read_before_dagster_tagged_its_retry_decision_is_alerted_once_the_tag_says_no(instance, slack,
                                                                                                   monkeypatch):
    """Dagster writes dagster/will_retry just after the failure (the daemon, if that was missed): a tick in between
    holds the run instead of alerting it twice or never."""
    ticks = Ticks(run_failure_alerts, instance)
    ticks()
    run_id = _extract(instance, fail=True)  # run retries are off in this instance: no tag is written
    assert "dagster/will_retry" not in instance.get_run_by_id(run_id).tags
    # ...and now they are on, as if the sensor had read the run between the failure and its tag.
    monkeypatch.setattr(type(instance), "run_retries_enabled", property(lambda self: True))
    ticks()
    assert slack.posts == []
    instance.add_run_tags(run_id, {"dagster/will_retry": "false"})  # as the daemon decides
    ticks()
    ticks()
    assert len(slack.posts) == 1 and f"{UI}/runs/{run_id}" in slack.texts()[0]


def test_a_slack_that_never_answers_costs_one_timeout_per_tick_and_email_gets_each_alert_once(instance, env, mail):
    """Dagster fails a sensor tick after 60 s and then loses its cursor: a dead channel must not cost a timeout per
    alert (7 alerts x 5 s here), or every tick would time out and e-mail would get each alert again."""
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(100)  # never accepted: connects, then silence, as a firewall or a Slack brown-out does
        env.setenv("C360_SLACK_WEBHOOK_URL", f"http://127.0.0.1:{hole.getsockname()[1]}/services/T1/B1/holesecret123")
        ticks = Ticks(run_failure_alerts, instance)  # timeout_s=5
        ticks()
        for _ in range(7):
            _extract(instance, fail=True)
        started = time.monotonic()
        reason = ticks()
        assert "7 new alerts; 7 deliveries made, 7 alerts waiting for a channel" in reason
        assert time.monotonic() - started < 2 * 5
        started = time.monotonic()
        assert "0 new alerts; 0 deliveries made, 7 alerts waiting for a channel" in ticks()  # the queue, retried
        assert time.monotonic() - started < 2 * 5
    assert len(mail.messages) == 7


def test_an_email_recipient_the_server_refuses_keeps_the_alert_queued_for_email(instance, mail, env):
    """smtplib raises only when every recipient is refused: one refused of two must not count as delivered."""
    env.setenv("C360_SMTP_TO", "oncall@example.com, full@example.com")
    mail.refuse.add("full@example.com")
    ticks = Ticks(run_failure_alerts, instance)
    ticks()
    _extract(instance, fail=True)
    assert "1 alerts waiting for a channel" in ticks()
    [message] = mail.messages
    assert message["X-Delivered-To"] == "oncall@example.com"
    mail.refuse.clear()
    ticks()
    assert [m["X-Delivered-To"] for m in mail.messages][1] == "oncall@example.com, full@example.com"


def test_an_ad_hoc_materialization_names_its_assets_and_another_assets_success_is_no_recovery(instance, slack):
    """Runs started from the UI all run as __ASSET_JOB: only the same assets succeeding again is a recovery."""
    ticks = Ticks(run_failure_alerts, instance)
    ticks()
    job = adhoc_job()
    assert not job.execute_in_process(instance=instance, asset_selection=[orders.key], raise_on_error=False).success
    ticks()
    assert job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey(["gold", "customers"])]).success
    ticks()
    [text] = slack.texts()
    assert text.startswith("Customer 360: Run failed: ad hoc materialization of gold/orders\n")


def test_a_deleted_webhook_is_dropped_at_once_with_a_warning_naming_the_setting_not_retried(instance, slack, mail,
                                                                                            capfd):
    ticks = Ticks(run_failure_alerts, instance)
    ticks()
    slack.gone = True
    _extract(instance, fail=True)
    assert ticks().endswith("1 deliveries made, 0 alerts waiting for a channel; 1 undeliverable, dropped (the tick's "
                            "log names the setting to fix)")
    [warning] = [line for line in capfd.readouterr().err.splitlines() if "undeliverable" in line]  # the tick's log
    assert " - WARNING - undeliverable to slack, dropped: " in warning
    assert "Slack webhook answered 404: no_service; retrying cannot help: fix C360_SLACK_WEBHOOK_URL" in warning
    slack.gone = False
    ticks()
    assert slack.posts == [] and len(mail.messages) == 1


def test_a_blocking_check_that_passes_again_is_announced_once(instance, slack):
    ticks = Ticks(check_and_freshness_alerts, instance)
    ticks()
    failed = dg.materialize([balances], instance=instance, run_config=balances_config(True), raise_on_error=False)
    ticks()
    passed = [dg.materialize([balances], instance=instance, run_config=balances_config(False)) for _ in range(2)]
    ticks()
    ticks()
    texts = slack.texts()
    assert len(texts) == 2 and "Blocking check failed: gold/balances check balances_add_up" in texts[0]
    assert texts[1].splitlines()[:2] == ["Customer 360: Check passed again: gold/balances check balances_add_up",
                                         f"Error: passed in run {passed[0].run_id} after failing in run {failed.run_id}"]


def test_an_smtp_login_the_server_refuses_is_a_permanent_failure_naming_the_settings(mail):
    mail.refuse_login = True
    resource = AlertsResource(smtp_host="127.0.0.1", smtp_port=mail.port, smtp_security="none", smtp_user="alerts",
                              smtp_password=SMTP_PASSWORD, smtp_from="c360@example.com", smtp_to=["oncall@example.com"],
                              timeout_s=5)
    outcome = resource.send(run_failure("nightly_extract", None, "r1", "boom", UI))["email"]
    assert not outcome.delivered and outcome.permanent and mail.messages == []
    assert "retrying cannot help: fix C360_SMTP_USER and C360_SMTP_PASSWORD" in outcome.detail
    assert SMTP_PASSWORD not in outcome.detail
