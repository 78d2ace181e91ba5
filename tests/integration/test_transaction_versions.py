"""The latest load of a transaction wins in gold, while silver's stg_transactions is a view of every loaded version.

dbt builds stg_transactions and fct_transactions over a hand-made bronze: a first build, then an increment that
reloads one transaction and lands another twice in one load. The expected facts are recomputed here from the bronze
rows (latest _loaded_at, then latest _source_file), not read from the models."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from customer360.settings import DBT_PROJECT_DIR, dbt_vars_json

pytestmark = pytest.mark.integration

FIRST = dt.datetime(2026, 11, 1, 2, 0)
SECOND = dt.datetime(2026, 11, 2, 2, 0)
LATER = dt.datetime(2026, 11, 3, 2, 0)

# (transaction_id, amount, status, source file, loaded at)
FIRST_LOADS = [
    (" T1 ", 10.00, "approved", "transactions/historical/a.parquet", FIRST),
    ("T2", 20.00, "declined", "transactions/historical/a.parquet", FIRST),
    ("T2", 25.00, "Approved ", "transactions/historical/b.parquet", SECOND),  # reloaded before the first build
    (None, 5.00, "approved", "transactions/historical/b.parquet", SECOND),     # no id: stays in bronze
]
INCREMENT = [
    ("T1", 99.00, "approved", "transactions/streaming/c.parquet", LATER),    # reloaded by a later increment
    ("T4", 40.00, "approved", "transactions/streaming/c.parquet", LATER),
    ("T4", 44.00, "declined", "transactions/streaming/d.parquet", LATER),   # same load: the later file wins
]


def _insert_bronze(conn, rows) -> None:
    conn.executemany("INSERT INTO bronze.bronze_transactions VALUES (?, 'C1', '2026-10-15 10:00:00', ?, 'Shop', "
                     "'Travel', 'Online', ?, ?, ?)", rows)


def _dbt_run(warehouse: Path, target: Path) -> None:
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "run", "--select", "stg_transactions", "fct_transactions", "--vars",
         dbt_vars_json(str(warehouse), "2026-11-30"), "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]


def _latest_versions(rows) -> dict[str, tuple[float, str]]:
    latest: dict[str, tuple] = {}
    for transaction_id, amount, status, source_file, loaded_at in rows:
        if transaction_id is None:
            continue
        key = transaction_id.strip()
        if key not in latest or (loaded_at, source_file) > latest[key][2:]:
            latest[key] = (amount, status.strip().lower(), loaded_at, source_file)
    return {key: (amount, status) for key, (amount, status, *_) in latest.items()}


def _facts(warehouse: Path) -> tuple[dict, int, str]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        facts = {t: (float(a), s) for t, a, s in conn.execute(
            "SELECT transaction_id, transaction_amount, status FROM gold.fct_transactions").fetchall()}
        rows = conn.execute("SELECT count(*) FROM gold.fct_transactions").fetchone()[0]
        silver = conn.execute("SELECT count(*) FROM silver.stg_transactions").fetchone()[0]
        kind = conn.execute("SELECT table_type FROM information_schema.tables "
                            "WHERE table_schema = 'silver' AND table_name = 'stg_transactions'").fetchone()[0]
    assert rows == len(facts)  # one row per transaction
    return facts, silver, kind


def test_gold_keeps_the_latest_load_of_each_transaction_and_silver_is_a_view_of_every_load(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("CREATE SCHEMA bronze; CREATE SCHEMA gold; CREATE SCHEMA observability")
        conn.execute("CREATE TABLE bronze.bronze_transactions (transaction_id VARCHAR, customer_id VARCHAR, "
                     "transaction_date TIMESTAMP, transaction_amount DECIMAL(12,2), merchant_name VARCHAR, "
                     "merchant_category VARCHAR, channel VARCHAR, status VARCHAR, _source_file VARCHAR, "
                     "_loaded_at TIMESTAMP)")
        conn.execute("CREATE TABLE observability.incremental_batches (model_name VARCHAR, loaded_after TIMESTAMP, "
                     "invocation_id VARCHAR, recorded_at TIMESTAMP)")
        conn.execute("CREATE TABLE gold.dim_customer AS SELECT 'C1' AS customer_id, 'C1-1' AS customer_version_key, "
                     "TIMESTAMP '2000-01-01' AS valid_from, TIMESTAMP '9999-12-31' AS valid_to")
        conn.execute("CREATE TABLE gold.dim_merchant_category AS SELECT 'Travel' AS merchant_category, "
                     "1 AS merchant_category_key")
        _insert_bronze(conn, FIRST_LOADS)

    _dbt_run(warehouse, tmp_path / "target")
    facts, silver, kind = _facts(warehouse)
    assert facts == _latest_versions(FIRST_LOADS) == {"T1": (10.0, "approved"), "T2": (25.0, "approved")}
    assert (silver, kind) == (3, "VIEW")  # every loaded version with an id; not a copy of bronze

    with duckdb.connect(str(warehouse)) as conn:
        _insert_bronze(conn, INCREMENT)
    _dbt_run(warehouse, tmp_path / "target")
    facts, silver, _ = _facts(warehouse)
    assert facts == _latest_versions(FIRST_LOADS + INCREMENT)
    assert facts == {"T1": (99.0, "approved"), "T2": (25.0, "approved"), "T4": (44.0, "declined")}
    assert silver == 6
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        batches = conn.execute("SELECT model_name, loaded_after FROM observability.incremental_batches "
                               "ORDER BY recorded_at").fetchall()
    assert [model for model, _ in batches] == ["fct_transactions", "fct_transactions"]
    assert batches[1][1] == SECOND  # the increment read only what was loaded after the first build's newest load
