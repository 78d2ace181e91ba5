"""The report catalogue as assets: reports/<name>, each reading the gold relations it queries.

Parameters come from run config (date range, segment, who asked, an optional export table); defaults give the year
ending on the data's as-of date for every segment. One attempt = one row in observability.report_runs.
"""

import getpass
from collections.abc import Callable

import dagster as dg
from pydantic import Field

from customer360.lib.reports import requests, status
from customer360.lib.reports.catalogue import REPORTS, Report, ReportParameterError, ReportParams
from customer360.lib.reports.export import ExportError, ExportTarget, sql_type
from customer360.lib.reports.publish import Request, publish, sweep_abandoned
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.warehouse import Warehouse
from customer360.settings import Settings, settings

REPORTS_GROUP = "reports"
NO_RUN_RETRY_TAG = "dagster/retry_on_asset_or_op_failure"  # read by Dagster's run retries when the run fails


class ReportConfig(dg.Config):
    date_from: str = Field(default="", description="First day, YYYY-MM-DD; empty: 364 days before date_to.")
    date_to: str = Field(default="", description="Last day, YYYY-MM-DD; empty: the data's as-of date (C360_AS_OF).")
    segment: str = Field(default="", description="One generated segment (e.g. Declining); empty: every segment.")
    requested_by: str = Field(default="", description="Who asked; empty: the schedule/sensor, the UI user or the OS user.")
    export_schema: str = Field(default="", description="Also load the result into this schema (with export_table).")
    export_table: str = Field(default="", description="The table the result is loaded into, created if missing.")


def run_by(tags: dict[str, str]) -> str:
    """Who actually ran it, from the run's tags (the schedule, the sensor, the UI user), else the OS user."""
    for tag, label in (("dagster/schedule_name", "schedule"), ("dagster/sensor_name", "sensor")):
        if tag in tags:
            return f"{label}:{tags[tag]}"
    return tags.get("dagster/user") or getpass.getuser()


def requested_by(config: ReportConfig, tags: dict[str, str]) -> str:
    """Who asked, as the request claims it (free text), else who ran it; the trail keeps run_by beside it."""
    return config.requested_by.strip() or run_by(tags)


def run_ended(instance: dg.DagsterInstance) -> Callable[[str], str | None]:
    """A run's end state (or that the instance has no such run), None while it is queued or running."""
    def ended(run_id: str) -> str | None:
        run = instance.get_run_by_id(run_id)
        if run is None:
            return "no such run in this Dagster instance"
        return run.status.value if run.is_finished else None
    return ended


def execution_id(context: dg.AssetExecutionContext) -> str:
    """The request's id: a re-execution of a run (from the UI or `dagster job launch`) keeps its root run id."""
    return context.run.tags.get("dagster/root_run_id", context.run.run_id)


def report_asset(report: Report, s: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        name=report.name,
        key_prefix=["reports"],
        deps=[dg.AssetKey(["gold", relation]) for relation in report.reads],
        group_name=REPORTS_GROUP,
        kinds={"s3", "duckdb", "html"},
        description=f"{report.title}: {report.description} Writes reports/{report.name}/<date_to>/<run_id>/ "
                    f"({report.name}.csv, .parquet, .html) and a row in observability.report_runs.",
    )
    def _report(context: dg.AssetExecutionContext, config: ReportConfig, warehouse: dg.ResourceParam[Warehouse],
                object_store: ObjectStoreResource) -> dg.MaterializeResult:
        request_id = _claim_request(context, warehouse)
        try:
            result, keys, target = _run_report(context, config, warehouse, object_store, report, s)
        except dg.RetryRequested:  # the step runs again and claims the request again: it has not failed
            raise
        except Exception as error:
            if request_id is not None:
                _request_failed(context, warehouse, request_id, error)
            raise
        if request_id is not None:
            with warehouse.session() as session:
                requests.completed(session, request_id, keys, target.qualified if target else None)
        return result

    return _report


