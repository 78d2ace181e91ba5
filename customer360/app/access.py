"""What the app shows each role: the rule of snowflake_setup/02_roles_grants.sql and 08_masking_policies.sql.

On Snowflake the database enforces it too (the app connects as the role); locally DuckDB has no roles, so the app
applies the same rule itself. Tests check both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppRole:
    name: str
    reads_pii: bool  # names and e-mail unmasked: only DATA_ENGINEER (08: every other role sees them masked)
    reads_observability: bool  # the OBSERVABILITY schema: DATA_ENGINEER and DATA_ANALYST (02)
    description: str

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
