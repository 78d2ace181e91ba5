"""The semantic model as an asset: checked against the gold layer it describes, then published for Cortex Analyst.

Every build of the gold layer re-checks that each column the model names exists and that each verified query runs
(both targets); on Snowflake the checked file, with the deployment's database filled in, is uploaded to
@GOLD.SEMANTIC_MODELS (snowflake_setup/11_semantic_model.sql), where Cortex Analyst and the app's Ask page read it.
"""

import tempfile
from pathlib import Path

import dagster as dg

from customer360.lib.resources.warehouse import SNOWFLAKE, Warehouse, WarehouseSession
from customer360.lib.semantic import MODEL_PATH, STAGE, SemanticModel, load, problems

SEMANTIC_MODEL = dg.AssetKey(["gold", "semantic_model"])


def _described_relations() -> list[dg.AssetKey]:
    return [dg.AssetKey(["gold", table.table.lower()]) for table in load().tables]


def publish(session: WarehouseSession, model: SemanticModel) -> tuple[str, int]:
    """PUT the model, its base tables' database set to the session's, to the stage; returns (stage path, bytes)."""
    database = session.fetchone("SELECT CURRENT_DATABASE()")[0].upper()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / MODEL_PATH.name
        path.write_text(model.for_snowflake(database))
        session.fetchall(f"PUT file://{path} @{STAGE} AUTO_COMPRESS = FALSE OVERWRITE = TRUE")
        size = path.stat().st_size
    return f"@{database}.{STAGE}/{MODEL_PATH.name}", size


@dg.asset(key=SEMANTIC_MODEL, deps=_described_relations(), group_name="gold", kinds={"duckdb", "yaml"},
          code_version="customer360.yaml")
def semantic_model(context: dg.AssetExecutionContext, warehouse: dg.ResourceParam[Warehouse]) -> dg.MaterializeResult:
    """semantic_model/customer360.yaml (Cortex Analyst's format): every column it names exists in the gold layer and
    every verified query runs; on Snowflake it is then uploaded to @GOLD.SEMANTIC_MODELS for Cortex Analyst."""
    model = load()
    with warehouse.session() as session:
        found = problems(model, session.fetchall)
        if found:
            raise dg.Failure(
                description="semantic_model/customer360.yaml does not match the gold layer; fix the model (or the "
                            "dbt model it describes) and re-run:\n- " + "\n- ".join(found),
                metadata={"problems": dg.MetadataValue.json(found)})
        published = publish(session, model) if session.dialect == SNOWFLAKE else None
    metadata = {
        "tables": dg.MetadataValue.json({t.name: t.relation for t in model.tables}),
        "verified_queries": len(model.verified_queries),
        "columns": sum(len(t.columns) for t in model.tables),
        "metrics": sum(len(t.metrics) for t in model.tables),
        "source": dg.MetadataValue.path(str(MODEL_PATH)),
    }
    if published:
        metadata["published_to"] = published[0]
        metadata["bytes"] = published[1]
        context.log.info(f"Published the semantic model to {published[0]}")
    return dg.MaterializeResult(metadata=metadata)