def _claim_request(context: dg.AssetExecutionContext, warehouse: Warehouse) -> int | None:
    """The report request this run carries (requests.REQUEST_TAG), moved to `running`; a run that may not carry it
    (cancelled, or another run has it) stops here, before it writes anything. None: a run nobody requested."""
    tagged = context.run.tags.get(requests.REQUEST_TAG)
    if tagged is None:
        return None
    with warehouse.session() as session:
        request = requests.start_running(session, int(tagged), execution_id(context))
    if request.status != requests.RUNNING or request.run_id != execution_id(context):
        # Not a failure a retry can mend (production retries failed runs, deploy/dagster.yaml): the run is told not
        # to be retried before it fails, so a user's cancel is one failed run, not three.
        tags = {NO_RUN_RETRY_TAG: "false"}
        if request.status == requests.CANCELLED:  # cancelled after the pick-up: nobody is to be alerted of this run
            tags[requests.CANCELLED_TAG] = "true"
        context.instance.add_run_tags(context.run.run_id, tags)
        raise dg.Failure(f"Report request {tagged} is {request.status} (run {request.run_id}), so this run "
                         f"({context.run.run_id}) does not produce it: a cancelled request never runs, a request runs "
                         "in one run only (a re-execution of its run only after that run failed). Nothing was "
                         "written; to have the report again, file a new request.", allow_retries=False)
    return int(tagged)


def _request_failed(context: dg.AssetExecutionContext, warehouse: Warehouse, request_id: int, error: Exception) -> None:
    try:
        with warehouse.session() as session:
            requests.failed(session, request_id, f"{type(error).__name__}: {error}", run_id=execution_id(context))
    except Exception as record_error:  # noqa: BLE001 - the report's own error is the one to raise
        context.log.warning(f"Could not record report request {request_id} as failed: {record_error}")


def _run_report(context: dg.AssetExecutionContext, config: ReportConfig, warehouse: Warehouse,
                object_store: ObjectStoreResource, report: Report,
                s: Settings) -> tuple[dg.MaterializeResult, list[str], ExportTarget | None]:
    asker = requested_by(config, context.run.tags)
    try:
        params = ReportParams.parse(config.date_from, config.date_to, config.segment, s.as_of)
        target = ExportTarget.parse(config.export_schema, config.export_table)
    except (ReportParameterError, ExportError) as error:  # every attempt leaves its row, a refused one too
        _record_refused(context, warehouse, report, config, asker, error)
        raise
    request = Request(report, params, execution_id(context), context.run.run_id, asker, target,
                      run_by=run_by(context.run.tags))
    sweep_abandoned(warehouse, object_store, run_ended(context.instance), log=context.log.warning)
    published = publish(warehouse, object_store, request, log=context.log.warning)
    html = next(key for key in published.keys if key.endswith(".html"))
    return dg.MaterializeResult(metadata={
        "dagster/row_count": published.row_count,
        "dagster/column_schema": dg.TableSchema(columns=[
            dg.TableColumn(field.name, sql_type(field.type).lower()) for field in published.result.schema]),
        "execution_id": request.execution_id,
        "requested_by": request.requested_by,
        "run_by": request.run_by,
        "parameters": params.as_json_dict(),
        "document": dg.MetadataValue.path(f"{object_store.location}{html}"),
        "objects": dg.MetadataValue.json(published.keys),
        "upload_attempts": published.upload_attempts,
        **({"export_table": target.qualified, "exported_rows": published.exported_rows} if target else {}),
        "preview": dg.MetadataValue.md(_markdown(published.result)),
    }), published.keys, target


def _record_refused(context: dg.AssetExecutionContext, warehouse: Warehouse, report: Report, config: ReportConfig,
                    asker: str, error: Exception) -> None:
    """The refused attempt's row, with the parameters as given (the shape of every attempt's `parameters`)."""
    given = {"date_from": config.date_from, "date_to": config.date_to, "segment": config.segment}
    try:
        with warehouse.session() as session:
            status.refused(session, status.Attempt(execution_id(context), context.run.run_id, report.name), given,
                           asker, error, run_by(context.run.tags))
    except Exception as record_error:  # noqa: BLE001 - the refusal is the error to raise
        context.log.warning(f"Could not record the refused attempt in observability.report_runs: {record_error}")


def _markdown(result, rows: int = 10) -> str:
    head = result.slice(0, rows).to_pylist()
    lines = ["| " + " | ".join(result.column_names) + " |", "|" + "---|" * len(result.column_names)]
    lines += ["| " + " | ".join("" if row[c] is None else str(row[c]) for c in result.column_names) + " |" for row in head]
    return "\n".join(lines)


def report_assets(s: Settings) -> list[dg.AssetsDefinition]:
    return [report_asset(report, s) for report in REPORTS]


@dg.definitions
def reports_defs() -> dg.Definitions:
    return dg.Definitions(assets=report_assets(settings()))
