"""The source's jobs: the demo's account changes, and the replication a real source runs."""

from __future__ import annotations

import dagster as dg

from customer360.lib.asset_keys import STAGING
from customer360.lib.job_selection import CHURN, REFRESH, REPORTS, SERIAL, WithRunnableChecks
from customer360.lib.observability.hooks import RUN_HOOKS

CUSTOMER_REFRESH_JOB = dg.define_asset_job(
    "customer_refresh",
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(REFRESH.downstream() - REPORTS - CHURN),
    tags=SERIAL,
    description="Change about 5 % of accounts in the source database, replicate the changed rows and rebuild what "
                "depends on them: SCD2 history in dim_customer comes from running this after the first build.",
)

# What a user whose source is real runs: the staging extracts and everything downstream of them, no simulated change.
REPLICATION = dg.AssetSelection.groups(STAGING)

SOURCE_REPLICATION_JOB = dg.define_asset_job(
    "source_replication",
    hooks=RUN_HOOKS,
    selection=WithRunnableChecks(REPLICATION.downstream() - REPORTS - CHURN),
    tags=SERIAL,
    description="Replicate what changed in the source database (every table of replication.yaml) and rebuild what "
                "depends on it, nothing more: no simulated account changes (customer_refresh adds those, for the "
                "demo).",
)
