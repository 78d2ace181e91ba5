"""COPY INTO semantics once, for every target: what is skipped, checked, recorded and kept.

    landing objects ──► skip files whose (name, etag) is already in bronze.load_history (triage)
                   ──► whole-file checks (folder, type, CSV header, Parquet columns): a file that fails is never loaded
                   ──► the target loads the file and says what it found (rows parsed / loaded, rejected rows)
                   ──► ON_ERROR decides: load all / load good rows / skip the file / abort the statement
                   ──► bronze rows + load_history row + bronze_rejects rows commit together

Why a re-run is safe: the load-history row commits in the same transaction as the file's rows, so a file is either
loaded and recorded, or neither; the next COPY skips exactly the recorded files. ABORT_STATEMENT wraps the whole
statement in one transaction (all or nothing); CONTINUE and SKIP_FILE commit file by file.

A target (bronze/duckdb_copy.py, bronze/snowflake_copy.py) supplies only how one file is loaded, what its engine
reported, and which of its engine's errors are the file's fault. The `bronze_copy` resource is the target's
`BronzeCopy`, chosen by the wiring (customer360/resources.py), so assets never ask which warehouse they have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import dagster as dg

from customer360.lib.bronze.contracts import BronzeTable, file_type
from customer360.lib.bronze.file_checks import file_problem, key_problem
from customer360.lib.bronze.results import (
    ALREADY_LOADED,
    LOAD_FAILED,
    LOAD_SKIPPED,
    LOADED,
    ON_ERROR_HINT,
    PARTIALLY_LOADED,
    RECORDED_FILES_SQL,
    CopyAborted,
    FileLoadResult,
    duplicates_sql,
    log_known,
    log_result,
    recorded_outcomes,
    triage,
    utc_now,
    with_duplicates,
)
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject
from customer360.lib.resources.warehouse import WarehouseSession

ABORT_STATEMENT = "ABORT_STATEMENT"


@dataclass
class FileLoad:
    """What a target found loading one file: its result under ON_ERROR and the rows it rejected (line_number,
    column_name, error_type, reason, raw_record)."""

    result: FileLoadResult
    rejects: list[dict] = field(default_factory=list)


class FileRejected(Exception):
    """The file's rows must not stay (ON_ERROR skips or fails it): its transaction rolls back, then it is recorded."""

    def __init__(self, load: FileLoad):
        super().__init__(load.result.first_error_message)
        self.load = load


class TryAgain(Exception):
    """The target changed how it reads a file after its engine refused it; the group is loaded again."""


class CopyTarget(Protocol):
    """How one warehouse loads files; built per load by the target's `BronzeCopy`."""

    def prepare(self, table: BronzeTable) -> None:
        """Make sure the table and the control tables exist."""

    def load_file(self, table: BronzeTable, obj: StoredObject, on_error: str, run_id: str, loaded_at) -> FileLoad:
        """Load one file that passed the whole-file checks, inside the caller's transaction."""

    def file_failure(self, error: Exception, table: BronzeTable, obj: StoredObject, on_error: str) -> FileLoad | None:
        """The file's outcome if `error` (raised loading `obj`) is the file's fault, or raise TryAgain; None: not the
        file's fault (the error propagates). May raise an error that says what to fix instead."""


def copy_into(
    session: WarehouseSession,
    target: CopyTarget,
    table: BronzeTable,
    source: ObjectStoreResource,
    objects: Sequence[StoredObject],
    on_error: str,
    run_id: str,
    log=None,
    retry_failed: bool = False,
) -> list[FileLoadResult]:
    """COPY INTO `table` from the `objects` it accepts; return one result per file, already-loaded ones included.
    A file that failed before is loaded again only with `retry_failed`."""
    target.prepare(table)
    recorded = recorded_outcomes(session.fetchall(RECORDED_FILES_SQL, [table.name]))
    results, pending = triage(table, objects, recorded, on_error, retry_failed)
    log_known(log, results)
    groups = [pending] if on_error == ABORT_STATEMENT else [[o] for o in pending]
    for group in groups:
        try:
            loaded = _load_group(session, target, table, source, group, on_error, run_id, log)
        except FileRejected as rejected:
            with session.transaction():
                _record(session, rejected.load, source.location, run_id, utc_now())
            results.append(rejected.load.result)
            log_result(log, rejected.load.result)
            if on_error == ABORT_STATEMENT:
                raise CopyAborted(abort_message(table, rejected.load.result)) from None
            continue
        for result in loaded:
            log_result(log, result)
        results.extend(loaded)
    return results


