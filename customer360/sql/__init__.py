"""DDL kept as SQL files, read by name, so the same statements serve code and review."""

from __future__ import annotations

from pathlib import Path

_DIR = Path(__file__).parent


def statements(name: str) -> list[str]:
    """The `;`-separated statements of `<name>.sql`, comments kept (DuckDB and Snowflake both accept them)."""
    text = (_DIR / f"{name}.sql").read_text()
    return [s.strip() for s in text.split(";") if s.strip() and not _only_comments(s)]


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())
