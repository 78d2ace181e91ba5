"""Jobs that select parts of the one graph."""

from __future__ import annotations

import dagster as dg

from customer360.assets.landing import LANDING_CUSTOMERS_REFRESH

REFRESH = dg.AssetSelection.assets(LANDING_CUSTOMERS_REFRESH)

FULL_GRAPH_JOB = dg.define_asset_job(
    "customer360_full_graph",
    selection=dg.AssetSelection.all() - REFRESH,
    description="Generate, land, load bronze, build silver and gold, run every check (the first build).",
)

CUSTOMER_REFRESH_JOB = dg.define_asset_job(
    "customer_refresh",
    selection=REFRESH.downstream(),
    description="Land a later customers feed (5 % changed) and rebuild what depends on it: SCD2 history in "
                "dim_customer comes from running this after the first build.",
)
