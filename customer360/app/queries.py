"""Every query the app's pages run. Values always travel as bound parameters (`?`, on DuckDB and Snowflake alike);
only names this module or the semantic model defines are ever part of the SQL text.

The PII-free gold marts serve every role; `customer_360_profile` (names, e-mail) is read only for a role that may
see them unmasked, and the observability views only for roles granted that schema (access.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from customer360.app.access import MASKED, AppRole

if TYPE_CHECKING:
    import pandas as pd

    from customer360.app.warehouse import AppWarehouse

AUDIENCE = "gold.marketing_customer_audience"
TRANSACTIONS = "gold.fct_transactions_as_of"  # nothing after as-of, as every figure
PROFILE = "gold.customer_360_profile"
# The segment explorer's and campaign simulator's filters: label -> audience column (fixed names, never user text).
FILTER_COLUMNS = {
    "Generated segment": "customer_segment",
    "Behavioural segment": "behavioural_segment",
    "RFM cell": "rfm_cell",
    "State": "state",
    "Churn band (model)": "model_churn_risk_band",
    "Card type": "card_type",
}
# What a target list and an explorer export carry: the audience's PII-free columns.
AUDIENCE_COLUMNS = ("customer_id", "customer_segment", "behavioural_segment", "rfm_cell", "state", "card_type",
                    "value_tier", "lifetime_value", "spend_last_90_days", "spend_trend", "model_churn_risk_score",
                    "model_churn_risk_band", "churn_risk_band", "days_since_last_transaction")
MAX_SEARCH_RESULTS = 20


class AccessDenied(PermissionError):
    """The app's role may not read what was asked."""


@dataclass(frozen=True)
class AudienceFilter:
    """The explorer's selection: chosen values per filter column, and a minimum lifetime value."""

    values: Mapping[str, Sequence[str]] = field(default_factory=dict)  # audience column -> allowed values
    min_lifetime_value: float = 0.0

    def where(self) -> tuple[str, list]:
        clauses, params = [], []
        for column, chosen in self.values.items():
            if column not in FILTER_COLUMNS.values():
                raise ValueError(f"{column!r} is not a filter of the audience")
            chosen = [str(v) for v in chosen]
            if chosen:
                clauses.append(f"{column} IN ({', '.join('?' for _ in chosen)})")
                params.extend(chosen)
        if self.min_lifetime_value > 0:
            clauses.append("lifetime_value >= ?")
            params.append(float(self.min_lifetime_value))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# --- Customer deep dive ---------------------------------------------------------------------------------------

def _search(wh: "AppWarehouse", text: str) -> tuple[str, str, list]:
    """The relation, the WHERE clause and its values of a customer search, for the role."""
    needle = text.strip()
    if wh.role.reads_pii:
        return (PROFILE, "CONTAINS(customer_id, UPPER(?)) OR CONTAINS(LOWER(first_name || ' ' || last_name), LOWER(?)) "
                         "OR CONTAINS(LOWER(email), LOWER(?))", [needle, needle, needle])
    return AUDIENCE, "CONTAINS(customer_id, UPPER(?))", [needle]


def search_customers(wh: "AppWarehouse", text: str) -> tuple["pd.DataFrame", int]:
    """The first MAX_SEARCH_RESULTS customers whose id (any role) or name or e-mail (roles that read them unmasked)
    contain `text`, by id, and how many match in all."""
    relation, where, params = _search(wh, text)
    columns = ("customer_id, first_name, last_name, email, state, card_type" if wh.role.reads_pii
               else "customer_id, state, card_type, customer_segment")
    found = wh.query(f"SELECT {columns} FROM {relation} WHERE {where} ORDER BY customer_id "
                     f"LIMIT {MAX_SEARCH_RESULTS}", params)
    if len(found) < MAX_SEARCH_RESULTS:
        return found, len(found)
    total = wh.query(f"SELECT COUNT(*) AS matches FROM {relation} WHERE {where}", params)["matches"].iloc[0]
    return found, int(total)


def customer_card(wh: "AppWarehouse", customer_id: str) -> dict | None:
    """One customer's card: the audience's PII-free figures, with name and e-mail for roles that may read them."""
    frame = wh.query(f"SELECT * FROM {AUDIENCE} WHERE customer_id = ?", [customer_id])
    if frame.empty:
        return None
    card = frame.iloc[0].to_dict()
    if wh.role.reads_pii:
        pii = wh.query(f"SELECT first_name, last_name, email, city FROM {PROFILE} WHERE customer_id = ?", [customer_id])
        if not pii.empty:
            card.update(pii.iloc[0].to_dict())
    return card


@dataclass(frozen=True)
class HistoryFilter:
    date_from: dt.date
    date_to: dt.date
    categories: Sequence[str] = ()
    statuses: Sequence[str] = ()

    def apply(self, history: "pd.DataFrame") -> "pd.DataFrame":
        """The rows of a customer's history in the period, categories and statuses chosen (none chosen: all)."""
        days = history["transaction_date"].map(as_date)
        keep = (days >= self.date_from) & (days <= self.date_to)
        if self.categories:
            keep &= history["merchant_category"].isin(list(self.categories))
        if self.statuses:
            keep &= history["status"].isin(list(self.statuses))
        return history[keep]


