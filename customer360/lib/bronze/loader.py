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
from concurrent.futures import ThreadPoolExecutor
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

    def statements(self, objs: Sequence[StoredObject]) -> list[list[StoredObject]]:
        """The files loaded by one statement each (one file locally; up to 1,000 of one stage on Snowflake)."""

    def load_files(self, table: BronzeTable, objs: Sequence[StoredObject], on_error: str, run_id: str,
                   loaded_at) -> list[FileLoad]:
        """Load files that passed the whole-file checks in one statement, inside the caller's transaction: one
        FileLoad per file, in order. A file it does not keep (not LOADED or PARTIALLY_LOADED) leaves no rows."""

    def file_failure(self, error: Exception, table: BronzeTable, objs: Sequence[StoredObject],
                     on_error: str) -> FileLoad | None:
        """The outcome of the file `error` (raised loading `objs`) is the fault of, or raise TryAgain; None: not a
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
    # ABORT_STATEMENT: one transaction for the whole load; otherwise one per statement.
    groups = [pending] if on_error == ABORT_STATEMENT else target.statements(pending)
    for group in groups:
        while group:
            try:
                loaded = _load_group(session, target, table, source, group, on_error, run_id, log)
            except FileRejected as rejected:
                failed = rejected.load.result
                with session.transaction():
                    _record(session, [rejected.load], source.location, run_id, utc_now())
                results.append(failed)
                log_result(log, failed)
                if on_error == ABORT_STATEMENT:
                    raise CopyAborted(abort_message(table, failed)) from None
                group = [o for o in group if o.key != failed.file_name]  # the others load without it
                continue
            for result in loaded:
                log_result(log, result)
            results.extend(loaded)
            break
    return results


def _load_group(session, target: CopyTarget, table, source, group, on_error, run_id, log) -> list[FileLoadResult]:
    """Load `group` in one transaction; an engine error that is a file's fault becomes its FileRejected."""
    while True:
        statement = None
        try:
            with session.transaction():
                loaded = []
                for statement in target.statements(group):
                    loaded.extend(_load_statement(session, target, table, source, statement, on_error, run_id, log))
            return loaded
        except (FileRejected, TryAgain):
            raise
        except Exception as error:
            if statement is None:
                raise
            try:
                failure = target.file_failure(error, table, statement, on_error)
            except TryAgain:
                continue
            if failure is None:
                raise
            raise FileRejected(failure) from None


_CHECKS_AT_ONCE = 8  # whole-file checks read a header or a footer: on S3 a round trip each, so a few run at once


def _whole_file_checks(table: BronzeTable, source: ObjectStoreResource, objs: Sequence[StoredObject]) -> list:
    """Each file's problem with its folder, type, CSV header or Parquet columns (None: none)."""
    def problem(obj: StoredObject):
        found = key_problem(table, obj.key)
        if found is None:
            with source.open(obj.key) as handle:
                found = file_problem(table, file_type(obj.key), handle)
        return found

    if len(objs) < 2:
        return [problem(obj) for obj in objs]
    with ThreadPoolExecutor(max_workers=min(_CHECKS_AT_ONCE, len(objs))) as pool:
        return list(pool.map(problem, objs))


def _rejected_whole(table: BronzeTable, obj: StoredObject, problem, on_error: str) -> FileLoad:
    result = FileLoadResult(
        table_name=table.name, file_name=obj.key, status=LOAD_SKIPPED if on_error == "SKIP_FILE" else LOAD_FAILED,
        row_parsed=problem.rows_parsed, row_count=0, error_count=problem.rows_parsed, file_size=obj.size,
        file_etag=obj.etag, first_error_message=problem.reason)
    return FileLoad(result, [{"line_number": None, "column_name": None, "error_type": "FILE", "reason": problem.reason,
                              "raw_record": problem.raw_record}])


def _load_statement(session, target: CopyTarget, table: BronzeTable, source: ObjectStoreResource,
                    objs: Sequence[StoredObject], on_error: str, run_id: str, log) -> list[FileLoadResult]:
    """Check, load and record one statement's files inside the group's transaction. Under ABORT_STATEMENT a file
    that is not loaded raises FileRejected; otherwise it is recorded with the others."""
    problems = _whole_file_checks(table, source, objs)
    rejected = {obj.key: _rejected_whole(table, obj, found, on_error)
                for obj, found in zip(objs, problems, strict=True) if found}
    if rejected and on_error == ABORT_STATEMENT:
        raise FileRejected(next(iter(rejected.values())))
    loaded_at = utc_now()
    to_load = [obj for obj in objs if obj.key not in rejected]
    loads = {load.result.file_name: load for load in
             (target.load_files(table, to_load, on_error, run_id, loaded_at) if to_load else [])}
    failed = [load for load in loads.values() if load.result.status not in (LOADED, PARTIALLY_LOADED, ALREADY_LOADED)]
    if failed and on_error == ABORT_STATEMENT:
        raise FileRejected(failed[0])
    _count_duplicates(session, table, loads, loaded_at, run_id)
    outcomes = [rejected.get(obj.key) or loads[obj.key] for obj in objs]
    # A file the engine's own load metadata knew (ALREADY_LOADED) has nothing to record.
    _record(session, [o for o in outcomes if o.result.status != ALREADY_LOADED], source.location, run_id, loaded_at)
    if on_error == ABORT_STATEMENT and log is not None:
        for load in loads.values():
            if load.result.row_count:
                log.info(f"{load.result.file_name}: {load.result.row_count:,} rows staged; they commit with the whole "
                         "load (ABORT_STATEMENT)")
    return [o.result for o in outcomes]


def _count_duplicates(session, table: BronzeTable, loads: dict[str, FileLoad], loaded_at, run_id: str) -> None:
    """Each kept file's duplicate and repeated keys, from one query over the statement's rows. Every row the statement
    added must belong to a file it kept: rows of another file (lineage the engine got wrong, or rows of a file
    reported as not loaded) stop the load rather than commit without their history row."""
    kept = {name: load for name, load in loads.items() if load.result.status in (LOADED, PARTIALLY_LOADED)}
    if not loads:
        return
    counts = {row[0]: row[1:] for row in
              session.fetchall(duplicates_sql(table, len(loads)), [loaded_at, run_id, loaded_at, run_id])}
    strangers = sorted(set(counts) - set(kept))
    if strangers:
        raise RuntimeError(f"COPY INTO {table.qualified_name} wrote rows whose _source_file ({', '.join(strangers[:3])}) "
                           f"is none of the files it kept ({', '.join(sorted(kept)[:3]) or 'none'}); this statement's rows were "
                           "not kept")
    for name, load in kept.items():
        load.result = with_duplicates(load.result, counts.get(name, (0, 0)))


def _record(session: WarehouseSession, loads: Sequence[FileLoad], location: str, run_id: str, at) -> None:
    session.insert_rows("bronze.load_history", [load.result.history_row(location, at, run_id) for load in loads])
    session.insert_rows("bronze.bronze_rejects", [
        {"table_name": load.result.table_name, "file_name": load.result.file_name, **reject, "rejected_at": at,
         "run_id": run_id}
        for load in loads for reject in load.rejects])


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
