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
- Secondary roles: fakesnow has no roles, so a session never has secondary roles. The shim below answers the app's
  `USE SECONDARY ROLES NONE` as done and CURRENT_SECONDARY_ROLES() as Snowflake does for a session without any
  (`{"roles":"","value":""}`); that the app's session really drops them is provable only on an account.
- A NOT NULL violation in a COPY (a row that breaks a contract rule, see customer360/lib/bronze/snowflake_copy.py): fakesnow lets
  DuckDB's ConstraintException escape as an HTTP 500. Snowflake answers it as data error 100072, "NULL result in a
  non-nullable column", naming the column; so does the shim below. Nothing else about fakesnow is changed.
"""

from __future__ import annotations

import re
import sys
import threading

import duckdb
import fakesnow
import fakesnow.copy_into
import fakesnow.cursor
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


_execute = fakesnow.cursor.FakeSnowflakeCursor.execute
_NO_SECONDARY_ROLES = """'{"roles":"","value":""}'"""


def _execute_with_secondary_roles(self, command: str, *args, **kwargs):
    if re.fullmatch(r"\s*USE\s+SECONDARY\s+ROLES\s+NONE\s*;?\s*", command, re.IGNORECASE):
        command = "SELECT 'Statement executed successfully.' AS status"
    command = re.sub(r"CURRENT_SECONDARY_ROLES\(\)", _NO_SECONDARY_ROLES, command, flags=re.IGNORECASE)
    return _execute(self, command, *args, **kwargs)


def main(port: int) -> None:
    fakesnow.copy_into._strip_json_extract = _positional_columns
    fakesnow.cursor.copy_into = _copy_into_as_snowflake
    fakesnow.cursor.FakeSnowflakeCursor.execute = _execute_with_secondary_roles
    with fakesnow.server(port=port, host="127.0.0.1"):
        print(f"fakesnow listening on 127.0.0.1:{port}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main(int(sys.argv[1]))
