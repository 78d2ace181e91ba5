"""Report requests that failed or waited too long, alerted by `report_request_alerts` on loopback: the requests table
of a local warehouse, the sensor ticked as the daemon would, alerts delivered to the HTTP server that answers like
Slack and to a real SMTP server (aiosmtpd), as in test_alerts.py."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
from alert_receivers import assert_sent_once_each_though_slack_was_down, slack_receiver
from gold import build_gold
from test_alerts import UI, env, mail, slack  # noqa: F401 - registers the fixtures
from test_report_requests import Platform
from test_reports import local  # noqa: F401 - registers the fixture

from customer360.defs.alerts.requests import report_request_alerts
from customer360.defs.alerts.sensors import run_failure_alerts
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


def test_a_failure_no_run_alert_covers_is_alerted_once_naming_its_id_report_reason_and_run(
        ticks, slack, mail):  # noqa: F811 - the fixtures imported above
    fail(asked(1), "refused: report before the first tick")  # history: not alerted
    assert "watching from now on" in ticks()
    refused, ended = asked(1), asked(1)
    fail(refused, "refused: segment='Whales' is not a customer segment")
    fail(ended, requests.run_ended_without_it("0f3c2a9e-run", "CANCELED"), run_id="0f3c2a9e-run")
    fail(asked(1), "reports__monthly_spend: Binder Error: the report's query failed", run_id="run-failed")  # the run's
    ticks()
    ticks()
    [no_run, text] = slack.texts()
    assert no_run.startswith(f"Customer 360: Report request: request {refused} (monthly_spend) failed\n")
    assert "is not a customer segment; it never started a run" in no_run
    assert text.startswith(f"Customer 360: Report request: request {ended} (monthly_spend) failed\n")
    assert "ended CANCELED without completing the request" in text and f"{UI}/runs/0f3c2a9e-run" in text
    assert [m["Subject"] for m in mail.messages] == [f"Customer 360: Report request: request {n} (monthly_spend) failed"
                                                     for n in (refused, ended)]


def test_requests_waiting_past_the_setting_are_one_alert_per_incident_and_one_when_none_waits(ticks, env, slack,  # noqa: F811
                                                                                                 capfd):
    """The daemon down while a service keeps filing: one post for all the requests waiting, none for those that cross
    the wait while it lasts, no log line per request per tick, one post once none waits, and the next incident is
    news again. A failure is still its own alert."""
    env.setenv("C360_REQUEST_ALERT_AFTER_MIN", "40")
    ticks()
    waiting = [asked(80 - n) for n in range(40)]  # asked 80 to 41 min ago
    recent = asked(10)
    assert "1 new alerts; 1 deliveries made" in ticks()
    asked(50)  # crosses the wait while the incident lasts
    capfd.readouterr()
    assert "0 new alerts" in ticks() and "0 new alerts" in ticks()
    assert "request" not in capfd.readouterr().err.lower()  # the tick's log (Dagster's, on stderr): quiet meanwhile
    [alert] = slack.texts()
    assert alert.startswith("Customer 360: Report requests waiting too long: 40 report requests waiting to start\n")
    assert f"40 still waiting to start, the oldest request {waiting[0]} (monthly_spend) for 80 min" in alert
    assert "alerted after 40 min (C360_REQUEST_ALERT_AFTER_MIN)" in alert and f" {recent}," not in alert

    fail(waiting[0], requests.run_not_in_instance("run-slow"), run_id="run-slow")
    with warehouse_resource(settings()).session() as session:
        session.execute("UPDATE observability.report_requests SET status = 'completed' WHERE status = 'requested' "
                        "AND request_id <> ?", [recent])  # the daemon is back: the queue drains
    ticks()
    ticks()
    assert [text.splitlines()[0] for text in slack.texts()[1:]] == [
        f"Customer 360: Report request: request {waiting[0]} (monthly_spend) failed",
        "Customer 360: Report requests moving again: no report request waits too long to start"]
    asked(45)  # the next outage
    ticks()
    assert slack.texts()[-1].startswith("Customer 360: Report requests waiting too long: 1 report request waiting to start\n")
    assert len(slack.texts()) == 4


def test_an_alert_slack_could_not_take_is_sent_to_it_later_and_email_gets_it_once(ticks, slack, mail):  # noqa: F811
    assert_sent_once_each_though_slack_was_down(ticks, slack, mail, lambda: fail(asked(1), "boom"))


def test_nothing_is_sent_when_no_channel_is_configured(ticks):
    with slack_receiver() as receiver:  # listening, but no setting points at it
        ticks()
        fail(asked(90), "boom")
        asked(90)
        assert "not sent: no channel is configured" in ticks()
    assert receiver.posts == []


# --- A request's run and the run alerts: one alert per failure, from the sensor that can tell -----------------------

class Pipeline:
    """The requests sensor, the daemon's launches and both alert sensors against one instance with run retries on,
    as production has them (deploy/dagster.yaml)."""

    def __init__(self, platform: Platform, instance: dg.DagsterInstance):
        self.platform, self.instance, self.cursors = platform, instance, {}
        platform.instance = instance

    def alert_ticks(self) -> None:
        for sensor in (run_failure_alerts, report_request_alerts):
            resources = {"alerts": alerts_resource(settings(), timeout_s=5)}
            if sensor is report_request_alerts:
                resources["warehouse"] = self.platform.warehouse
            context = dg.build_sensor_context(instance=self.instance, cursor=self.cursors.get(sensor.name),
                                              resources=resources)
            sensor(context)
            self.cursors[sensor.name] = context.cursor

    def launch(self, run: dg.RunRequest, **tags: str) -> dg.ExecuteInProcessResult:
        return self.platform.launch(run, **tags)


@pytest.fixture
def pipeline(env, slack, request, tmp_path):  # noqa: F811 - the fixtures imported above
    platform = Platform(*request.getfixturevalue("local"))
    platform.instance.dispose()
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster"),
                              overrides={"run_retries": {"enabled": True, "max_retries": 2}}) as instance:
        pipeline = Pipeline(platform, instance)
        pipeline.alert_ticks()  # watching from now on
        yield pipeline


def test_a_request_whose_failed_run_a_retry_completes_alerts_nobody(pipeline, slack):  # noqa: F811
    request_id = pipeline.platform.insert("monthly_spend")
    [run] = pipeline.platform.tick()
    with pipeline.platform.warehouse.session() as session:
        session.execute("DROP TABLE gold.dim_month")  # a transient failure of the first attempt
    first = pipeline.launch(run)
    assert not first.success and pipeline.platform.request(request_id).status == "failed"
    pipeline.instance.add_run_tags(first.run_id, {"dagster/will_retry": "true"})  # as Dagster's run retries tag it
    pipeline.alert_ticks()
    with pipeline.platform.warehouse.session() as session:
        build_gold(session)  # the cause is gone
    retry = pipeline.launch(run, **{"dagster/root_run_id": first.run_id, "dagster/parent_run_id": first.run_id,
                                    "dagster/retry_number": "1"})
    assert retry.success and pipeline.platform.request(request_id).status == "completed"
    pipeline.alert_ticks()
    pipeline.alert_ticks()
    assert slack.texts() == []


def test_a_request_whose_run_fails_is_announced_once_by_the_run_alert(pipeline, slack):  # noqa: F811
    request_id = pipeline.platform.insert("monthly_spend")
    [run] = pipeline.platform.tick()
    with pipeline.platform.warehouse.session() as session:
        session.execute("DROP TABLE gold.dim_month")
    failed = pipeline.launch(run)
    pipeline.instance.add_run_tags(failed.run_id, {"dagster/will_retry": "false"})  # the retries are used up
    assert pipeline.platform.request(request_id).status == "failed"
    pipeline.alert_ticks()
    pipeline.alert_ticks()
    [text] = slack.texts()
    assert text.startswith("Customer 360: Run failed: job ") and failed.run_id in text and "dim_month" in text


def test_a_request_cancelled_after_its_pick_up_alerts_nobody_about_its_stopped_run(pipeline, slack):  # noqa: F811
    cancelled = pipeline.platform.insert("monthly_spend")
    [run] = pipeline.platform.tick()
    with pipeline.platform.warehouse.session() as session:
        requests.cancel(session, cancelled)  # its run already launched: it starts, and stops at its claim
    stopped = pipeline.launch(run)
    assert not stopped.success and pipeline.platform.request(cancelled).status == "cancelled"
    pipeline.alert_ticks()
    pipeline.platform.insert("monthly_spend")  # the same report's next run succeeds: nothing had failed
    assert pipeline.launch(pipeline.platform.tick()[0]).success
    pipeline.alert_ticks()
    pipeline.alert_ticks()
    assert slack.texts() == []
