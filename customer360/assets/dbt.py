"""dbt silver and gold models as assets; dbt tests arrive as asset checks and land in observability too.

dbt runs in a subprocess that needs the DuckDB file to itself, so test results are collected while dbt streams
and written to observability.data_quality_metrics (and its run results to model_execution_log) after it exits.
"""

import datetime as dt
from collections.abc import Callable

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from customer360.observability.models import record_models
from customer360.observability.quality import CheckRecord, ensure_observability_schema, record_checks
from customer360.resources.dbt import LayerTranslator, dbt_project, keep_partial_parse
from customer360.resources.warehouse import Warehouse
from customer360.settings import Settings

FAILED_ROWS = "dagster_dbt/failed_row_count"


def _record(result: dg.AssetCheckResult, run_id: str) -> CheckRecord:
    failed = result.metadata.get(FAILED_ROWS)
    return CheckRecord(
        check_name=result.check_name or "",
        asset_key=result.asset_key.to_user_string() if result.asset_key else "",
        passed=result.passed,
        severity=result.severity.value,
        observed_value=float(failed.value) if failed is not None else None,
        threshold=0.0,
        description="dbt test",
        run_id=run_id,
        checked_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )


def _run_results(invocation) -> dict:
    try:
        return invocation.get_artifact("run_results.json")
    except FileNotFoundError:  # dbt failed before writing it (bad profile, parse error)
        return {}


def release_dbt_adapter(invocation) -> None:
    """Close the warehouse connection dagster-dbt's adapter opened to fetch row counts and column types.

    On DuckDB it holds the file open in this process with dbt's settings; DuckDB refuses a second connection to one
    file with other settings (our sessions set a memory limit), so it must be gone before we record."""
    adapter = invocation.adapter
    if adapter is None:
        return
    adapter.cleanup_connections()
    if adapter.type() == "duckdb":
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        environment = DuckDBConnectionManager._ENV  # dbt-duckdb's shared database handle: close it, then forget it
        if environment is not None:
            environment.close()
        DuckDBConnectionManager.close_all_connections()


def record_after_dbt(record: Callable[[], None], dbt_error: BaseException | None, log) -> None:
    """Run `record` (observability writes after dbt exits) without ever hiding dbt's own error: if dbt failed and
    recording fails too, the recording failure is logged and dbt's error is the one the step fails with."""
    try:
        record()
    except Exception as error:
        if dbt_error is None:
            raise
        log.warning(f"Could not record this dbt run in observability ({type(error).__name__}: {error}); the step "
                    f"fails with dbt's own error below.")


def build_dbt_assets(s: Settings) -> dg.AssetsDefinition:
    project = dbt_project(s.dbt_target, s.dbt_vars_json())

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=LayerTranslator(
        settings=DagsterDbtTranslatorSettings(enable_code_references=True)))
    def customer360_dbt(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: dg.ResourceParam[Warehouse],
    ):
        # cautious: a test runs only when every model it reads is in this run, so a partial run (the streaming
        # increment) does not test marts it did not rebuild against facts it just grew.
        args = ["build", "--indirect-selection", "cautious", "--vars", s.dbt_vars_json()]
        # The incremental models' pre-hook appends to observability.incremental_batches.
        with warehouse.session() as session:
            ensure_observability_schema(session)
        invocation = dbt.cli(args, context=context)
        records = []

        def record() -> None:
            release_dbt_adapter(invocation)
            keep_partial_parse(invocation.target_path, project)
            run_results = _run_results(invocation)
            with warehouse.session() as session:
                record_checks(session, records)
                record_models(session, run_results, context.run_id)

        dbt_error = None
        try:
            # Row counts and column types (from the warehouse, through dbt's adapter) on every model; on DuckDB
            # dagster-dbt waits for dbt to exit before it opens the file.
            for event in invocation.stream().fetch_row_counts().fetch_column_metadata(with_column_lineage=False):
                if isinstance(event, dg.AssetCheckResult):
                    records.append(_record(event, context.run_id))
                yield event
        except BaseException as error:
            dbt_error = error
            raise
        finally:  # failing tests make dbt exit non-zero: their results still belong in observability
            record_after_dbt(record, dbt_error, context.log)

    return customer360_dbt
