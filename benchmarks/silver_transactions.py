"""Why silver's stg_transactions is a view: three shapes of "latest load wins", first build and a streamed day.

    C360_HOME=<a home the graph ran in> python benchmarks/silver_transactions.py [--repeat 5] [--day-rows 25000]

Works on a copy of the home's DuckDB warehouse (the home is not changed). Shapes:
  table        the old model: the deduplicated transactions stored in silver, and the fact read from that table
  dedup view   a view that deduplicates all of bronze, the fact reading its new rows through it
  one copy     today's: silver is a view of every loaded version, the fact deduplicates only its batch
First build: seconds to produce the fact's deduplicated rows (table: store silver, then read it into the fact).
Streamed day: `--day-rows` new transactions appended to bronze under a later _loaded_at; seconds until the batch the
fact merges is ready (table: dedup the batch, delete+insert into silver, read it back). Medians of --repeat, and the
last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from statistics import median

import duckdb

from customer360.settings import settings


def latest_versions(batch: str) -> str:
    """The fact's dedup (models/marts/fct_transactions.sql) over `batch`: only repeated ids pay for the window."""
    return f"""
        with repeated_ids as (select transaction_id from ({batch}) b group by transaction_id having count(*) > 1),
        single_versions as (
            select * from ({batch}) b where transaction_id not in (select transaction_id from repeated_ids)),
        latest_of_repeated as (
            select * exclude (version_rank) from (
                select *, row_number() over (partition by transaction_id order by loaded_at desc, source_file desc)
                    as version_rank
                from ({batch}) b where transaction_id in (select transaction_id from repeated_ids)) ranked
            where version_rank = 1)
        select * from single_versions union all select * from latest_of_repeated"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--day-rows", type=int, default=25_000)
    args = parser.parse_args()
    source = Path(settings().warehouse_path)
    with tempfile.TemporaryDirectory(prefix="c360-silver-") as scratch:
        copy = Path(scratch) / "warehouse.duckdb"
        shutil.copy(source, copy)
        con = duckdb.connect(str(copy))
        every_version = "select * from silver.stg_transactions"
        total = con.execute("select count(*) from bronze.bronze_transactions").fetchone()[0]

        def seconds(sql: str, rollback: bool = False) -> float:
            times = []
            for _ in range(args.repeat):
                con.execute("begin")
                started = time.perf_counter()
                con.execute(sql)
                times.append(time.perf_counter() - started)
                con.execute("rollback" if rollback else "commit")
            return median(times)

        figures = {"bronze_rows": total}
        con.execute(f"create view scratch_dedup_view as {latest_versions(every_version)}")
        figures["first_build_table_s"] = seconds(
            f"create or replace table scratch_silver as {latest_versions(every_version)}; "
            "create or replace table scratch_fact as select * from scratch_silver")
        figures["first_build_one_copy_s"] = seconds(
            f"create or replace table scratch_fact as {latest_versions(every_version)}")

        watermark = con.execute("select max(_loaded_at) from bronze.bronze_transactions").fetchone()[0]
        con.execute("insert into bronze.bronze_transactions select * replace ('DAY' || transaction_id as transaction_id, "
                    f"_loaded_at + interval 1 hour as _loaded_at) from bronze.bronze_transactions "
                    f"using sample {args.day_rows} rows")
        newer = f"loaded_at > '{watermark}'"
        figures["day_rows"] = args.day_rows
        figures["day_table_s"] = seconds(
            f"create temp table day as {latest_versions(f'{every_version} where {newer}')}; "
            "delete from scratch_silver where transaction_id in (select transaction_id from day); "
            f"insert into scratch_silver select * from day; "
            f"create temp table batch as select * from scratch_silver where {newer}", rollback=True)
        figures["day_dedup_view_s"] = seconds(
            f"create temp table batch as select * from scratch_dedup_view where {newer}", rollback=True)
        figures["day_one_copy_s"] = seconds(
            f"create temp table batch as {latest_versions(f'{every_version} where {newer}')}", rollback=True)
        con.close()

    print(f"{figures['bronze_rows']:,} bronze transactions; medians of {args.repeat}")
    print(f"  first build   table {figures['first_build_table_s']:.2f} s   one copy {figures['first_build_one_copy_s']:.2f} s")
    print(f"  streamed day ({args.day_rows:,} rows)   table {figures['day_table_s']:.3f} s   "
          f"dedup view {figures['day_dedup_view_s']:.3f} s   one copy {figures['day_one_copy_s']:.3f} s")
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))


if __name__ == "__main__":
    main()
