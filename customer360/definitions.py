"""Assembles the Customer 360 graph: every domain of customer360/defs, loaded by Dagster's `load_defs`, with the
conventions and run hooks every asset carries and the resources of this target. No logic here."""

from __future__ import annotations

import dagster as dg

from customer360.conventions import with_conventions
from customer360.lib.observability.hooks import RUN_HOOKS
from customer360.resources import build_resources
from customer360.settings import ROOT, settings


@dg.definitions
def defs() -> dg.Definitions:
    s = settings()
    graph = dg.load_from_defs_folder(path_within_project=ROOT)
    hooks = set(RUN_HOOKS)
    return dg.Definitions(
        # Every step records its run when it decides it (lib/observability/hooks.py), in the jobs and in the UI's ad
        # hoc materializations alike.
        assets=[asset.with_hooks(hooks) for asset in with_conventions(list(graph.assets or []), s)],
        asset_checks=[check.with_hooks(hooks) for check in graph.asset_checks or []],
        jobs=graph.jobs,
        schedules=graph.schedules,
        sensors=graph.sensors,
        resources=build_resources(s),
        # DuckDB allows one writing process: run its steps one after another in the run's process. Snowflake
        # takes concurrent sessions, so independent steps run in parallel processes.
        executor=dg.multiprocess_executor if s.snowflake else dg.in_process_executor,
    )
