"""A fakesnow server (a DuckDB-backed Snowflake emulator) for the Snowflake-target tests.

    python tests/support/fakesnow_server.py PORT

What fakesnow cannot run, and how the tests deal with it (each is verified only against a real account):
- Roles, grants and revokes, warehouses, storage integrations, masking policies, DESC INTEGRATION and ALTER STAGE:
  not emulated. The setup test runs every snowflake_setup/ statement and asserts that exactly
  these fail and everything else succeeds; static tests (test_infrastructure_code.py) check what they say.
- s3:// stages: fakesnow reads file:// stages only, so the tests point the stages at the local lake with
  C360_STAGE_URL (the production path to S3 is tested against moto in test_object_store_s3.py).
- ON_ERROR = CONTINUE | SKIP_FILE: fakesnow implements ABORT_STATEMENT only; those two modes are tested on the
  local target (test_copy_into.py), and their mapping of COPY's result rows in test_snowflake_copy_results.
- dbt: the first `dbt build` of the whole project runs (all 99 nodes) once masking is off (C360_MASK_PII=false:
  no masking policies); a second build fails because dbt-snowflake's incremental and snapshot materializations
  create database-qualified TEMPORARY tables, which fakesnow refuses. Re-runs of the models are tested locally.
- Positional columns ($1, $2, ...) in a COPY transformation of a CSV file: fakesnow only strips `$1:name` (Parquet).
  The one gap we fill here, below, so the tests send the production COPY statement unchanged: `$n` becomes the
  n-th CSV column of DuckDB's reader.
- METADATA$FILENAME in a COPY transformation: fakesnow has none; the shim below puts each file's FILES entry (its
  path within the stage, as Snowflake gives it) into that file's INSERT.
- Secondary roles: fakesnow has no roles, so a session never has secondary roles. The shim below answers the app's
  `USE SECONDARY ROLES NONE` as done and CURRENT_SECONDARY_ROLES() as Snowflake does for a session without any
  (`{"roles":"","value":""}`); that the app's session really drops them is provable only on an account.
- A NOT NULL violation in a COPY (a row that breaks a contract rule, see customer360/lib/bronze/snowflake_copy.py): fakesnow lets
  DuckDB's ConstraintException escape as an HTTP 500. Snowflake answers it as data error 100072, "NULL result in a
  non-nullable column", naming the column; so does the shim below.
- AUTOINCREMENT (observability.report_requests, snowflake_setup/12): fakesnow creates the column's sequence in the
  session's current schema and names it unqualified in the DEFAULT, so an INSERT from a session whose current schema
  differs fails "Sequence ... does not exist". The shim below creates it in the table's schema, qualified, as
  Snowflake's own identity belongs to its table. Nothing else about fakesnow is changed.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import threading
import time

import duckdb
import fakesnow
import fakesnow.copy_into
import fakesnow.cursor
import fakesnow.transforms
import snowflake.connector.errors
from sqlglot import exp

_strip_json_extract = fakesnow.copy_into._strip_json_extract


def _positional_columns(select: exp.Select) -> exp.Select:
    positional = [
        p for p in select.find_all(exp.Parameter)
        if isinstance(p.this, exp.Literal) and not p.this.is_string
        and (p.parent is None or p.parent.args.get("expression") is None)  # `$1:name` is left to fakesnow
    ]
    # DuckDB names header-less CSV columns column0.. or, from ten columns on, column00.. (zero-padded).
    width = len(str(max((int(p.this.this) for p in positional), default=1) - 1))
    for parameter in positional:
        parameter.replace(exp.column(f"column{int(parameter.this.this) - 1:0{width}d}"))
    return _strip_json_extract(select)


_inserts = fakesnow.copy_into._inserts


def _inserts_with_file_names(expr, params, urls, parquet_info=None):
    """fakesnow turns a COPY into one INSERT per file but has no METADATA$FILENAME: each INSERT gets its file's
    path within the stage (the FILES entry), as Snowflake gives it."""
    inserts = _inserts(expr, params, urls, parquet_info)
    files = params.files or [None] * len(inserts)
    named = []
    for insert, file in zip(inserts, files, strict=True):
        insert = insert.copy()
        for column in list(insert.find_all(exp.Column)):
            if column.name.upper() == "METADATA$FILENAME":
                column.replace(exp.Literal.string(file))
        named.append(insert)
    return named


_copy_into = fakesnow.copy_into.copy_into


def _copy_into_as_snowflake(*args, **kwargs):
    try:
        return _copy_into(*args, **kwargs)
    except duckdb.ConstraintException as error:
        found = re.search(r"NOT NULL constraint failed: (\w+)\.(\w+)", str(error))
        table, column = (found.group(1).upper(), found.group(2).upper()) if found else ("", "")
        raise snowflake.connector.errors.ProgrammingError(
            msg=f'NULL result in a non-nullable column; column "{table}"["{column}":1]', errno=100072,
            sqlstate="22000") from None


_create_table_autoincrement = fakesnow.transforms.create_table_autoincrement


def _autoincrement_in_the_tables_schema(expression):
    """fakesnow's split of an AUTOINCREMENT column into a sequence and a DEFAULT nextval, the sequence qualified
    with the table's schema."""
    statements = _create_table_autoincrement(expression)
    schema = expression.this.this.db if len(statements) > 1 else ""
    if not schema:
        return statements
    sequence, create = statements
    name = sequence.this.name
    sequence.set("this", exp.Table(this=exp.to_identifier(name), db=exp.to_identifier(schema)))
    for literal in create.find_all(exp.Literal):
        if literal.is_string and literal.this == name:
            literal.set("this", f"{schema}.{name}")
    return [sequence, create]


_execute = fakesnow.cursor.FakeSnowflakeCursor.execute
_NO_SECONDARY_ROLES = """'{"roles":"","value":""}'"""


def _execute_with_secondary_roles(self, command: str, *args, **kwargs):
    if re.fullmatch(r"\s*USE\s+SECONDARY\s+ROLES\s+NONE\s*;?\s*", command, re.IGNORECASE):
        command = "SELECT 'Statement executed successfully.' AS status"
    command = re.sub(r"CURRENT_SECONDARY_ROLES\(\)", _NO_SECONDARY_ROLES, command, flags=re.IGNORECASE)
    return _execute(self, command, *args, **kwargs)


@contextlib.contextmanager
def running(port: int):
    """This script as a server on `port` for the duration of the block (tests' session fixture, benchmarks)."""
    server = subprocess.Popen([sys.executable, __file__, str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("the fakesnow server did not start") from None
            time.sleep(0.2)
    try:
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # seen once on a loaded machine: the server's HTTP thread held SIGTERM
            server.kill()
            server.wait(timeout=10)


def main(port: int) -> None:
    fakesnow.copy_into._strip_json_extract = _positional_columns
    fakesnow.copy_into._inserts = _inserts_with_file_names
    fakesnow.cursor.copy_into = _copy_into_as_snowflake
    fakesnow.cursor.FakeSnowflakeCursor.execute = _execute_with_secondary_roles
    fakesnow.transforms.create_table_autoincrement = _autoincrement_in_the_tables_schema
    with fakesnow.server(port=port, host="127.0.0.1"):
        print(f"fakesnow listening on 127.0.0.1:{port}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main(int(sys.argv[1]))
