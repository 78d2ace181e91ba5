"""Scoring: the promoted model's probabilities for the `score` cut-off, written to gold.churn_predictions.

The table is replaced whole in one transaction (a reader sees yesterday's scores or today's, never half), through
the warehouse session: DuckDB inserts from Arrow, Snowflake binds the rows as one array (the connector stages large
arrays itself). The table's DDL is snowflake_setup/10_model_outputs.sql, which the local target applies here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from customer360.lib.churn.model import TrainedModel, population_stability
from customer360.lib.resources.warehouse import WarehouseSession
from customer360.lib.sql import apply_locally

if TYPE_CHECKING:
    import pandas as pd

TABLE = "gold.churn_predictions"
SCHEMA = pa.schema([
    ("customer_id", pa.string()), ("churn_probability", pa.float64()), ("churn_risk_score", pa.int32()),
    ("predicted_churn", pa.bool_()), ("churn_risk_band", pa.string()), ("model_version", pa.string()),
    ("feature_date", pa.date32()), ("scored_at", pa.timestamp("us")),
])
DRIFT_WARNING = 0.2  # PSI at which a feature's population has moved enough to retrain


def ensure_model_outputs(session: WarehouseSession) -> None:
    """Create gold.churn_predictions on the local target (snowflake_setup/10 on Snowflake)."""
    apply_locally(session, "model_outputs")


def bands(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """High: the model predicts churn; Medium: at least half the threshold; Low: below."""
    return np.where(probabilities >= threshold, "High", np.where(probabilities >= threshold / 2, "Medium", "Low"))


def score(model: TrainedModel, rows: pd.DataFrame, scored_at: dt.datetime) -> pa.Table:
    import pandas as pd

    probabilities = model.probabilities(rows) if len(rows) else np.array([], dtype=float)
    return pa.table({
        "customer_id": rows["customer_id"].astype(str).to_numpy(),
        "churn_probability": probabilities,
        "churn_risk_score": np.rint(probabilities * 100).astype(np.int32),
        "predicted_churn": probabilities >= model.threshold,
        "churn_risk_band": bands(probabilities, model.threshold),
        "model_version": [model.version] * len(rows),
        "feature_date": pd.to_datetime(rows["feature_date"]).dt.date.to_numpy(),
        "scored_at": [scored_at.replace(tzinfo=None)] * len(rows),
    }, schema=SCHEMA)


def replace(session: WarehouseSession, predictions: pa.Table) -> int:
    """Replace the table's rows with `predictions` in one transaction; return the rows now there."""
    ensure_model_outputs(session)
    with session.transaction():
        session.execute(f"DELETE FROM {TABLE}")
        session.insert_rows(TABLE, predictions.to_pylist(), SCHEMA)
    return session.fetchone(f"SELECT count(*) FROM {TABLE}")[0]


def drift(model: TrainedModel, rows: pd.DataFrame) -> dict[str, float]:
    """Population stability of each of the model's top features between its training rows and `rows`."""
    return {name: round(population_stability(bins, rows[name].to_numpy(dtype=float)), 4)
            for name, bins in model.reference.items()}
