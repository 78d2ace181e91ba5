"""The operational source: the card-accounts database (PostgreSQL) that replication reads.

local_server.py starts a throwaway PostgreSQL under C360_HOME on the local target; connection.py connects to it or to
the production database (C360_SOURCE_DSN) with retries and redacted errors; cards.py is the `cards` schema, its seed
from the generator and the account changes a refresh applies.
"""
