"""The graph by domain, loaded by Dagster's `load_defs` (customer360/definitions.py): each folder owns its assets,
checks, jobs, schedules and sensors. Domains never import each other: they meet through asset keys
(customer360/lib/asset_keys.py) and resources."""
