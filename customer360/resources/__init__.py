"""Dagster resources: the object store (landing zone), the warehouse and dbt, built per target."""
