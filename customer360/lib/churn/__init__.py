"""The churn model: features from dbt (gold.ml_churn_features), training with gates, a versioned registry in the
object store, and scoring into gold.churn_predictions. The asset keys live here so jobs and the CLI can name them
without importing scikit-learn."""

import dagster as dg

CHURN_GROUP = "churn"
FEATURES = dg.AssetKey(["gold", "ml_churn_features"])
CANDIDATE = dg.AssetKey(["churn", "churn_model_candidate"])
MODEL = dg.AssetKey(["churn", "churn_model"])
PREDICTIONS = dg.AssetKey(["gold", "churn_predictions"])
# The earliest training cut-off is 210 days before as-of and needs activity before it: shorter histories have no
# training rows (ml_churn_features).
CHURN_MIN_MONTHS = 9
