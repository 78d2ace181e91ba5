"""The operational source database as a resource: where it is, and a connection to it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import Field

from customer360.lib.source.connection import SourceDsn, connection
from customer360.lib.source.local_server import LocalPostgres


class SourceDatabaseResource(dg.ConfigurableResource):
    """PostgreSQL holding the `cards` schema: C360_SOURCE_DSN when set (its value stays in the environment: the UI
    shows the variable's name), else the project's own server under C360_HOME, started on first use."""

    dsn: str | None = Field(default=None, description="C360_SOURCE_DSN: postgresql://user@host:port/database")
    password: str | None = Field(default=None, description="C360_SOURCE_PASSWORD, when not in the DSN")
    home: str = Field(description="C360_HOME: where the local server keeps its cluster when no DSN is set")
    connect_attempts: int = Field(default=5, description="Tries before a source that does not answer is an error")
    writable: bool = Field(default=False, description="C360_SOURCE_WRITABLE: the generator may seed and change the "
                                                      "C360_SOURCE_DSN database (the local server always is)")

    @property
    def generator_may_write(self) -> bool:
        """The local server is the generator's; a database behind C360_SOURCE_DSN is the system of record, written
        by its application, unless C360_SOURCE_WRITABLE marks it as a test instance."""
        return not self.dsn or self.writable

    def where(self) -> str:
        return self.resolved_dsn().where if self.dsn else f"the local server under {self.home}/postgres"

    def resolved_dsn(self, log=None) -> SourceDsn:
        if self.dsn:
            return SourceDsn.parse(self.dsn, self.password)
        server = LocalPostgres(Path(self.home))
        if server.start() and log is not None:
            log.info(f"Started the local source PostgreSQL on 127.0.0.1:{server.port} (cluster {server.data}); "
                     "`python -m customer360 source-stop` (or `make source-stop`) stops it")
        return server.dsn()

    @contextlib.contextmanager
    def connect(self, log=None) -> Iterator:
        with connection(self.resolved_dsn(log), self.connect_attempts) as conn:
            yield conn


class StagingResource(dg.ConfigurableResource):
    """How replication stages files (C360_STAGING_CSV_MAX_ROWS, C360_STAGING_BATCH_ROWS)."""

    csv_max_rows: int = Field(default=100_000, description="Extracts below this many rows are staged as CSV")
    batch_rows: int = Field(default=100_000, description="Rows per staged file")
