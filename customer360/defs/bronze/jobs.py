"""The streaming increment: new transaction files into bronze, then the incremental facts and their checks."""

from __future__ import annotations

import dagster as dg

from customer360.lib.asset_keys import (
    BRONZE_TRANSACTIONS_KEY,
    DIM_DATE,
    FCT_TRANSACTIONS,
    FULL_RECONCILIATION,
    STG_TRANSACTIONS,
    TRANSACTIONS_INCREMENT,
)
from customer360.lib.job_selection import SERIAL, WithRunnableChecks
from customer360.lib.observability.hooks import RUN_HOOKS

# The incremental path only: the per-customer marts are full rebuilds, refreshed by the nightly dbt build. dim_date
# is in it because new days must exist before fct_transactions' date key is tested.
INCREMENT = dg.AssetSelection.assets(BRONZE_TRANSACTIONS_KEY, STG_TRANSACTIONS, FCT_TRANSACTIONS, DIM_DATE)

TRANSACTIONS_INCREMENT_JOB = dg.define_asset_job(
    TRANSACTIONS_INCREMENT,
    hooks=RUN_HOOKS,
    # Its rows are reconciled with gold (loaded_transactions_reached_gold), not the whole table (a count of every
    # distinct id in bronze, which grows with the table): the nightly build does that.
    selection=WithRunnableChecks(INCREMENT) - dg.AssetSelection.checks(FULL_RECONCILIATION),
    tags=SERIAL,
    description="COPY new transaction files into bronze (loaded files are skipped), add them to the incremental "
                "facts and run their checks. The streaming sensor starts it.",
)
