"""The churn classifier: which features it reads, how it is trained and judged, and the gates a new version must pass.

Training is time-aware: the model learns from the `train` cut-offs of `gold.ml_churn_features` and is judged on the
later `validation` cut-off, whose 60-day label window ends on the as-of date and starts after every training label
window ends. The decision threshold is chosen on the latest training cut-off (held out from a first fit), so the
validation rows judge a model that never saw them in any way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from customer360.lib.churn import CHURN_MIN_MONTHS

if TYPE_CHECKING:
    import pandas as pd

# scikit-learn and pandas are imported where they are used: every process that loads the definitions (each run's
# worker, the CLI, the code server) would otherwise pay for importing them, churn run or not.

CATEGORICAL = ("generated_segment", "state", "employment_status", "card_type")
NUMERIC = (
    "age", "credit_limit", "tenure_days", "lifetime_value", "lifetime_transactions", "avg_transaction_value",
    "days_since_last_transaction", "spend_30d", "spend_90d", "spend_prior_90d", "monthly_baseline",
    "spend_change_pct", "spend_30d_vs_baseline", "transactions_30d", "transactions_90d", "transactions_prior_90d",
    "transaction_change_pct", "utilisation_30d", "max_transaction_90d", "decline_rate_90d", "travel_share_90d",
    "dining_share_90d", "groceries_share_90d", "shopping_share_90d", "essential_share_90d", "online_share_90d",
    "mobile_share_90d", "categories_90d", "active_days_90d",
)
FEATURES = CATEGORICAL + NUMERIC
LABEL = "churned"
SEED = 360
IMPORTANCE_ROWS = 5_000


@dataclass(frozen=True)
class Gates:
    """The reference's release thresholds on the validation cut-off."""

    f1: float = 0.50
    precision: float = 0.60
    recall: float = 0.40

    def failures(self, metrics: dict[str, float]) -> list[str]:
        return [f"{name} {metrics[name]:.3f} < {floor:.2f}" for name, floor in
                (("f1", self.f1), ("precision", self.precision), ("recall", self.recall)) if metrics[name] < floor]


def frame(features: pa.Table) -> pd.DataFrame:
    """Feature rows as pandas with plain numeric and string columns (decimals from the warehouse become floats)."""
    for column in NUMERIC:  # cast in Arrow: pandas would hold decimals as Python objects, 10x slower to convert
        index = features.schema.get_field_index(column)
        features = features.set_column(index, column, pc.cast(features[column], pa.float64()))

    df = features.to_pandas()
    for column in CATEGORICAL:
        df[column] = df[column].astype("object").where(df[column].notna(), "unknown").astype(str)
    return df


def pipeline(seed: int = SEED) -> Any:
    """Ordinal-encode the categoricals (unknown values at scoring become missing), then gradient boosting that
    treats them as categories rather than numbers (a scikit-learn Pipeline)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    encode = ColumnTransformer(
        [("categories", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                       encoded_missing_value=np.nan), list(CATEGORICAL))],
        remainder="passthrough", verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    model = HistGradientBoostingClassifier(
        categorical_features=list(CATEGORICAL), max_iter=150, learning_rate=0.15, max_leaf_nodes=31,
        l2_regularization=1.0, early_stopping=True, validation_fraction=0.15, n_iter_no_change=20, random_state=seed,
    )
    return Pipeline([("encode", encode), ("model", model)])


def best_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """The probability cut that maximises F1 on held-out rows (0.5 when they have no churner)."""
    from sklearn.metrics import precision_recall_curve

    if labels.sum() == 0:
        return 0.5
    precision, recall, thresholds = precision_recall_curve(labels, probabilities)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)[:-1]
    return float(thresholds[int(np.argmax(f1))])


def evaluate(labels: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict[str, float]:
    from sklearn.metrics import brier_score_loss, f1_score, precision_score, recall_score, roc_auc_score

    predicted = probabilities >= threshold
    both_classes = 0 < labels.sum() < labels.size
    return {
        "f1": float(f1_score(labels, predicted, zero_division=0)),
        "precision": float(precision_score(labels, predicted, zero_division=0)),
        "recall": float(recall_score(labels, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(labels, probabilities)) if both_classes else float("nan"),
        "brier": float(brier_score_loss(labels, probabilities)),
        "threshold": float(threshold),
    }


def calibration(labels: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Reliability table: per probability decile band, the mean predicted probability beside the observed rate."""
    edges = np.linspace(0, 1, bins + 1)
    band = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    return [{"band": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "rows": int((band == b).sum()),
             "predicted": round(float(probabilities[band == b].mean()), 4),
             "observed": round(float(labels[band == b].mean()), 4)}
            for b in range(bins) if (band == b).any()]