def customer_history(wh: "AppWarehouse", customer_id: str) -> "pd.DataFrame":
    """Every transaction of one customer, newest first: one scan of the fact table per customer opened; the page
    then filters it (HistoryFilter) without asking the warehouse again."""
    return wh.query(f"SELECT transaction_id, transaction_at, transaction_date, transaction_amount, merchant_name, "
                    f"merchant_category, channel, status FROM {TRANSACTIONS} WHERE customer_id = ? "
                    "ORDER BY transaction_at DESC, transaction_id", [customer_id])


def as_date(value) -> dt.date:
    """A day from what either engine returns for a DATE (datetime.date, or a pandas Timestamp)."""
    return value.date() if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime") else value


# --- Segment explorer and campaign simulator --------------------------------------------------------------------

def filter_options(wh: "AppWarehouse") -> dict[str, list[str]]:
    """The values each filter column holds (distinct, sorted)."""
    options = {}
    for label, column in FILTER_COLUMNS.items():
        frame = wh.query(f"SELECT DISTINCT {column} AS value FROM {AUDIENCE} WHERE {column} IS NOT NULL ORDER BY 1")
        options[label] = [str(v) for v in frame["value"]]
    return options


def audience_summary(wh: "AppWarehouse", selection: AudienceFilter) -> "pd.DataFrame":
    """Customers and value per behavioural segment and model churn band in the selection."""
    where, params = selection.where()
    return wh.query(f"SELECT behavioural_segment, COALESCE(model_churn_risk_band, 'Not scored') AS churn_band, "
                    f"COUNT(*) AS customers, SUM(lifetime_value) AS lifetime_value FROM {AUDIENCE}{where} "
                    "GROUP BY 1, 2 ORDER BY 1, 2", params)


def audience_rows(wh: "AppWarehouse", selection: AudienceFilter) -> "pd.DataFrame":
    """Every customer in the selection, PII-free columns only (what an export or a target list carries)."""
    where, params = selection.where()
    return wh.query(f"SELECT {', '.join(AUDIENCE_COLUMNS)} FROM {AUDIENCE}{where} ORDER BY customer_id", params)


@dataclass(frozen=True)
class ChurnModelCoverage:
    customers: int
    scored: int  # customers the churn model scored (gold.churn_predictions)
    rule_high: int  # customers the rule-based band puts at High risk
    model_scored_anyone: bool = False  # in the whole audience, when these customers are a selection of it

    def missing(self) -> str | None:
        """Why no figure from the churn model can be shown, and how to get one; None when it scored someone."""
        if self.scored:
            return None
        meanwhile = f"Meanwhile the rule-based churn band puts {self.rule_high:,} of them at High risk."
        if self.model_scored_anyone:
            return (f"The churn model scored none of these {self.customers:,} customers (it scores customers with "
                    "an approved transaction in the last 90 days), so there is no model figure to show for them. "
                    + meanwhile)
        return (f"The churn model has not scored any of these {self.customers:,} customers, so there is no model "
                "figure to show (a 0 would be computed from nothing). It needs 9 months of history: train it with "
                "the churn_training job (`make demo` runs it when the history is long enough), then reload. "
                + meanwhile)


def churn_model_coverage(wh: "AppWarehouse") -> ChurnModelCoverage:
    frame = wh.query(f"SELECT COUNT(*) AS customers, COUNT(model_churn_risk_score) AS scored, "
                     f"SUM(CASE WHEN churn_risk_band = 'High' THEN 1 ELSE 0 END) AS rule_high FROM {AUDIENCE}")
    row = frame.iloc[0]
    return ChurnModelCoverage(int(row["customers"]), int(row["scored"]), int(row["rule_high"] or 0))


# --- Pipeline health --------------------------------------------------------------------------------------------

def _observability(role: AppRole) -> None:
    if not role.reads_observability:
        raise AccessDenied(f"The role {role.name} has no grant on the OBSERVABILITY schema; pipeline health is for "
                           "DATA_ANALYST and DATA_ENGINEER (set C360_APP_ROLE).")


def latest_runs(wh: "AppWarehouse") -> "pd.DataFrame":
    _observability(wh.role)
    # A run's error can quote a rejected value (COPY's messages do): masked for a role that may not read PII, as
    # Snowflake's policy masks the column (snowflake_setup/08); whether there was an error still shows.
    error = "error_message" if wh.role.reads_pii else f"CASE WHEN error_message IS NULL THEN NULL ELSE '{MASKED}' END"
    return wh.query("SELECT job_name, status, started_at, duration_s, rows_processed, assets_materialized, "
                    f"{error} AS error_message FROM observability.v_latest_pipeline_runs ORDER BY started_at DESC")


def recent_failures(wh: "AppWarehouse") -> "pd.DataFrame":
    _observability(wh.role)
    return wh.query("SELECT checked_at, check_name, asset_key, severity, observed_value, threshold, description "
                    "FROM observability.v_recent_dq_failures ORDER BY checked_at DESC")


def record_count_trends(wh: "AppWarehouse") -> "pd.DataFrame":
    _observability(wh.role)
    return wh.query("SELECT measured_date, layer, table_name, row_count, duplicate_keys, null_keys "
                    "FROM observability.v_record_count_trends ORDER BY measured_date, layer, table_name")
