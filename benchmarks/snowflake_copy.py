"""What a bronze load costs on the Snowflake path, counted on fakesnow: statements and round trips per load.

    python benchmarks/snowflake_copy.py [--files 10 100 1000]

For each file count, a fresh database on a fakesnow server (tests/support/fakesnow_server.py) and that many small
Parquet files staged under transactions/historical/, loaded once with ON_ERROR=ABORT_STATEMENT through the
`bronze_copy` resource. Prints, per load: COPY statements, statements (SQL sent apart from BEGIN/COMMIT), round
trips (everything sent), and statements per 1,000 files. These are counts, the same on an account: fakesnow's
seconds say nothing about Snowflake's, so none are printed. Whole-file checks read a header or footer of each file
from the object store (one or two ranged reads, eight at a time); those are not SQL and not counted here.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path[:0] = [str(TESTS), str(TESTS / "support")]

from bronze_load import CountingSession, load  # noqa: E402  (the test support's session counter)
from conftest import AS_OF, free_port, snowflake_settings_env  # noqa: E402
from fakesnow_server import running  # noqa: E402

from customer360 import setup_runner  # noqa: E402
from customer360.lib.bronze.contracts import BRONZE_TRANSACTIONS  # noqa: E402
from customer360.resources import build_resources, warehouse_resource  # noqa: E402
from customer360.settings import settings  # noqa: E402


def _transactions(part: int, rows: int = 5) -> pa.Table:
    ids = [f"TX{part:05d}{i:03d}" for i in range(rows)]
    return pa.table({"transaction_id": ids, "customer_id": ["CUST00000001"] * rows,
                     "transaction_date": pa.array([f"{AS_OF} 10:00:00"] * rows).cast(pa.timestamp("us")),
                     "transaction_amount": [12.5] * rows, "merchant_name": ["Shell"] * rows,
                     "merchant_category": ["Gas"] * rows, "channel": ["Online"] * rows,
                     "status": ["approved"] * rows})


def measure(files: int, port: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"c360-sfcopy-{files}-"))
    os.environ.update(snowflake_settings_env(home, port, f"C360_BENCH_{files}"))
    s = settings()
    plan = setup_runner.planned(setup_runner.variables(s), s3=False)
    with warehouse_resource(s).session() as session:
        setup_runner.apply(session.fetchall, plan, keep_going=True, report=lambda line: None)
    resources = build_resources(s)
    store, warehouse = resources["object_store"], resources["warehouse"]
    for part in range(files):
        table = _transactions(part)
        store.write(f"transactions/historical/part-{part:05d}.parquet", lambda path, t=table: pq.write_table(t, path))
    with warehouse.session() as session:
        counted = CountingSession(session)
        results = load(counted, BRONZE_TRANSACTIONS, store, store.list("transactions/"), "ABORT_STATEMENT", "bench")
    assert len(results) == files and all(r.status == "LOADED" for r in results), "every file loads"
    return {"files": files, "copies": len(counted.copies), "statements": len(counted.statements),
            "round_trips": len(counted.sent)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    with running(free_port()) as port:
        rows = [measure(files, port) for files in args.files]
    print(f"{'files':>6} {'COPY':>5} {'statements':>11} {'round trips':>12} {'statements_per_1000_files':>26}")
    for row in rows:
        per_1000 = row["statements"] * 1000 / row["files"]
        print(f"{row['files']:>6} {row['copies']:>5} {row['statements']:>11} {row['round_trips']:>12} {per_1000:>26.1f}")


if __name__ == "__main__":
    main()
