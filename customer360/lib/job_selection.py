"""What the jobs of every domain share: the selection that keeps only the checks a run can evaluate, the tag that
serializes the runs that advance the transactions watermark, and the groups the builds leave to their own jobs."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

import dagster as dg

from customer360.lib.asset_keys import REPORTS_GROUP, SOURCE_CARDS_CHANGES
from customer360.lib.churn import CHURN_GROUP

# Runs that load bronze or advance the incremental models' `_loaded_at` watermark must not overlap: two increments
# that commit out of watermark order would skip each other's rows. The run queue admits one run with this tag at a
# time (tag_concurrency_limits in the dagster.yaml that `python -m customer360` writes; docs/deployment.md), and the
# streaming sensor starts no increment while one is queued or running.
SERIAL_TAG = "c360/watermark"
SERIAL = {SERIAL_TAG: "transactions"}

# Reports run on their own job (after the nightly build, on demand, at the end of the demo), never inside the builds.
REPORTS = dg.AssetSelection.groups(REPORTS_GROUP)
# The churn model's features, training and scoring run on their own jobs (weekly training, daily scoring).
CHURN = dg.AssetSelection.groups(CHURN_GROUP)
# The simulated account changes of the demo: only customer_refresh runs them.
REFRESH = dg.AssetSelection.assets(SOURCE_CARDS_CHANGES)


@dataclass(frozen=True)
class WithRunnableChecks(dg.AssetSelection):
    """The assets of `assets`, and only those of their checks that can run with them: a check that also reads an
    asset outside the run (a dbt relationships test on fct_transactions reads dim_customer too) is left out, since
    dbt would skip it (`--indirect-selection cautious`) and Dagster would report a declared check that never ran."""

    assets: dg.AssetSelection

    def resolve_inner(self, asset_graph, allow_missing: bool) -> Set[dg.AssetKey]:
        return self.assets.resolve_inner(asset_graph, allow_missing=allow_missing)

    def resolve_checks_inner(self, asset_graph, allow_missing: bool) -> Set[dg.AssetCheckKey]:
        selected = self.resolve_inner(asset_graph, allow_missing)
        return {key for key in self.assets.resolve_checks_inner(asset_graph, allow_missing)
                if all(dep.asset_key in selected for dep in asset_graph.get_check_spec(key).additional_deps)}
