"""dbt's events reach the UI as dbt reports them where the warehouse can be read meanwhile (Snowflake)."""

import dagster as dg
import duckdb

from customer360.defs.transform.assets import streamed_with_metadata
from customer360.lib.resources.warehouse import DuckDBSession


def test_each_dbt_event_is_passed_on_before_dbt_reports_the_next_with_its_tables_metadata():
    session = DuckDBSession(duckdb.connect())
    session.execute("CREATE SCHEMA gold")
    session.execute("CREATE TABLE gold.fct (id INTEGER, amount DECIMAL(12, 2))")
    session.execute("INSERT INTO gold.fct VALUES (1, 2.5), (2, 3.5), (3, 1.0)")
    happened = []

    def dbt_reports():
        for name in ("fct", "missing"):
            happened.append(f"dbt reported {name}")
            yield dg.AssetMaterialization(asset_key=["gold", name])

    seen = []
    for event in streamed_with_metadata(dbt_reports(), session, lambda output: None, {}, seen):
        happened.append(f"passed on {event.asset_key.path[-1]}")
        if event.asset_key.path[-1] == "fct":
            assert event.metadata["dagster/row_count"].value == 3
            assert [c.name for c in event.metadata["dagster/column_schema"].schema.columns] == ["id", "amount"]
    assert happened == ["dbt reported fct", "passed on fct", "dbt reported missing", "passed on missing"]
    assert [e.asset_key.path[-1] for e in seen] == ["fct", "missing"]
    assert "dagster/row_count" not in seen[1].metadata  # a table the warehouse does not have gets nothing
