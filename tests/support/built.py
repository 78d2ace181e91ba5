"""The warehouse the read-only end-to-end tests share (the `built_home` fixture in tests/conftest.py): built once by
`python -m customer360 demo`, for the app, its semantic model and the figures people read."""

from __future__ import annotations

import datetime as dt
import os

# Mid-month as-of: the history starts on March 18 and ends on June 17, so its first and last months are partial, as
# they usually are on a real portfolio (the default as-of is today).
BUILT_CUSTOMERS, BUILT_MONTHS, BUILT_SEED = 500, 3, 11
BUILT_AS_OF = dt.date(2026, 6, 17)


def built_env(home) -> dict[str, str]:
    env = {**os.environ, "C360_HOME": str(home), "C360_CUSTOMERS": str(BUILT_CUSTOMERS),
           "C360_MONTHS": str(BUILT_MONTHS), "C360_AS_OF": BUILT_AS_OF.isoformat(), "C360_TARGET": "local",
           "C360_SEED": str(BUILT_SEED)}
    for name in ("C360_S3_ENDPOINT_URL", "C360_SOURCE_DSN", "C360_APP_ROLE"):
        env.pop(name, None)
    return env


def copy_with_late_transactions(built_home, home):
    """`home` with a copy of the built warehouse plus two approved transactions the day after as-of (a streamed day
    that every figure's rule excludes); the built home itself is read, never written."""
    import shutil

    import duckdb

    home.mkdir()
    shutil.copy(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        conn.execute("""INSERT INTO gold.fct_transactions BY NAME
                        SELECT 'LATE-' || transaction_id AS transaction_id, customer_id, customer_version_key,
                               date_day, merchant_category_key, transaction_at, ? AS transaction_date,
                               transaction_amount + 1000 AS transaction_amount, merchant_name, merchant_category,
                               channel, status, is_approved, loaded_at
                        FROM gold.fct_transactions WHERE is_approved ORDER BY transaction_id LIMIT 2""",
                     [BUILT_AS_OF + dt.timedelta(days=1)])
    return home
