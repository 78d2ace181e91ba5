"""The checks themselves, as data: what each one measures and what it should equal."""

from __future__ import annotations

from dataclasses import dataclass

from customer360.lib.bronze.results import LOADED, PARTIALLY_LOADED
from customer360.lib.replication.config import replicated_tables


@dataclass(frozen=True)
class SqlCheck:
    name: str
    asset: tuple[str, ...]
    description: str
    sql: str  # one row: (observed, expected)
    severity: str = "ERROR"  # ERROR or WARN, as Dagster shows it
    blocking: bool = False  # a failure stops downstream assets in the same run
    at_most: bool = False  # passes when observed <= expected (a threshold) instead of observed == expected
    # What the query's `?` are, in order: "as_of" (C360_AS_OF: figures that stop there) or "run_id" (this run's
    # loads); the offenders query binds the same.
    binds: tuple[str, ...] = ()
    offenders_sql: str | None = None  # on failure: the files that hold the offending rows (one column, a few rows)
    # The same rule over the rows this run loaded (bind: the run id), run by the streaming increment instead of `sql`;
    # None: the rule needs the whole table every time. The nightly build keeps the full scan.
    increment_sql: str | None = None

    def passes(self, observed, expected) -> bool:
        if observed is None or expected is None:
            return observed == expected
        return observed <= expected if self.at_most else observed == expected

    @property
    def asset_key_string(self) -> str:
        return "/".join(self.asset)


def _rows_match_history(table: str) -> str:
    return f"""
        select
            (select count(*) from bronze.{table}),
            (select coalesce(sum(row_count), 0) from bronze.load_history
              where table_name = '{table}' and status in ('{LOADED}', '{PARTIALLY_LOADED}'))"""


def _nulls(table: str, column: str, where: str = "true") -> str:
    return f"select count(*) - count({column}), 0 from {table} where {where}"


OFFENDING_FILES = 5  # a failed check names at most this many files


def _files_where(table: str, condition: str) -> str:
    return (f"select distinct _source_file from {table} where {condition} order by 1 "
            f"limit {OFFENDING_FILES}")


def _history_mismatch_files(table: str) -> str:
    return f"""
        select coalesce(loaded.file_name, held._source_file) from
            (select _source_file, count(*) as n from bronze.{table} group by 1) held
        full outer join
            (select file_name, sum(row_count) as n from bronze.load_history
              where table_name = '{table}' and status in ('{LOADED}', '{PARTIALLY_LOADED}') group by 1) loaded
        on held._source_file = loaded.file_name
        where coalesce(held.n, 0) <> coalesce(loaded.n, 0)
        order by 1 limit {OFFENDING_FILES}"""


def _input_duplicates(table: str, counts: str) -> dict[str, str]:
    """The query and offending files of the duplicate rows load_history counted for `table`."""
    where = f"table_name = '{table}' and status in ('{LOADED}', '{PARTIALLY_LOADED}')"
    return {"sql": f"select coalesce(sum({counts}), 0), 0 from bronze.load_history where {where}",
            "offenders_sql": f"select file_name from bronze.load_history where {where} and {counts} > 0 "
                             f"order by 1 limit {OFFENDING_FILES}"}


def _not_positive(table: str, where: str = "true") -> str:
    """Amounts that are not above zero; a missing amount is not above zero either."""
    return (f"select count(case when transaction_amount is null or transaction_amount <= 0 then 1 end), 0 "
            f"from {table} where {where}")


# The rows the run's own loads added: bronze rows carry _run_id and are appended per load, so zone maps skip the rest.
THIS_RUNS_ROWS = "_run_id = ?"


