"""Pure, vectorized, seeded data generation. No Dagster imports: these functions are tested on their own."""

from customer360.lib.generate.customers import CUSTOMER_SCHEMA, generate_customers
from customer360.lib.generate.transactions import (
    TRANSACTION_SCHEMA,
    generate_day,
    generate_transactions,
    write_transactions_parquet,
)
from customer360.lib.generate.window import history_window

__all__ = [
    "CUSTOMER_SCHEMA",
    "TRANSACTION_SCHEMA",
    "generate_customers",
    "generate_day",
    "generate_transactions",
    "history_window",
    "write_transactions_parquet",
]
