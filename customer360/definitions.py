"""Assembles the Customer 360 graph: every domain of customer360/defs, loaded by Dagster's component tree (the
`load_defs` of a dg project), with the conventions and run hooks every asset carries and the resources of this target.
No logic here."""

from __future__ import annotations

import warnings

import dagster as dg

from customer360.conventions import with_conventions
from customer360.lib.observability.hooks import RUN_HOOKS
from customer360.resources import build_resources
from customer360.settings import ROOT, settings

DEFS_FOLDER = ROOT / "customer360" / "defs"


@dg.definitions
def defs() -> dg.Definitions:
    s = settings()
    # The defs folder, not the whole project: a project's root also loads the component catalogue of every installed
    # Dagster integration (the Snowflake SDK among them) into each process that loads the graph, for nothing.
    # Its module loader is marked preview, which Dagster's own load_defs silences too: chosen knowingly, not news.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        graph = dg.ComponentTree.for_project(ROOT).build_defs(DEFS_FOLDER)
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
