"""Jobs that select parts of the one graph."""

from __future__ import annotations

import dagster as dg

FULL_REFRESH_JOB = dg.define_asset_job(
    "customer360_full_graph",
    selection=dg.AssetSelection.all(),
    description="Generate, land, load bronze, build silver and gold, run every check.",
)
