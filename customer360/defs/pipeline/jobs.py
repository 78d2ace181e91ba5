"""The first build: the whole graph but the parts with jobs of their own (the demo's account changes, the streaming
days, the reports and the churn model)."""

from __future__ import annotations

import dagster as dg

from customer360.lib.asset_keys import LANDING_STREAMING, LOAD_RECONCILIATION
from customer360.lib.job_selection import CHURN, REFRESH, REPORTS, SERIAL, WithRunnableChecks
from customer360.lib.observability.hooks import RUN_HOOKS

FULL_GRAPH_JOB = dg.define_asset_job(
    "customer360_full_graph",
    hooks=RUN_HOOKS,
    # The first build reconciles the whole table; the check of this run's own loads would count it all again.
    selection=WithRunnableChecks(dg.AssetSelection.all() - REFRESH - dg.AssetSelection.assets(LANDING_STREAMING)
                                 - REPORTS - CHURN)
    - dg.AssetSelection.checks(LOAD_RECONCILIATION),
    tags=SERIAL,
    description="Generate, land, load bronze, build silver and gold, run every check (the first build).",
)
