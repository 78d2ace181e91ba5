"""The streaming increment's bronze checks: each read of the whole table against the read of one run's rows.

    C360_HOME=<a home the graph ran in> python benchmarks/increment_checks.py [--run-id ID] [--repeat 5]

The run defaults to the one that loaded bronze.bronze_transactions' newest rows. Prints, per check that has an
increment form (defs/quality/sql_checks.py `increment_sql`), the median seconds of both forms and their ratio, and
the totals.
"""

from __future__ import annotations

import argparse
import time
from statistics import median

from customer360.defs.quality.checks import evaluate
from customer360.defs.quality.sql_checks import BRONZE_CHECKS, VOLUME_CHECKS
from customer360.resources import warehouse_resource
from customer360.settings import settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-id")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    checks = [c for c in (*BRONZE_CHECKS, *VOLUME_CHECKS) if c.increment_sql]
    with warehouse_resource(settings()).session() as session:
        run_id = args.run_id or session.fetchone(
            "SELECT _run_id FROM bronze.bronze_transactions ORDER BY _loaded_at DESC LIMIT 1")[0]
        rows = session.fetchone("SELECT count(*) FROM bronze.bronze_transactions WHERE _run_id = ?", [run_id])[0]
        total = session.fetchone("SELECT count(*) FROM bronze.bronze_transactions")[0]

        def seconds(check, increment: bool) -> float:
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                evaluate(session, check, run_id, increment=increment)
                times.append(time.perf_counter() - started)
            return median(times)

        measured = [(check.name, seconds(check, False), seconds(check, True)) for check in checks]
    print(f"run {run_id}: {rows:,} of {total:,} bronze transactions; median of {args.repeat}")
    print(f"{'check':<32} {'whole table s':>14} {'its rows s':>11} {'ratio':>7}")
    for name, whole, own in measured:
        print(f"{name:<32} {whole:>14.3f} {own:>11.3f} {whole / own:>6.1f}x")
    whole, own = sum(m[1] for m in measured), sum(m[2] for m in measured)
    print(f"{'total':<32} {whole:>14.3f} {own:>11.3f} {whole / own:>6.1f}x")


if __name__ == "__main__":
    main()
