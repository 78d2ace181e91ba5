"""Extract one replicated table from the source into staging batch files, exactly once across crashes.

    read state ──► (a crashed run's pending files deleted) ──► pending marker ──► one REPEATABLE READ snapshot:
    count, then stream Arrow batches ordered by cursor ──► batch files ──► state: new cursor, marker cleared

State lives in the object store (replication_state/<schema>_<table>.json), where any re-run on any machine reads it.
One extract per table runs at a time: it holds a PostgreSQL advisory lock on the source for the table, and a second
extract stops at once naming the run in the pending marker. The lock ends with its session, so a marker whose lock
is free is a crashed run's: the next run deletes that run's files (bronze never saw them; it loads after
replication) and extracts again from the last committed cursor, so every row is staged once.

An incremental extract reads `cursor >= last` and drops the keys already taken at `last` (rows that share the last
cursor value with rows of the previous extract are neither lost nor repeated). A cursor is set when a row is written,
not when it commits: a transaction open during an extract can commit a row below the saved cursor. So each extract
also notes the oldest transaction id still open in its snapshot, and the next one re-reads every row version written
by that transaction or a later one (the row's `xmin`), dropping the (key, cursor) pairs the earlier snapshot already
saw. That re-read is a scan of the source table, not of the cursor's index.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import adbc_driver_postgresql.dbapi as adbc
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from customer360.lib.replication.config import ReplicatedTable
from customer360.lib.resources.object_store import ObjectStoreResource, StoredObject


class SchemaDriftError(RuntimeError):
    """A contract column is missing from the source table."""


class ExtractInProgress(RuntimeError):
    """Another extract of the same table holds it; this one staged nothing."""


@dataclass(frozen=True)
class StagingOptions:
    csv_max_rows: int = 100_000  # an extract below this many rows is staged as CSV, at or above as Parquet
    batch_rows: int = 100_000  # rows per staged file


@dataclass
class ExtractResult:
    table: ReplicatedTable
    rows: int = 0
    files: list[StoredObject] = field(default_factory=list)
    file_format: str | None = None
    cursor_from: object = None
    cursor_to: object = None
    new_source_columns: list[str] = field(default_factory=list)
    recovered_files: list[str] = field(default_factory=list)  # a crashed run's files, deleted before extracting
    unchanged: bool = False  # full refresh: the table is as the last extract staged it, so nothing new was kept
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def read_state(store: ObjectStoreResource, table: ReplicatedTable) -> dict:
    if not store.exists(table.state_key):
        return {}
    with store.open(table.state_key) as handle:
        return json.loads(handle.read())


def write_state(store: ObjectStoreResource, table: ReplicatedTable, state: dict) -> None:
    store.write(table.state_key, lambda path: path.write_text(json.dumps(state, indent=2, sort_keys=True)))


def source_columns(conn: adbc.Connection, table: ReplicatedTable) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
                    "ORDER BY ordinal_position", parameters=(table.schema, table.name))
        return [row[0] for row in cur.fetchall()]


def check_contract(conn: adbc.Connection, table: ReplicatedTable) -> list[str]:
    """The source columns the contract does not replicate; raise when the source lacks a contract column."""
    found = source_columns(conn, table)
    if not found:
        raise SchemaDriftError(f"The source has no table {table.qualified_source} (replication.yaml lists it): "
                               "check C360_SOURCE_DSN points at the operational database, or remove the entry")
    missing = [c for c in table.bronze.column_names if c not in found]
    if missing:
        raise SchemaDriftError(
            f"{table.qualified_source} no longer has {', '.join(missing)}, which its bronze contract in "
            "replication.yaml lists: nothing was staged. If the column was renamed or dropped on purpose, change the "
            "contract (and the bronze table) to match; otherwise fix the source.")
    return [c for c in found if c not in table.bronze.column_names]


def _cursor_value(table: ReplicatedTable, stored):
    """A cursor from the state file as the value to bind (timestamps are kept as ISO text in UTC)."""
    if stored is None:
        return None
    return dt.datetime.fromisoformat(stored) if table.cursor_type() == "TIMESTAMP" else stored


def _as_state(value) -> object:
    """A cursor as the state file keeps it: an aware timestamp in UTC; a naive one (a `timestamp` column) as it is,
    since astimezone() would read it in the worker's time zone and shift the cursor by its offset."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    return value


