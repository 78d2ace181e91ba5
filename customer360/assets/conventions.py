"""What every asset carries for the people who find it in the UI: an owner, tags for its layer and domain, and a
link to the code that defines it (and to git, where C360_GIT_URL is set). Applied once, to the whole graph."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from customer360.settings import ROOT, Settings

OWNERS = ["team:data-platform"]
DOMAIN = "card-portfolio"


def _owned(spec: dg.AssetSpec) -> dg.AssetSpec:
    layer = spec.group_name or "default"
    return spec.replace_attributes(owners=OWNERS, tags={**spec.tags, "layer": layer, "domain": DOMAIN})


def with_conventions(assets: Sequence[dg.AssetsDefinition], s: Settings) -> list[dg.AssetsDefinition]:
    """Owners, tags and code references for every asset (dbt models also link their .sql file)."""
    with warnings.catch_warnings():  # code references are beta in dagster 1.13: chosen knowingly, not news per run
        warnings.simplefilter("ignore", dg.BetaWarning)
        owned = dg.with_source_code_references(list(dg.map_asset_specs(_owned, assets)))
        if not s.git_url:
            return owned
        return dg.link_code_references_to_git(
            assets_defs=owned, git_url=s.git_url, git_branch=s.git_branch,
            file_path_mapping=dg.AnchorBasedFilePathMapping(local_file_anchor=Path(ROOT),
                                                            file_anchor_path_in_repository=""),
        )
