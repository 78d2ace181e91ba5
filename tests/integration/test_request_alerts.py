"""Report requests that failed or waited too long, alerted by `report_request_alerts` on loopback: the requests table
of a local warehouse, the sensor ticked as the daemon would, alerts delivered to the HTTP server that answers like
Slack and to a real SMTP server (aiosmtpd), as in test_alerts.py."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
from alert_receivers import slack_receiver
from test_alerts import UI, env, mail, slack  # noqa: F401 - registers the fixtures

from customer360.defs.alerts.requests import report_request_alerts
from customer360.lib.reports import requests
from customer360.resources import alerts_resource, warehouse_resource
from customer360.settings import settings

INSERT = ("INSERT INTO observability.report_requests (report, date_from, date_to, segment, requested_by, requested_at) "
          "VALUES (?, '2026-04-01', '2026-06-30', '', 'ana', ?)")


class Ticks:
    """Ticks the sensor as the daemon would, keeping its cursor; the resources the definitions build."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance, self.cursor = instance, None

    def __call__(self) -> str:
        s = settings()
        resources = {"alerts": alerts_resource(s, timeout_s=5), "warehouse": warehouse_resource(s)}
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor, resources=resources)
        result = report_request_alerts(context)
        self.cursor = context.cursor
        return result.skip_message


@pytest.fixture
def ticks(env, tmp_path):  # noqa: F811 - the fixture imported above
    settings().home.mkdir(parents=True, exist_ok=True)
    with warehouse_resource(settings()).session() as session:
        requests.ensure_requests_table(session)
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        yield Ticks(instance)


def asked(minutes_ago: float, report: str = "monthly_spend") -> int:
    """A request asked for `minutes_ago`, still waiting to start."""
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=minutes_ago)
    with warehouse_resource(settings()).session() as session:
        session.execute(INSERT, [report, at])
        return max(r.request_id for r in requests.list_requests(session))


def fail(request_id: int, why: str, run_id: str | None = None) -> None:
    with warehouse_resource(settings()).session() as session:
        if run_id:
            requests.start_running(session, request_id, run_id)
        requests.failed(session, request_id, why, run_id=run_id)


def test_a_failed_request_is_alerted_once_naming_its_id_report_reason_and_run(ticks, slack, mail):  # noqa: F811
    fail(asked(1), "refused: report before the first tick")  # history: not alerted
    assert "watching from now on" in ticks()
    request_id = asked(1)
    fail(request_id, "Binder Error: the report's query failed", run_id="0f3c2a9e-run")
    ticks()
    ticks()
    [text] = slack.texts()
    assert text.startswith(f"Customer 360: Report request: request {request_id} (monthly_spend) failed\n")
    assert "Binder Error: the report's query failed; its run is 0f3c2a9e-run" in text
    assert f"{UI}/runs/0f3c2a9e-run" in text
    [message] = mail.messages
    assert message["Subject"] == f"Customer 360: Report request: request {request_id} (monthly_spend) failed"
    assert "Binder Error" in message.get_content()


def test_a_request_waiting_past_the_setting_is_alerted_once_and_again_only_when_it_fails(ticks, env, slack):  # noqa: F811
    env.setenv("C360_REQUEST_ALERT_AFTER_MIN", "40")
    ticks()
    slow, recent = asked(45), asked(10)
    assert "1 new alerts; 1 deliveries made" in ticks()
    assert "1 new alerts; 0 deliveries made" in ticks()  # read again, the same incident: not sent
    [waiting] = slack.texts()
    assert waiting.startswith(f"Customer 360: Report request: request {slow} (monthly_spend) waiting too long\n")
    assert "still waiting to start 45 min after it was asked for" in waiting
    assert "alerted after 40 min, C360_REQUEST_ALERT_AFTER_MIN" in waiting and f"request {recent} " not in waiting

    fail(slow, "its run ended CANCELED without completing the request", run_id="run-slow")
    ticks()
    ticks()
    assert len(slack.texts()) == 2
    assert slack.texts()[1].startswith(f"Customer 360: Report request: request {slow} (monthly_spend) failed\n")


def test_an_alert_slack_could_not_take_is_sent_to_it_later_and_email_gets_it_once(ticks, slack, mail):  # noqa: F811
    ticks()
    slack.down = True
    fail(asked(1), "boom")
    assert "1 alerts waiting for a channel" in ticks()
    assert slack.posts == [] and len(mail.messages) == 1
    slack.down = False
    ticks()
    ticks()
    assert len(slack.posts) == 1 and len(mail.messages) == 1


def test_nothing_is_sent_when_no_channel_is_configured(ticks):
    with slack_receiver() as receiver:  # listening, but no setting points at it
        ticks()
        fail(asked(90), "boom")
        asked(90)
        assert "not sent: no channel is configured" in ticks()
    assert receiver.posts == []
