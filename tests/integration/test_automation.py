"""Sensors and schedules, evaluated the way the daemon evaluates them."""

import datetime as dt

import dagster as dg
import pyarrow.parquet as pq
import pytest

from customer360.automation.sensors import new_objects, streaming_files_sensor
from customer360.definitions import defs
from customer360.generate import generate_customers, generate_day
from customer360.resources.object_store import ObjectStoreResource, StoredObject

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def store(tmp_path):
    return ObjectStoreResource(bucket="landing", local_root=str(tmp_path / "lake"))


def drop_day(store, key: str, day: dt.date) -> None:
    table = generate_day(generate_customers(200, 1, AS_OF, 3), 1, day)
    store.write(key, lambda path: pq.write_table(table, path))


def evaluate(store, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"object_store": store})
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
    assert {s.name for s in repo.schedule_defs} == {"streaming_day_schedule", "nightly_dbt_build_schedule"}
    sensors = {s.name: s for s in repo.sensor_defs}
    assert {"streaming_files_sensor", "record_successful_runs", "record_failed_runs"} <= set(sensors)
    assert sensors["streaming_files_sensor"].default_status == dg.DefaultSensorStatus.RUNNING


def test_freshness_checks_cover_the_streaming_path_and_the_marts(c360_env):
    definitions = defs() if callable(defs) else defs
    checks = {(k.asset_key.to_user_string(), k.name) for k in definitions.resolve_asset_graph().asset_check_keys}
    for asset in ("bronze/bronze_transactions", "gold/fct_transactions", "gold/customer_360_profile"):
        assert any(a == asset and "fresh" in name for a, name in checks), asset
    assert "freshness_checks_sensor" in {s.name for s in definitions.get_repository_def().sensor_defs}
