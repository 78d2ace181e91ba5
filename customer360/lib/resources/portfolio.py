"""The generated portfolio's scale and seed, as a resource so the UI shows (and the launchpad can change) them."""

from __future__ import annotations

import datetime as dt

import dagster as dg
from pydantic import Field


class PortfolioResource(dg.ConfigurableResource):
    customers: int = Field(description="How many customers to generate (C360_CUSTOMERS).", gt=0)
    months: int = Field(description="Months of transaction history ending on as_of (C360_MONTHS).", gt=0)
    seed: int = Field(description="Random seed; same seed and as_of give the same data (C360_SEED).", ge=0)
    as_of: str = Field(description="ISO date the generated history ends on, inclusive (C360_AS_OF).")
    on_error: str = Field(
        default="ABORT_STATEMENT",
        description="Default ON_ERROR of bronze loads (C360_ON_ERROR); a bronze run config can override it.",
    )

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)