def _replicated_checks() -> tuple[SqlCheck, ...]:
    """For every table of replication.yaml: rows reconcile with load_history, the key is never null, and a key does
    not repeat within one staged file (an extract stages each row once)."""
    checks = []
    for t in replicated_tables():
        name, table = t.bronze.name, t.bronze.qualified_name
        checks += [
            SqlCheck("rows_match_load_history", ("bronze", name),
                     "Rows in the table equal the rows COPY reports loaded (no silent drop or double load).",
                     _rows_match_history(name), blocking=True, offenders_sql=_history_mismatch_files(name)),
            SqlCheck(f"{t.primary_key}_not_null", ("bronze", name), f"Every {t.name} row has a {t.primary_key}.",
                     _nulls(table, t.primary_key), blocking=True,
                     offenders_sql=_files_where(table, f"{t.primary_key} is null")),
            SqlCheck(f"input_has_no_duplicate_{t.primary_key}_within_a_file", ("bronze", name),
                     f"No {t.primary_key} appears twice in one staged file (load_history's duplicate_count): an extract "
                     "stages each source row once. Later extracts repeat a key that changed, by design.",
                     severity="WARN", **_input_duplicates(name, "coalesce(duplicate_count, 0)")),
        ]
    return tuple(checks)


def _without_customer(where: str) -> str:
    return f"""select count(*), 0 from bronze.bronze_transactions t
               where {where} and not exists (select 1 from bronze.cards_accounts c where c.customer_id = t.customer_id)"""


BRONZE_CHECKS = (
    *_replicated_checks(),
    SqlCheck("rows_match_load_history", ("bronze", "bronze_transactions"),
             "Rows in the table equal the rows COPY reports loaded (no silent drop or double load).",
             _rows_match_history("bronze_transactions"), blocking=True,
             offenders_sql=_history_mismatch_files("bronze_transactions")),
    SqlCheck("transaction_id_not_null", ("bronze", "bronze_transactions"), "Every transaction has an id.",
             _nulls("bronze.bronze_transactions", "transaction_id"), blocking=True,
             offenders_sql=_files_where("bronze.bronze_transactions", "transaction_id is null"),
             increment_sql=_nulls("bronze.bronze_transactions", "transaction_id", THIS_RUNS_ROWS)),
    SqlCheck("amount_positive", ("bronze", "bronze_transactions"),
             "Every transaction amount is present and above zero.", _not_positive("bronze.bronze_transactions"),
             blocking=True, offenders_sql=_files_where("bronze.bronze_transactions",
                                                       "transaction_amount is null or transaction_amount <= 0"),
             increment_sql=_not_positive("bronze.bronze_transactions", THIS_RUNS_ROWS)),
    SqlCheck("input_has_no_duplicate_transactions", ("bronze", "bronze_transactions"),
             "No transaction_id arrived twice, within a file or across files (load_history's duplicate_count + "
             "repeated_count). Silver keeps one row per id; this warns that the input repeated itself.",
             severity="WARN",
             **_input_duplicates("bronze_transactions", "coalesce(duplicate_count, 0) + coalesce(repeated_count, 0)")),
    SqlCheck("transaction_has_customer", ("bronze", "bronze_transactions"),
             "Every transaction's customer_id exists in cards_accounts (replicated from the source).",
             _without_customer("true"), severity="WARN", increment_sql=_without_customer(THIS_RUNS_ROWS)),
)

# Elementary-style volume anomaly: the newest day's transaction count against the 28 days before it.
VOLUME_Z_LIMIT = 3
def _daily_volume_z(newest_day: str) -> str:
    """|z| of the newest day's count against the 28 days before it; `newest_day` is a query for that day. Only those
    29 days are counted (transaction dates prune the scan)."""
    return f"""
    with latest as ({newest_day}),
    daily as (
        select cast(transaction_date as date) as day, count(*) as transactions
        from bronze.bronze_transactions cross join latest
        where transaction_date >= latest.day - 28 and transaction_date < latest.day + 1
        group by 1
    ),
    history as (
        select avg(transactions) as mean, stddev_samp(transactions) as sd, count(*) as days
        from daily cross join latest
        where daily.day < latest.day
    )
    select
        case when history.days < 7 or coalesce(history.sd, 0) = 0 then 0
             else round(abs(daily.transactions - history.mean) / history.sd, 2) end,
        {VOLUME_Z_LIMIT}
    from daily cross join latest cross join history
    where daily.day = latest.day"""


# The increment judges the newest day its own rows reach (a late file for an older day is judged against that day's
# 28 days before); a run that loaded nothing has no day to judge and passes.
_NEWEST_DAY = "select cast(max(transaction_date) as date) as day from bronze.bronze_transactions"


