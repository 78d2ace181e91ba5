"""Sensors and schedules, evaluated the way the daemon evaluates them."""

import datetime as dt

import dagster as dg
import pyarrow.parquet as pq
import pytest

from customer360.definitions import defs
from customer360.defs.landing.sensors import new_objects, streaming_files_sensor
from customer360.lib.generate import generate_customers, generate_day
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def store(tmp_path):
    return ObjectStoreResource(bucket="landing", local_root=str(tmp_path / "lake"))


def drop_day(store, key: str, day: dt.date) -> None:
    table = generate_day(generate_customers(200, 1, AS_OF, 3), 1, day)
    store.write(key, lambda path: pq.write_table(table, path))


def evaluate(store, cursor=None, instance=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"object_store": store},
                                      instance=instance or dg.DagsterInstance.ephemeral())
    return streaming_files_sensor(context), context


def test_new_objects_are_those_unseen_by_key_or_content():
    first = [StoredObject("a", 1, "x"), StoredObject("b", 1, "y")]
    fresh, cursor = new_objects(first, None)
    assert [o.key for o in fresh] == ["a", "b"]
    fresh, cursor = new_objects([*first, StoredObject("c", 1, "z")], cursor)
    assert [o.key for o in fresh] == ["c"]
    fresh, _ = new_objects([StoredObject("a", 1, "changed")], cursor)
    assert [o.key for o in fresh] == ["a"]


def test_the_sensor_requests_a_load_for_new_files_only_and_advances_its_cursor(store):
    drop_day(store, "transactions/streaming/2026-07-01/part-00000.parquet", dt.date(2026, 7, 1))
    result, _ = evaluate(store)
    assert len(result.run_requests) == 1 and result.run_requests[0].tags["c360/new_files"] == "1"

    again, _ = evaluate(store, result.cursor)
    assert isinstance(again, dg.SkipReason)

    # an outside producer drops a file under another name: only that one is new
    drop_day(store, "transactions/streaming/2026-07-02/from-partner.parquet", dt.date(2026, 7, 2))
    later, _ = evaluate(store, result.cursor)
    assert len(later.run_requests) == 1
    assert later.run_requests[0].tags["c360/first_file"].endswith("from-partner.parquet")
    assert later.run_requests[0].run_key != result.run_requests[0].run_key


def test_the_sensor_ignores_files_outside_the_streaming_prefix(store):
    drop_day(store, "transactions/historical/part-00000.parquet", dt.date(2026, 6, 1))
    result, _ = evaluate(store)
    assert isinstance(result, dg.SkipReason)


def test_the_streaming_schedule_targets_the_day_that_just_ended(c360_env):
    definitions = defs() if callable(defs) else defs
    schedule = definitions.get_schedule_def("streaming_day_schedule")
    context = dg.build_schedule_context(
        repository_def=definitions.get_repository_def(),
        scheduled_execution_time=dt.datetime(2026, 7, 3, 0, 15, tzinfo=dt.UTC),
    )
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-07-02"


def test_schedules_and_sensors_are_registered_and_on_by_default(c360_env):
    definitions = defs() if callable(defs) else defs
    repo = definitions.get_repository_def()
    assert {s.name for s in repo.schedule_defs} == {"streaming_day_schedule", "nightly_dbt_build_schedule",
                                                    "churn_training_schedule"}
    assert all(s.default_status == dg.DefaultScheduleStatus.RUNNING for s in repo.schedule_defs)
    sensors = {s.name: s for s in repo.sensor_defs}
    assert {"streaming_files_sensor", "record_successful_runs", "record_failed_runs", "reports_after_nightly_build",
            "churn_scoring_after_nightly_build"} <= set(sensors)
    assert all(sensor.default_status == dg.DefaultSensorStatus.RUNNING for sensor in sensors.values()), [
        name for name, sensor in sensors.items() if sensor.default_status != dg.DefaultSensorStatus.RUNNING]


def test_freshness_policies_cover_the_streaming_path_and_the_marts_with_no_superseded_api(c360_env):
    import warnings

    with warnings.catch_warnings():  # freshness checks and their sensor warned at every load: superseded
        warnings.simplefilter("error", dg.SupersessionWarning)
        definitions = defs() if callable(defs) else defs
    graph = definitions.resolve_asset_graph()
    fresh = {key.to_user_string(): graph.get(key).freshness_policy for key in graph.get_all_asset_keys()
             if graph.get(key).freshness_policy is not None}
    assert set(fresh) == {"bronze/bronze_transactions", "gold/fct_transactions", "gold/customer_360_profile",
                          "gold/customer_segments"}
    assert {policy.fail_window.to_timedelta() for policy in fresh.values()} == {dt.timedelta(hours=26)}
    assert not any("fresh" in key.name for key in graph.asset_check_keys)  # no check reads "updated  ago"


def test_the_dagster_home_the_project_writes_turns_freshness_evaluation_on(c360_env):
    import yaml

    from customer360.__main__ import DAGSTER_YAML

    assert yaml.safe_load(DAGSTER_YAML)["freshness"] == {"enabled": True}


def test_the_sensor_starts_no_increment_while_one_is_queued_or_running(store):
    from dagster._core.storage.dagster_run import DagsterRun

    instance = dg.DagsterInstance.ephemeral()
    drop_day(store, "transactions/streaming/2026-07-01/part-00000.parquet", dt.date(2026, 7, 1))
    running = instance.add_run(DagsterRun(job_name="transactions_increment", status=dg.DagsterRunStatus.STARTED))

    waiting, _ = evaluate(store, instance=instance)

    assert isinstance(waiting, dg.SkipReason) and running.run_id in waiting.skip_message
    instance.report_run_canceled(running)
    after, _ = evaluate(store, instance=instance)  # the same files, once that run is over: nothing was lost
    assert len(after.run_requests) == 1 and after.run_requests[0].tags["c360/new_files"] == "1"


def test_every_job_that_loads_bronze_or_moves_the_watermark_runs_one_at_a_time(c360_env):
    import yaml

    from customer360.__main__ import DAGSTER_YAML
    from customer360.lib.job_selection import SERIAL_TAG

    definitions = defs() if callable(defs) else defs
    watermark = {dg.AssetKey(["bronze", "bronze_transactions"]), dg.AssetKey(["silver", "stg_transactions"]),
                 dg.AssetKey(["gold", "fct_transactions"])}
    serial = {job.name for job in definitions.get_repository_def().get_all_jobs()
              if not job.name.startswith("__") and set(job.asset_layer.executable_asset_keys) & watermark}
    assert serial == {"customer360_full_graph", "customer_refresh", "source_replication", "nightly_dbt_build",
                      "transactions_increment"}
    for name in serial:
        assert definitions.resolve_job_def(name).tags.get(SERIAL_TAG), name
    limits = yaml.safe_load(DAGSTER_YAML)["concurrency"]["runs"]["tag_concurrency_limits"]
    assert {"key": SERIAL_TAG, "limit": 1} in limits
