"""Dagster resources: the object store (landing zone), the warehouse, dbt, the source database and the portfolio
settings. customer360/resources.py builds them per target."""
