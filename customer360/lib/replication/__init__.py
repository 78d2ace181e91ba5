"""Replication of the operational source into staging: tables and contracts (replication.yaml), extracts, cleanup."""
