"""The observability asset: row and key counts of every layer after the run's loads and models."""

import dagster as dg

from customer360.lib.asset_keys import LAYER_RECORD_COUNTS
from customer360.lib.observability.counts import MEASURED_TABLES, measure_layers
from customer360.lib.resources.warehouse import Warehouse


def _measured_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey(m.table.split(".")) for m in MEASURED_TABLES]


@dg.asset(key=LAYER_RECORD_COUNTS, deps=_measured_keys(), group_name="observability", kinds={"duckdb"})
def layer_record_counts(context: dg.AssetExecutionContext, warehouse: dg.ResourceParam[Warehouse]) -> dg.MaterializeResult:
    """Appends, per run, each layer table's rows, distinct/null/duplicate keys and event-time span to
    observability.layer_record_counts (trend view: observability.v_record_count_trends)."""
    with warehouse.session() as session:
        rows = measure_layers(session, context.run.run_id)
    return dg.MaterializeResult(metadata={
        "tables": len(rows),
        **{f"{row['table_name']}_rows": row["row_count"] for row in rows},
    })