_DECIMAL = re.compile(r"(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)")


def _select_list(table: ReplicatedTable) -> str:
    """The contract's columns; numerics as text, since the driver hands PostgreSQL numeric over as an opaque type."""
    return ", ".join(f"{name}::text AS {name}" if _DECIMAL.fullmatch(sql_type) else name
                     for name, sql_type in table.bronze.columns)


def _bronze_types(batch: pa.Table, table: ReplicatedTable) -> pa.Table:
    """Decimals at the contract's precision; time zone-aware timestamps as naive UTC (TIMESTAMP / TIMESTAMP_NTZ)."""
    for name, sql_type in table.bronze.columns:
        i, column = batch.schema.get_field_index(name), batch.column(name)
        if decimal := _DECIMAL.fullmatch(sql_type):
            batch = batch.set_column(i, name, column.cast(pa.decimal128(int(decimal[1]), int(decimal[2]))))
        elif pa.types.is_timestamp(column.type) and column.type.tz is not None:
            batch = batch.set_column(i, name, column.cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us")))
    return batch


def _write(store: ObjectStoreResource, key: str, batch: pa.Table, kind: str, content=None) -> StoredObject:
    """Stage one batch file; `content` (a hashlib object) is fed the file's bytes: an S3 ETag is not a hash of the
    content on an SSE-KMS bucket, so an unchanged full refresh is recognised by this hash, not by ETags."""
    def written(path):
        if kind == "csv":
            pv.write_csv(batch, path)
        else:
            pq.write_table(batch, path, compression="zstd")
        if content is not None:
            content.update(path.read_bytes())

    return store.write(key, written)


def _delete_pending(store: ObjectStoreResource, table: ReplicatedTable, pending: dict) -> list[str]:
    stamp = pending["stamp"]
    stale = [o.key for o in store.list(table.prefix) if o.key.rsplit("_", 1)[-1].startswith(stamp + ".")]
    for key in stale:
        store.delete(key)
    return stale


# A row version's xmin is a 32-bit transaction id that wraps: "written by transaction `lo` or a later one" is a
# circular comparison within half the id space, as PostgreSQL's own. Ids below 3 are frozen or bootstrap rows.
_XIDS = 1 << 32


def _written_since(placeholder: str) -> str:
    xid = "xmin::text::bigint"
    return f"({xid} >= 3 AND ({xid} - {placeholder} + {_XIDS}) % {_XIDS} < {_XIDS // 2})"


def _lock_name(table: ReplicatedTable) -> str:
    return f"customer360 replication {table.qualified_source}"


@contextlib.contextmanager
def _only_extract(conn: adbc.Connection, table: ReplicatedTable, store: ObjectStoreResource) -> Iterator[None]:
    """Hold the source's advisory lock for the table (a session lock: it ends with the connection, so a killed run
    never holds it); raise ExtractInProgress when another extract has it."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", parameters=(_lock_name(table),))
        taken = bool(cur.fetchone()[0])
    conn.commit()
    if not taken:
        owner = read_state(store, table).get("pending") or {}
        raise ExtractInProgress(
            f"{table.qualified_source} is being extracted by run {owner.get('run_id') or '(unknown)'} (started "
            f"{owner.get('started_at') or 'at an unknown time'}); this extract staged nothing and left that run's "
            "files alone. Run it again when that run has finished: it stages what changed since.")
    try:
        yield
    finally:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", parameters=(_lock_name(table),))
            cur.fetchone()
        conn.commit()


def _pairs(batch: pa.RecordBatch | pa.Table, table: ReplicatedTable) -> pa.Array:
    """Each row's key and cursor as one text: what identifies a row version a window re-reads."""
    return pc.binary_join_element_wise(pc.cast(batch.column(table.primary_key), pa.string()),
                                       pc.cast(batch.column(table.cursor), pa.string()), "|")


def _seen_since(cur, table: ReplicatedTable, oldest_open: int) -> list[str]:
    """The row versions this snapshot sees that the next extract's window re-reads (and must drop)."""
    columns = ", ".join(dict.fromkeys((table.primary_key, table.cursor)))  # an id cursor may be the key itself
    cur.execute(f"SELECT {columns} FROM {table.qualified_source} "
                f"WHERE {_written_since('$1')}", parameters=(oldest_open,))
    return sorted(_pairs(cur.fetch_arrow_table(), table).to_pylist())


def extract(conn: adbc.Connection, table: ReplicatedTable, store: ObjectStoreResource,
            options: StagingOptions = StagingOptions(), now: dt.datetime | None = None, log=None,
            run_id: str | None = None) -> ExtractResult:
    """Stage the rows of `table` that bronze has not had yet (all of them in full-refresh mode); `run_id` names the
    run in the pending marker, for the message of an extract that finds the table busy."""
    with _only_extract(conn, table, store):
        return _extract(conn, table, store, options, now, log, run_id)


def _extract(conn: adbc.Connection, table: ReplicatedTable, store: ObjectStoreResource, options: StagingOptions,
             now: dt.datetime | None, log, run_id: str | None) -> ExtractResult:
    started = time.perf_counter()
    result = ExtractResult(table)
    state = read_state(store, table)
    if state.get("pending"):
        result.recovered_files = _delete_pending(store, table, state["pending"])
        if log:
            log.warning(f"{table.qualified_source}: an earlier extract stopped before it finished; deleted its "
                        f"{len(result.recovered_files)} staged files and extracting again from the last cursor")
    result.new_source_columns = check_contract(conn, table)
    if result.new_source_columns and log:
        log.warning(f"{table.qualified_source} has columns replication.yaml does not replicate: "
                    f"{', '.join(result.new_source_columns)} (recorded, not staged; add them to the contract to load)")

    at = now or dt.datetime.now(dt.UTC)
    stamp = at.strftime("%Y%m%dT%H%M%S%fZ")
    write_state(store, table, {**state, "pending": {"stamp": stamp, "run_id": run_id, "started_at": at.isoformat()}})

    columns = _select_list(table)
    where, params = "", ()
    last = _cursor_value(table, state.get("cursor")) if table.incremental else None
    taken = set(state.get("keys_at_cursor", ())) if table.incremental else set()
    window = state.get("window") if table.incremental and last is not None else None
    seen = pa.array(window["seen"] if window else [], pa.string())
    if last is not None:
        where, params = f" WHERE {table.cursor} >= $1", (last,)
        if window:  # rows committed since the last snapshot below its cursor (late commits)
            where, params = f"{where} OR {_written_since('$2')}", (last, window["oldest_open"])
    result.cursor_from = state.get("cursor")
    # Full refreshes in key order too: the same rows make the same files, so an unchanged table is recognised.
    order = f" ORDER BY {table.cursor}, {table.primary_key}" if table.incremental else f" ORDER BY {table.primary_key}"
    with conn.cursor() as cur:
        # One snapshot for the count and the rows: the format decision and the extract see the same data.
        conn.commit()  # the transaction of the contract check ends; the extract's own snapshot starts here
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            # The oldest transaction still open when the snapshot was taken (the next id when none is): a row it or
            # a later one writes may commit below the cursor this extract saves.
            cur.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            oldest_open = int(cur.fetchone()[0]) % _XIDS
            cur.execute(f"SELECT count(*) FROM {table.qualified_source}{where}", parameters=params or None)
            expected = int(cur.fetchone()[0])
            kind = "csv" if expected < options.csv_max_rows else "parquet"
            cur.execute(f"SELECT {columns} FROM {table.qualified_source}{where}{order}", parameters=params or None)
            reader = cur.fetch_record_batch()
            pending: list[pa.RecordBatch] = []
            pending_rows, batch_no = 0, 0
            cursor_to, keys_at_cursor = last, taken
            content = hashlib.sha256()

            def flush(batches: list[pa.RecordBatch]) -> None:
                nonlocal batch_no
                chunk = _bronze_types(pa.Table.from_batches(batches), table)
                result.files.append(_write(store, table.batch_key(batch_no, stamp, kind), chunk, kind, content))
                batch_no += 1

            for batch in reader:
                if last is not None and batch.num_rows:
                    batch = _not_staged_before(batch, table, last, taken, seen)
                if not batch.num_rows:
                    continue
                if table.incremental:
                    top = batch.column(table.cursor)[-1].as_py()
                    if cursor_to is None or top >= cursor_to:  # a batch of late rows only leaves the cursor
                        at_top = pc.equal(batch.column(table.cursor),
                                          pa.scalar(top, batch.schema.field(table.cursor).type))
                        top_keys = set(batch.column(table.primary_key).filter(at_top).to_pylist())
                        keys_at_cursor = (keys_at_cursor | top_keys) if top == cursor_to else top_keys
                        cursor_to = top
                result.rows += batch.num_rows
                pending.append(batch)
                pending_rows += batch.num_rows
                while pending_rows >= options.batch_rows:
                    whole = pa.Table.from_batches(pending)
                    flush(whole.slice(0, options.batch_rows).to_batches())
                    rest = whole.slice(options.batch_rows)
                    pending, pending_rows = rest.to_batches(), rest.num_rows
            if pending_rows:
                flush(pending)
            new_window = ({"oldest_open": oldest_open, "seen": _seen_since(cur, table, oldest_open)}
                          if table.incremental else None)
        finally:
            conn.commit()
    result.cursor_to = _as_state(cursor_to)
    if table.incremental:
        new_state = {"cursor": result.cursor_to, "keys_at_cursor": sorted(keys_at_cursor, key=str),
                     "window": new_window}
    else:
        # A full refresh of a table that has not changed would only add copies of the same rows to bronze.
        new_state = {"content_sha256": content.hexdigest()}
        if result.files and new_state["content_sha256"] == state.get("content_sha256"):
            for staged in result.files:
                store.delete(staged.key)
            result.files, result.rows, result.unchanged = [], 0, True
    result.file_format = kind if result.files else None
    write_state(store, table, {**new_state, "last_extract": {
        "stamp": stamp, "run_id": run_id, "rows": result.rows, "files": [f.key for f in result.files],
        "unchanged": result.unchanged, "new_source_columns": result.new_source_columns}})
    result.seconds = time.perf_counter() - started
    return result


def _not_staged_before(batch: pa.RecordBatch, table: ReplicatedTable, last, taken: set, seen: pa.Array):
    """Drop the rows an earlier extract staged: keys already taken at the last cursor value, and the row versions
    below it that the last snapshot saw (what remains below it committed late)."""
    cursor_type = batch.schema.field(table.cursor).type
    drop = pc.and_(pc.equal(batch.column(table.cursor), pa.scalar(last, cursor_type)),
                   pc.is_in(batch.column(table.primary_key), pa.array(list(taken), batch.schema.field(
                       table.primary_key).type)))
    below = pc.less(batch.column(table.cursor), pa.scalar(last, cursor_type))
    drop = pc.or_(drop, pc.and_(below, pc.is_in(_pairs(batch, table), seen)))
    return batch.filter(pc.invert(drop))
