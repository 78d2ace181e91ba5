"""What each bronze table holds, which landing objects feed it and the rules its rows obey: the single source for
DDL, loads and the checks at load (bronze/row_rules.py)."""

from __future__ import annotations

from dataclasses import dataclass

# The file types every table accepts, by extension: the replication design sends CSV for medium batches and Parquet
# for large ones. Anything else under a table's prefix is a file the load records as failed, never ignores.
FILE_TYPES = {".csv": "csv", ".parquet": "parquet"}

LINEAGE_COLUMNS = (
    ("_source_file", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
)


@dataclass(frozen=True)
class BronzeTable:
    name: str
    prefix: str  # landing prefix whose objects feed the table (COPY INTO ... FROM @stage/<prefix>)
    columns: tuple[tuple[str, str], ...]
    key: str
    required: tuple[str, ...] = ()  # present and not empty (keys)
    positive: tuple[str, ...] = ()  # present and above zero
    accepted: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (column, values): present and one of the values
    # The folders under `prefix` that Snowflake's external stages read (snowflake_setup/04); empty: all of `prefix`.
    # A file elsewhere under the prefix could load locally but never on Snowflake, so both targets refuse it.
    stage_prefixes: tuple[str, ...] = ()
    # Personal data: on Snowflake each is created with the PII masking policy (snowflake_setup/03), and no reader is
    # granted the table while masking is off (C360_MASK_PII=false).
    pii: tuple[str, ...] = ()
    # Wider than `prefix` for the one table that records the files under a shared folder that no table reads
    # (staging/ for the replicated tables): such a file would otherwise lie there unloaded without a trace.
    listed_prefix: str = ""
    # Under `listed_prefix`, the folders other tables read: theirs to load, not this table's to record.
    others: tuple[str, ...] = ()

    @property
    def not_null(self) -> list[str]:
        """Columns every row must fill: NOT NULL in the DDL, so Snowflake's COPY rejects a row that breaks a rule."""
        ruled = {*self.required, *self.positive, *(column for column, _ in self.accepted)}
        return [name for name in self.column_names if name in ruled]

    @property
    def qualified_name(self) -> str:
        return f"bronze.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def listing(self) -> str:
        """Where a load lists objects."""
        return self.listed_prefix or self.prefix

    def accepts(self, key: str) -> bool:
        """Every object under the prefix is this table's to load or to record as failed, and so is every object
        under `listed_prefix` that no other table reads."""
        if key.startswith(self.prefix):
            return True
        return bool(self.listed_prefix) and key.startswith(self.listed_prefix) and not key.startswith(self.others)

    def strays(self, key: str) -> bool:
        """Whether `key` lies in a folder that no table reads (recorded by this table)."""
        return not key.startswith(self.prefix) and self.accepts(key)

    @property
    def read_prefixes(self) -> tuple[str, ...]:
        """Where the table's files may be: the stages' folders, or the whole prefix when no stage folders are named."""
        return self.stage_prefixes or (self.prefix,)

    def create_sql(self, masking_policy: str | None = None) -> str:
        """The table's DDL; with a masking policy (Snowflake) every PII column has it from the moment it exists."""
        def column(name: str, sql_type: str) -> str:
            masked = f" WITH MASKING POLICY {masking_policy}" if masking_policy and name in self.pii else ""
            return f"{name} {sql_type}{' NOT NULL' if name in self.not_null else ''}{masked}"

        body = ",\n  ".join(column(n, t) for n, t in (*self.columns, *LINEAGE_COLUMNS))
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_name} (\n  {body}\n)"


BRONZE_TRANSACTIONS = BronzeTable(
    name="bronze_transactions",
    prefix="transactions/",
    stage_prefixes=("transactions/historical/", "transactions/streaming/"),
    key="transaction_id",
    required=("transaction_id", "customer_id"),
    positive=("transaction_amount",),
    accepted=(("channel", ("Online", "In-Store", "Mobile")), ("status", ("approved", "declined"))),
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

def file_type(key: str) -> str | None:
    """csv or parquet by the key's extension; None for any other file."""
    return next((kind for ext, kind in FILE_TYPES.items() if key.lower().endswith(ext)), None)
