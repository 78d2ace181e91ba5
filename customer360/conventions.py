"""What every asset carries for the people who find it in the UI: an owner, tags for its layer and domain, kinds that
name where it lives on this target, a freshness policy where data is expected daily, and a link to the code that
defines it (and to git, where C360_GIT_URL is set). Applied once, to the whole graph."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from customer360.settings import ROOT, Settings

OWNERS = ["team:data-platform"]
DOMAIN = "card-portfolio"

# Assets declare where they live as the production kinds (`s3`, and the warehouse's `duckdb`/`snowflake`); the
# target decides what is true: a local lake is a folder, and the warehouse is DuckDB or Snowflake, not both.
OBJECT_STORE_KINDS = {"s3"}
WAREHOUSE_KINDS = {"duckdb", "snowflake"}
KIND_TAG = "dagster/kind/"

# Data older than this fails freshness: a day's stream plus the nightly build, with two hours to spare. Dagster's
# freshness daemon evaluates it (`freshness: enabled` in the dagster.yaml that `python -m customer360` writes).
FRESHNESS_LIMIT = dt.timedelta(hours=26)
FRESH_ASSETS = {
    dg.AssetKey(["bronze", "bronze_transactions"]),
    dg.AssetKey(["gold", "fct_transactions"]),
    dg.AssetKey(["gold", "customer_360_profile"]),
    dg.AssetKey(["gold", "customer_segments"]),
}
FRESHNESS_POLICY = dg.FreshnessPolicy.time_window(fail_window=FRESHNESS_LIMIT, warn_window=dt.timedelta(hours=24))


def target_kinds(kinds: set[str], s: Settings) -> set[str]:
    """The kinds of an asset on this target: `s3` becomes `filesystem` for a local lake, and the warehouse kind
    is the target's."""
    store = {"s3"} if s.landing_root is None else {"filesystem"}
    warehouse = {"snowflake"} if s.snowflake else {"duckdb"}
    return ((kinds - OBJECT_STORE_KINDS - WAREHOUSE_KINDS) | (store if kinds & OBJECT_STORE_KINDS else set())
            | (warehouse if kinds & WAREHOUSE_KINDS else set()))


def _conventional(spec: dg.AssetSpec, s: Settings) -> dg.AssetSpec:
    layer = spec.group_name or "default"
    tags = {k: v for k, v in spec.tags.items() if not k.startswith(KIND_TAG)}
    return spec.replace_attributes(
        owners=OWNERS,
        tags={**tags, "layer": layer, "domain": DOMAIN},
        kinds=target_kinds(set(spec.kinds), s),
        freshness_policy=FRESHNESS_POLICY if spec.key in FRESH_ASSETS else spec.freshness_policy,
    )


def with_conventions(assets: Sequence[dg.AssetsDefinition], s: Settings) -> list[dg.AssetsDefinition]:
    """Owners, tags, target kinds, freshness and code references for every asset (dbt models also link their .sql)."""
    with warnings.catch_warnings():  # code references are beta in dagster 1.13: chosen knowingly, not news per run
        warnings.simplefilter("ignore", dg.BetaWarning)
        owned = dg.with_source_code_references(list(dg.map_asset_specs(lambda spec: _conventional(spec, s), assets)))
        if not s.git_url:
            return owned
        return dg.link_code_references_to_git(
            assets_defs=owned, git_url=s.git_url, git_branch=s.git_branch,
            file_path_mapping=dg.AnchorBasedFilePathMapping(local_file_anchor=Path(ROOT),
                                                            file_anchor_path_in_repository=""),
        )
