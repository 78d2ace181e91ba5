"""Connections to the operational database through ADBC (Arrow in and out, no row-by-row Python).

Where it is: C360_SOURCE_DSN (production: Aurora/RDS, password in C360_SOURCE_PASSWORD or the DSN), else the local
server under C360_HOME (started on demand). Errors name the host, port, database and user, never the password; a host
that does not answer is retried with backoff (tenacity) before the error.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import adbc_driver_postgresql.dbapi as adbc
from adbc_driver_manager import OperationalError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

# Answers that another attempt cannot change: retrying them only delays the error.
_FINAL = re.compile(r"authentication failed|does not exist|no pg_hba.conf entry|SSL.*required", re.IGNORECASE)


class SourceUnavailable(RuntimeError):
    """The source database did not answer or refused us; the message names where and what to check."""


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


@dataclass(frozen=True)
class SourceDsn:
    """A PostgreSQL URI and its password kept apart, so that only `where` (no secret) reaches logs and errors."""

    uri: str  # postgresql://user@host:port/database?options, without the password
    password: str | None = None

    @classmethod
    def parse(cls, dsn: str, password: str | None = None) -> SourceDsn:
        parts = urlsplit(dsn.strip())
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise ValueError("C360_SOURCE_DSN must look like postgresql://user@host:5432/database "
                             f"(got a value starting {parts.scheme or '?'}://)")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        # A password in the URI is percent-encoded (RFC 3986); connect_uri() encodes it again, so keep it decoded.
        in_uri = unquote(parts.password) if parts.password else None
        return cls(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), password or in_uri)

    @property
    def where(self) -> str:
        parts = urlsplit(self.uri)
        return f"{parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')} as {parts.username or '?'}"

    def connect_uri(self) -> str:
        if not self.password:
            return self.uri
        parts = urlsplit(self.uri)
        user, host = parts.netloc.split("@", 1) if "@" in parts.netloc else ("", parts.netloc)
        return urlunsplit((parts.scheme, f"{user}:{quote(self.password, safe='')}@{host}", parts.path, parts.query, ""))


def _transient(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and not _FINAL.search(str(error))


def connect_with_retries(dsn: SourceDsn, attempts: int = 5, autocommit: bool = False) -> adbc.Connection:
    """An ADBC connection; a host that refuses or times out is tried `attempts` times with backoff (1, 2, 4 s...)."""
    try:
        for attempt in Retrying(stop=stop_after_attempt(attempts), retry=retry_if_exception(_transient),
                                wait=wait_exponential(multiplier=1, max=8), reraise=True):
            with attempt:
                return adbc.connect(dsn.connect_uri(), autocommit=autocommit)
    except OperationalError as error:
        detail = redact(str(error), dsn.password).replace("IO: [libpq] ", "").strip()
        tried = f" after {attempts} attempts" if _transient(error) else ""
        raise SourceUnavailable(
            f"Could not connect to the source PostgreSQL at {dsn.where}{tried}: {detail}\nCheck C360_SOURCE_DSN "
            "(host, port, database, user) and C360_SOURCE_PASSWORD, and that the host accepts connections from "
            "here; locally, leave C360_SOURCE_DSN unset and the project starts its own server."
        ) from None
    raise AssertionError("unreachable")


@contextlib.contextmanager
def connection(dsn: SourceDsn, attempts: int = 5, autocommit: bool = False) -> Iterator[adbc.Connection]:
    conn = connect_with_retries(dsn, attempts, autocommit)
    try:
        yield conn
    finally:
        conn.close()