@dataclass
class TrainedModel:
    """A fitted pipeline with its threshold and what it was judged on: the artifact stored per version."""

    pipeline: Any  # the fitted scikit-learn Pipeline
    threshold: float
    metrics: dict[str, float]
    importance: dict[str, float]
    calibration: list[dict[str, float]]
    class_balance: dict[str, dict[str, int]]
    reference: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # top features' training bins
    trained_at: str = ""
    version: str = ""
    gates_passed: bool = False  # set by the training asset before the version is stored
    features: tuple[str, ...] = FEATURES  # what this version was trained on: later code may add features

    def probabilities(self, df: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(df[list(self.features)])[:, 1]


def _labels(df: pd.DataFrame) -> np.ndarray:
    return df[LABEL].astype(bool).to_numpy()


def _balance(df: pd.DataFrame) -> dict[str, int]:
    labels = _labels(df)
    return {"rows": int(labels.size), "churned": int(labels.sum()), "retained": int((~labels).sum())}


def split_rows(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(earlier training cut-offs, the latest training cut-off, validation): the time-aware split."""
    train = df[df["split"] == "train"]
    if train.empty or (df["split"] == "validation").sum() == 0:
        raise ValueError("ml_churn_features has no train or validation rows: the history is too short for the "
                         f"cut-offs (it needs C360_MONTHS >= {CHURN_MIN_MONTHS}); build a longer history and retrain")
    latest = train["feature_date"].max()
    return train[train["feature_date"] < latest], train[train["feature_date"] == latest], df[df["split"] == "validation"]


def train(df: pd.DataFrame, seed: int = SEED, top_features: int = 5) -> TrainedModel:
    """Fit on the training cut-offs and judge on the validation cut-off.

    1. Fit on the earlier training cut-offs and choose the threshold on the latest one.
    2. Refit on every training cut-off with that threshold (the latest weeks matter most for the next ones).
    3. Judge on the validation cut-off: metrics, calibration and permutation importance.
    """
    import pandas as pd
    from sklearn.inspection import permutation_importance

    earlier, latest, validation = split_rows(df)
    for name, part in (("training", pd.concat([earlier, latest])), ("validation", validation)):
        if _labels(part).sum() == 0:
            raise ValueError(f"the {name} cut-offs have no churned customer: the model has nothing to learn or "
                             "be judged on; check the generator's Declining segment or the history length")
    first = pipeline(seed).fit(earlier[list(FEATURES)], _labels(earlier)) if _labels(earlier).sum() else None
    threshold = best_threshold(_labels(latest), first.predict_proba(latest[list(FEATURES)])[:, 1]) if first else 0.5
    training = pd.concat([earlier, latest])
    fitted = pipeline(seed).fit(training[list(FEATURES)], _labels(training))
    labels = _labels(validation)
    probabilities = fitted.predict_proba(validation[list(FEATURES)])[:, 1]
    # Importance on a sample, permuting the encoded columns the booster sees: each of the 33 features x 2 repeats is
    # a prediction pass, and going through the pipeline's pandas encoder for every pass costs several times more.
    sample = validation.sample(n=min(len(validation), IMPORTANCE_ROWS), random_state=seed)
    encoded = fitted[:-1].transform(sample[list(FEATURES)])
    importance = permutation_importance(fitted[-1], encoded, _labels(sample), scoring="average_precision",
                                        n_repeats=2, random_state=seed, n_jobs=1)
    ranked = sorted(zip(encoded.columns, importance.importances_mean, strict=True), key=lambda pair: -pair[1])
    top = [name for name, _ in ranked if name in NUMERIC][:top_features]
    return TrainedModel(
        pipeline=fitted, threshold=threshold, metrics=evaluate(labels, probabilities, threshold),
        importance={name: round(float(value), 5) for name, value in ranked},
        calibration=calibration(labels, probabilities),
        class_balance={"train": _balance(training), "validation": _balance(validation)},
        reference={name: reference_bins(training[name].to_numpy()) for name in top},
        trained_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )


def _shares(values: np.ndarray, edges: list[float]) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return counts / max(values.size, 1)


def reference_bins(values: np.ndarray, bins: int = 10) -> dict[str, list[float]]:
    """Decile edges of a feature in the training rows and the share of rows in each bin: what population stability
    is measured against at scoring time."""
    edges = sorted({float(v) for v in np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1])})
    return {"edges": edges, "shares": [float(v) for v in _shares(values, edges)]}


def population_stability(reference: dict[str, list[float]], current: np.ndarray) -> float:
    """PSI of `current` against the training bins (below 0.1: stable; 0.1-0.2: some shift; 0.2 and above: a shift
    to act on). Empty bins count as 0.01 % so the logarithm stays finite."""
    expected = np.maximum(np.array(reference["shares"]), 1e-4)
    actual = np.maximum(_shares(current, reference["edges"]), 1e-4)
    return float(np.sum((actual - expected) * np.log(actual / expected)))
