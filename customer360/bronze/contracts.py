"""What each bronze table holds and which landing objects feed it: the single source for DDL and loads."""

from __future__ import annotations

from dataclasses import dataclass

LINEAGE_COLUMNS = (
    ("_source_file", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
)


@dataclass(frozen=True)
class BronzeTable:
    name: str
    prefix: str  # landing prefix whose objects feed the table (COPY INTO ... FROM @stage/<prefix>)
    file_format: str  # "csv" (with a header line) or "parquet"
    columns: tuple[tuple[str, str], ...]
    key: str

    @property
    def qualified_name(self) -> str:
        return f"bronze.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def accepts(self, key: str) -> bool:
        return key.startswith(self.prefix) and key.lower().endswith("." + self.file_format)

    def create_sql(self) -> str:
        body = ",\n  ".join(f"{n} {t}" for n, t in (*self.columns, *LINEAGE_COLUMNS))
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_name} (\n  {body}\n)"


BRONZE_CUSTOMERS = BronzeTable(
    name="bronze_customers",
    prefix="customers/",
    file_format="csv",
    key="customer_id",
    columns=(
        ("customer_id", "VARCHAR"),
        ("first_name", "VARCHAR"),
        ("last_name", "VARCHAR"),
        ("email", "VARCHAR"),
        ("age", "INTEGER"),
        ("state", "VARCHAR"),
        ("city", "VARCHAR"),
        ("employment_status", "VARCHAR"),
        ("card_type", "VARCHAR"),
        ("credit_limit", "INTEGER"),
        ("account_open_date", "DATE"),
        ("customer_segment", "VARCHAR"),
        ("decline_type", "VARCHAR"),
    ),
)

BRONZE_TRANSACTIONS = BronzeTable(
    name="bronze_transactions",
    prefix="transactions/",
    file_format="parquet",
    key="transaction_id",
    columns=(
        ("transaction_id", "VARCHAR"),
        ("customer_id", "VARCHAR"),
        ("transaction_date", "TIMESTAMP"),
        ("transaction_amount", "DECIMAL(12,2)"),
        ("merchant_name", "VARCHAR"),
        ("merchant_category", "VARCHAR"),
        ("channel", "VARCHAR"),
        ("status", "VARCHAR"),
    ),
)

BRONZE_TABLES = (BRONZE_CUSTOMERS, BRONZE_TRANSACTIONS)
