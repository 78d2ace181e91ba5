"""dbt silver and gold models as assets; dbt tests arrive as asset checks and land in observability too.

On DuckDB dbt runs in a subprocess that needs the file to itself, so its events are held until it exits; on
Snowflake each event reaches the UI as it happens, a model's with its table's row count and columns (a killed step
keeps what finished). Either way test results are written to observability.data_quality_metrics (and dbt's run
results to model_execution_log) after dbt exits.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from customer360.lib.churn.predictions import ensure_model_outputs
from customer360.lib.observability.models import record_models
from customer360.lib.observability.quality import CheckRecord, ensure_observability_schema, record_checks
from customer360.lib.observability.summary import table_counts
from customer360.lib.resources.dbt import (
    DBT_TARGET,
    LayerTranslator,
    dbt_project,
    keep_partial_parse,
    prune_invocations,
)
from customer360.lib.resources.warehouse import Warehouse
from customer360.settings import Settings, settings

FAILED_ROWS = "dagster_dbt/failed_row_count"
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
# A run with this tag set to "heavy" (or any Dagster backfill) runs every model on the heavy warehouse (Snowflake).
WAREHOUSE_TAG = "c360/warehouse"


def is_backfill(tags: dict[str, str]) -> bool:
    """A Dagster backfill, or a run an operator tagged c360/warehouse=heavy (a large rebuild launched by hand)."""
    return "dagster/backfill" in tags or tags.get(WAREHOUSE_TAG) == "heavy"


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


def table_metadata(session, keys: list[dg.AssetKey], specs: dict) -> dict[dg.AssetKey, dict]:
    """Row count and typed columns of each model's table, read from the warehouse in one session after dbt exits.

    The column descriptions come from the asset spec (dbt's docs); the types from one catalog query for every table,
    the counts from `table_counts` (base tables only: a view's count would run its query). dagster-dbt's
    fetch_row_counts()/fetch_column_metadata() open dbt's adapter per model in threads, which on DuckDB retried its
    connection after dbt released the file and slowed the full build's dbt stage (make bench)."""
    names = {key: (key.path[-2].lower(), key.path[-1].lower()) for key in keys if len(key.path) >= 2}
    if not names:
        return {}
    wanted = " or ".join("(lower(table_schema) = ? and lower(table_name) = ?)" for _ in names)
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in session.fetchall(
            f"select lower(table_schema), lower(table_name), lower(column_name), lower(data_type) "
            f"from information_schema.columns where {wanted} order by 1, 2, ordinal_position",
            [part for pair in names.values() for part in pair]):
        columns.setdefault((schema, table), []).append((column, data_type))
    counts = table_counts(session, only={f"{schema}.{table}" for schema, table in names.values()})
    metadata = {}
    for key, (schema, table) in names.items():
        if (schema, table) not in columns:
            continue
        spec_schema = specs[key].metadata.get("dagster/column_schema") if key in specs else None
        described = {c.name.lower(): c.description for c in spec_schema.columns} if spec_schema else {}
        metadata[key] = {"dagster/column_schema": dg.TableSchema(columns=[
            dg.TableColumn(name, data_type, description=described.get(name)) for name, data_type in columns[(schema, table)]])}
        if f"{schema}.{table}" in counts:
            metadata[key]["dagster/row_count"] = counts[f"{schema}.{table}"]
    return metadata


def materialized_key(event, key_for_output: Callable[[str], dg.AssetKey]) -> dg.AssetKey | None:
    """The asset a dbt event materializes (an Output names its output; a materialization its key), else None."""
    if isinstance(event, dg.Output):
        return key_for_output(event.output_name)
    return event.asset_key if isinstance(event, dg.AssetMaterialization) else None


def with_table_metadata(events: list, metadata: dict[dg.AssetKey, dict],
                        key_for_output: Callable[[str], dg.AssetKey]) -> list:
    """The buffered dbt events, each model's materialization carrying its table metadata."""
    enriched = []
    for event in events:
        key = materialized_key(event, key_for_output)
        if key in metadata:
            event = event.with_metadata({**event.metadata, **metadata[key]})
        enriched.append(event)
    return enriched


def streamed_with_metadata(stream: Iterable, session, key_for_output: Callable[[str], dg.AssetKey], specs: dict,
                           seen: list) -> Iterator:
    """dbt's events as dbt reports them, each model's materialization with its table metadata read at once; every
    event is also kept in `seen` for what is recorded after dbt exits."""
    for event in stream:
        key = materialized_key(event, key_for_output)
        if key is not None:
            event = with_table_metadata([event], table_metadata(session, [key], specs), key_for_output)[0]
        seen.append(event)
        yield event


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
        args = ["build", "--indirect-selection", "cautious", "--vars", s.dbt_vars_json(is_backfill(context.run.tags))]
        # The incremental models' pre-hook appends to observability.incremental_batches; customer_360_profile reads
        # gold.churn_predictions (empty until the churn model first scores).
        with warehouse.session() as session:
            ensure_observability_schema(session)
            ensure_model_outputs(session)
        invocation = dbt.cli(args, context=context)
        events, metadata = [], {}

        def record(read_metadata: bool) -> None:
            keep_partial_parse(invocation.target_path, project)
            running = context.instance.get_runs(dg.RunsFilter(statuses=IN_PROGRESS))
            prune_invocations(project.project_dir / DBT_TARGET, {run.run_id for run in running})
            run_results = _run_results(invocation)
            records = [_record(e, context.run.run_id) for e in events if isinstance(e, dg.AssetCheckResult)]
            keys = [k for k in (materialized_key(e, context.asset_key_for_output) for e in events) if k]
            with warehouse.session() as session:
                record_checks(session, records)
                record_models(session, run_results, context.run.run_id)
                if read_metadata:
                    metadata.update(table_metadata(session, keys, context.assets_def.specs_by_key))

        dbt_error = None
        if warehouse.reads_while_dbt_runs:
            try:
                with warehouse.session() as session:
                    yield from streamed_with_metadata(invocation.stream(), session, context.asset_key_for_output,
                                                      context.assets_def.specs_by_key, events)
            except GeneratorExit:  # the step was stopped: what was yielded is kept; nothing may be yielded now
                raise
            except BaseException as error:
                dbt_error = error
            record_after_dbt(lambda: record(read_metadata=False), dbt_error, context.log)
            if dbt_error is not None:
                raise dbt_error
            return
        # On DuckDB dbt's events are held until it exits (it holds the file until then), then each model's
        # materialization gets its row count and column types from the warehouse, in order, before dbt's error.
        try:
            for event in invocation.stream():
                events.append(event)
        except BaseException as error:
            dbt_error = error
        record_error = None
        try:
            record_after_dbt(lambda: record(read_metadata=True), dbt_error, context.log)  # failing tests too
        except Exception as error:  # the models dbt built are still reported before the step fails
            record_error = error
        yield from with_table_metadata(events, metadata, context.asset_key_for_output)
        if dbt_error is not None:
            raise dbt_error
        if record_error is not None:
            raise record_error

    return customer360_dbt


@dg.definitions
def transform_defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_dbt_assets(settings())])
