"""The engines the graph runs, with no Dagster definitions of their own: data generation, the source and its
replication, the COPY INTO driver, report rendering, the semantic model, the churn model, observability writes and
the resources that reach the object store, the warehouse and dbt. Nothing here imports customer360.defs."""
