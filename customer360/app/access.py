"""What the app shows each role: the rule of snowflake_setup/02_roles_grants.sql, 03_masking_policy.sql and 08_reader_grants.sql.

On Snowflake the database enforces it too (the app connects as the role); locally DuckDB has no roles, so the app
applies the same rule itself. Tests check both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASKED = "***MASKED***"  # what snowflake_setup/03's policy returns to a role that may not read the value


@dataclass(frozen=True)
class AppRole:
    name: str
    reads_pii: bool  # names and e-mail unmasked: only DATA_ENGINEER (03: every other role sees them masked)
    reads_observability: bool  # the OBSERVABILITY schema: DATA_ENGINEER and DATA_ANALYST (02)
    description: str
    # May file report requests (the Reports page, Ask): 12 grants REQUEST_REPORT to the reader roles, and
    # DATA_ENGINEER owns the table. Every role today; a role without the grant would be refused here, filing nothing.
    requests_reports: bool = True

    @property
    def search_fields(self) -> tuple[str, ...]:
        """What the deep dive may search by: an id for everyone, name and e-mail only where they are readable."""
        return ("customer id", "name", "email") if self.reads_pii else ("customer id",)


ROLES = {
    "DATA_ENGINEER": AppRole("DATA_ENGINEER", True, True, "owns the pipeline; reads everything unmasked"),
    "DATA_ANALYST": AppRole("DATA_ANALYST", False, True, "reads every schema; names and e-mail are masked"),
    "MARKETING_MANAGER": AppRole("MARKETING_MANAGER", False, False, "reads the PII-free gold marts only"),
}


def role(name: str) -> AppRole:
    try:
        return ROLES[name.upper()]
    except KeyError:
        raise ValueError(f"C360_APP_ROLE={name!r} is not one of {', '.join(ROLES)}") from None


class NotReadOnly(ValueError):
    """A statement the app will not run: it is not one SELECT (the app only reads; Cortex's SQL included)."""


# Words that write, change the session or run code. The app's role has no grant to write, but a statement that changes
# the session (USE ROLE, USE SECONDARY ROLES, ALTER SESSION) could widen what it reads, so none is sent at all.
_NOT_READING = frozenset({
    "ALTER", "BEGIN", "CALL", "COMMIT", "COPY", "CREATE", "DELETE", "DROP", "EXECUTE", "GET", "GRANT", "INSERT",
    "MERGE", "PUT", "REMOVE", "REVOKE", "ROLLBACK", "SET", "TRUNCATE", "UNDROP", "UNSET", "UPDATE", "USE",
})
# Literals, quoted identifiers and comments are skipped whole, so a `;` or a word inside them counts for nothing.
_TOKEN = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"]|\"\")*\"|\$\$.*?\$\$|--[^\n]*|//[^\n]*|/\*.*?\*/"
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)|(?P<end>;)|.", re.DOTALL)


def read_only_statement(sql: str) -> str:
    """`sql` if it is a single SELECT (or WITH ... SELECT) that neither writes nor changes the session; else refuse,
    naming what was found. A trailing `;` is allowed."""
    words, ends = [], 0
    for token in _TOKEN.finditer(sql):
        if token.group("end"):
            ends += 1
        elif token.group("word"):
            if ends:  # anything after a `;` is a second statement
                raise NotReadOnly(f"more than one statement: {_quote(sql)}; the app runs one SELECT at a time")
            words.append(token.group("word").upper())
    if not words or words[0] not in ("SELECT", "WITH"):
        raise NotReadOnly(f"not a SELECT: {_quote(sql)}; the app only reads")
    writing = sorted(_NOT_READING.intersection(words))
    if writing:
        raise NotReadOnly(f"{', '.join(writing)} in {_quote(sql)}; the app only reads, and never changes its session")
    return sql


def _quote(sql: str) -> str:
    flat = " ".join(sql.split())
    return repr(flat if len(flat) <= 120 else flat[:117] + "...")