def _load_group(session, target: CopyTarget, table, source, group, on_error, run_id, log) -> list[FileLoadResult]:
    """Load `group` in one transaction; an engine error that is the file's fault becomes its FileRejected."""
    while True:
        current = None
        try:
            with session.transaction():
                loaded = []
                for current in group:
                    loaded.append(_load_file(session, target, table, source, current, on_error, run_id, log))
            return loaded
        except (FileRejected, TryAgain):
            raise
        except Exception as error:
            if current is None:
                raise
            try:
                failure = target.file_failure(error, table, current, on_error)
            except TryAgain:
                continue
            if failure is None:
                raise
            raise FileRejected(failure) from None


def _load_file(session, target: CopyTarget, table: BronzeTable, source: ObjectStoreResource, obj: StoredObject,
               on_error: str, run_id: str, log) -> FileLoadResult:
    """Check, load and record one file inside the group's transaction; raise FileRejected if its rows must not stay."""
    problem = key_problem(table, obj.key)
    if problem is None:
        with source.open(obj.key) as handle:
            problem = file_problem(table, file_type(obj.key), handle)
    if problem is not None:
        result = FileLoadResult(
            table_name=table.name, file_name=obj.key, status=LOAD_SKIPPED if on_error == "SKIP_FILE" else LOAD_FAILED,
            row_parsed=problem.rows_parsed, row_count=0, error_count=problem.rows_parsed, file_size=obj.size,
            file_etag=obj.etag, first_error_message=problem.reason)
        raise FileRejected(FileLoad(result, [{"line_number": None, "column_name": None, "error_type": "FILE",
                                              "reason": problem.reason, "raw_record": problem.raw_record}]))
    loaded_at = utc_now()
    load = target.load_file(table, obj, on_error, run_id, loaded_at)
    if load.result.status == ALREADY_LOADED:  # the engine's own load metadata knew the file: nothing to record
        return load.result
    if load.result.status not in (LOADED, PARTIALLY_LOADED):
        raise FileRejected(load)
    load.result = with_duplicates(load.result, session.fetchone(duplicates_sql(table),
                                                                [obj.key, loaded_at, obj.key, loaded_at]))
    _record(session, load, source.location, run_id, loaded_at)
    if on_error == ABORT_STATEMENT and log is not None:
        log.info(f"{obj.key}: {load.result.row_count:,} rows staged; they commit with the whole load (ABORT_STATEMENT)")
    return load.result


def _record(session: WarehouseSession, load: FileLoad, location: str, run_id: str, at) -> None:
    result = load.result
    session.insert_rows("bronze.load_history", [result.history_row(location, at, run_id)])
    session.insert_rows("bronze.bronze_rejects", [
        {"table_name": result.table_name, "file_name": result.file_name, **reject, "rejected_at": at, "run_id": run_id}
        for reject in load.rejects])


def abort_message(table: BronzeTable, result: FileLoadResult) -> str:
    where = f" line {result.first_error_line_number}" if result.first_error_line_number else ""
    column = f" column {result.first_error_column_name}" if result.first_error_column_name else ""
    return (
        f"COPY INTO {table.qualified_name} aborted (ON_ERROR=ABORT_STATEMENT): {result.file_name}{where}{column}: "
        f"{result.first_error_message}. Nothing from this load was kept; rejected rows are in bronze.bronze_rejects. "
        f"To continue: {ON_ERROR_HINT}."
    )


class BronzeCopy(dg.ConfigurableResource):
    """The `bronze_copy` resource: COPY INTO on the run's warehouse. Each target's subclass builds its CopyTarget."""

    def target(self, session: WarehouseSession, source: ObjectStoreResource) -> CopyTarget:
        raise NotImplementedError(f"{type(self).__name__} names no copy target")

    def copy_into(self, session: WarehouseSession, table: BronzeTable, source: ObjectStoreResource,
                  objects: Sequence[StoredObject], on_error: str, run_id: str, log=None,
                  retry_failed: bool = False) -> list[FileLoadResult]:
        return copy_into(session, self.target(session, source), table, source, objects, on_error, run_id, log=log,
                         retry_failed=retry_failed)