VOLUME_CHECKS = (
    SqlCheck("daily_volume_within_3_sigma", ("bronze", "bronze_transactions"),
             f"The newest day's transaction count is within {VOLUME_Z_LIMIT} standard deviations of the 28 days "
             "before it (observed: |z|). Warns; does not block.",
             _daily_volume_z(_NEWEST_DAY), severity="WARN", at_most=True,
             increment_sql=_daily_volume_z(f"{_NEWEST_DAY} where {THIS_RUNS_ROWS}")),
)

# Distinct keys are counted with GROUP BY, which DuckDB spills to disk; count(DISTINCT) does not, and at 135M
# transactions it exceeded the warehouse's memory limit (make bench at 10x).
GOLD_CHECKS = (
    SqlCheck("customers_reconcile_with_bronze", ("gold", "dim_customer"),
             "dim_customer has one current version per distinct customer_id loaded into bronze.",
             """select (select count(*) from gold.dim_customer where is_current),
                       (select count(*) from (select trim(customer_id) from bronze.cards_accounts group by 1) k)"""),
    SqlCheck("transactions_reconcile_with_bronze", ("gold", "fct_transactions"),
             "fct_transactions has one row per distinct transaction_id loaded into bronze.",
             """select (select count(*) from gold.fct_transactions),
                       (select count(*) from (select trim(transaction_id) from bronze.bronze_transactions
                                               group by 1) k)"""),
    SqlCheck("amount_positive", ("gold", "fct_transactions"), "Every transaction amount is present and above zero.",
             _not_positive("gold.fct_transactions")),
    SqlCheck("one_profile_per_customer", ("gold", "customer_360_profile"),
             "The profile has exactly one row per current customer in dim_customer.",
             """select (select count(*) from gold.customer_360_profile),
                       (select count(*) from gold.dim_customer where is_current)"""),
    SqlCheck("lifetime_spend_matches_facts", ("gold", "customer_360_profile"),
             "Total lifetime spend equals the sum of approved amounts up to as-of in fct_transactions (in cents).",
             """select (select cast(round(coalesce(sum(lifetime_value), 0) * 100) as bigint)
                          from gold.customer_360_profile),
                       (select cast(round(coalesce(sum(transaction_amount), 0) * 100) as bigint)
                          from gold.fct_transactions where is_approved and transaction_date <= cast(? as date))""",
             binds=("as_of",)),
)

# The streaming increment reconciles what it loaded, not the whole table: every transaction id this run COPYed into
# bronze is in fct_transactions exactly once. Counting distinct ids over all of bronze (the check above) grows with
# the table and dominated an increment's checks; this reads the run's own rows (bronze rows carry _run_id and are
# appended per load, so zone maps skip the rest) and looks them up in fct_transactions between their smallest and
# largest id. The increment job runs it instead of the full reconciliation, the first build only the full one
# (defs/bronze/jobs.py, defs/pipeline/jobs.py); in the other builds, which load no transactions, it finds nothing.
_LOADED_BY_THIS_RUN = ("select distinct trim(transaction_id) as transaction_id from bronze.bronze_transactions "
                       "where _run_id = ?")
LOAD_RECONCILIATION = SqlCheck(
    "loaded_transactions_reached_gold", ("gold", "fct_transactions"),
    "Every transaction id this run loaded into bronze is in fct_transactions exactly once (the streaming "
    "increment's reconciliation; builds that rebuild gold reconcile the whole table).",
    f"""with loaded as ({_LOADED_BY_THIS_RUN})
        select (select count(*) from gold.fct_transactions
                 where transaction_id >= (select min(transaction_id) from loaded)
                   and transaction_id <= (select max(transaction_id) from loaded)
                   and transaction_id in (select transaction_id from loaded)),
               (select count(*) from loaded)""",
    binds=("run_id",),
    offenders_sql=f"""select distinct _source_file from bronze.bronze_transactions b
        where _run_id = ? and (select count(*) from gold.fct_transactions f
                                where f.transaction_id = trim(b.transaction_id)) <> 1
        order by 1 limit {OFFENDING_FILES}""",
)
FULL_RECONCILIATION = next(c for c in GOLD_CHECKS if c.name == "transactions_reconcile_with_bronze")
