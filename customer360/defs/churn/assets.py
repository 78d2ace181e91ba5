"""The churn model as assets: train a candidate, promote it only past its gates, score the active customers.

    gold/ml_churn_features (dbt) -> churn/churn_model_candidate -> churn/churn_model -> gold/churn_predictions
                                    (blocking checks: quality_gates,  (promotion)       (check: feature_drift,
                                     no_worse_than_current)                               warns)

A candidate that fails a gate is still stored (its card says why), but the blocking checks stop the run before
churn_model, so it is never promoted and scoring keeps the current version. customer_360_profile and the marketing
audience read gold.churn_predictions (a dbt source), so the jobs rebuild them after scoring.
"""

import collections
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from customer360.lib.churn import CANDIDATE, CHURN_GROUP, FEATURES, MODEL, PREDICTIONS, registry
from customer360.lib.churn.model import Gates, TrainedModel, evaluate, frame, split_rows, train
from customer360.lib.churn.predictions import DRIFT_WARNING, TABLE, drift, replace, score
from customer360.lib.observability.quality import CheckRecord, record_checks
from customer360.lib.resources.object_store import ObjectStoreResource
from customer360.lib.resources.warehouse import Warehouse

if TYPE_CHECKING:
    import pandas as pd


class ChurnGatesConfig(dg.Config):
    min_f1: float = Field(default=Gates.f1, description="F1 on the validation cut-off a new version must reach.")
    min_precision: float = Field(default=Gates.precision, description="Precision it must reach.")
    min_recall: float = Field(default=Gates.recall, description="Recall it must reach.")


def read_features(warehouse: Warehouse, splits: tuple[str, ...]) -> "pd.DataFrame":
    """The feature mart's rows of `splits`, as Arrow from the warehouse (DuckDB or Snowflake's fetch_arrow_all)."""
    marks = ", ".join("?" for _ in splits)
    with warehouse.session() as session:
        table = session.fetch_arrow(f"SELECT * FROM gold.ml_churn_features WHERE split IN ({marks}) "
                                    "ORDER BY feature_date, customer_id", list(splits))
    return frame(table)


def _record(warehouse: Warehouse, asset: dg.AssetKey, run_id: str,
            results: list[tuple[dg.AssetCheckResult, float | None, float | None]]) -> list[dg.AssetCheckResult]:
    """Each model check's result also lands in observability.data_quality_metrics, as every other check's does
    (result, observed value, threshold); the results come back for the step to report."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with warehouse.session() as session:
        record_checks(session, [
            CheckRecord(result.check_name, asset.to_user_string(), result.passed, result.severity.value, observed,
                        threshold, result.description, run_id, now)
            for result, observed, threshold in results])
    return [result for result, _, _ in results]


def _metadata(model: TrainedModel, stored: registry.StoredVersion, store: ObjectStoreResource) -> dict:
    return {
        "version": model.version,
        "artifact": dg.MetadataValue.path(f"{store.location}{stored.model_key}"),
        "sha256": stored.sha256,
        **{name: dg.MetadataValue.float(round(value, 4)) for name, value in model.metrics.items()},
        "class_balance": dg.MetadataValue.json(model.class_balance),
        "feature_importance": dg.MetadataValue.md(
            "| feature | permutation importance (average precision) |\n|---|---|\n"
            + "\n".join(f"| {name} | {value:.4f} |" for name, value in list(model.importance.items())[:15])),
        "calibration": dg.MetadataValue.md(
            "| probability | rows | mean predicted | observed churn |\n|---|---|---|---|\n"
            + "\n".join(f"| {b['band']} | {b['rows']} | {b['predicted']:.3f} | {b['observed']:.3f} |"
                        for b in model.calibration)),
    }


@dg.asset(
    key=CANDIDATE,
    deps=[FEATURES],
    group_name=CHURN_GROUP,
    kinds={"scikitlearn", "s3"},
    check_specs=[
        dg.AssetCheckSpec("quality_gates", asset=CANDIDATE, blocking=True,
                          description="F1, precision and recall on the validation cut-off reach the release "
                                      "thresholds (0.50, 0.60, 0.40 unless the run config raises them)."),
        dg.AssetCheckSpec("no_worse_than_current", asset=CANDIDATE, blocking=True,
                          description="F1 on the same validation rows is at least the promoted version's."),
    ],
    description="Trains a HistGradientBoosting churn classifier on the train cut-offs of gold.ml_churn_features, "
                "judges it on the later validation cut-off and stores it as models/churn/<version>/.",
)
def churn_model_candidate(context: dg.AssetExecutionContext, config: ChurnGatesConfig,
                          warehouse: dg.ResourceParam[Warehouse],
                          object_store: ObjectStoreResource) -> dg.MaterializeResult:
    rows = read_features(warehouse, ("train", "validation"))
    model = train(rows)
    model.version = registry.new_version(context.run.run_id)
    gates = Gates(config.min_f1, config.min_precision, config.min_recall)
    failures = gates.failures(model.metrics)
    current_f1 = _current_f1(object_store, split_rows(rows)[2], context)
    worse = current_f1 is not None and model.metrics["f1"] < current_f1
    model.gates_passed = not failures and not worse
    stored = registry.save(object_store, model)
    context.log.info(f"churn model {model.version}: " + ", ".join(f"{k} {v:.3f}" for k, v in model.metrics.items()))
    # Both results in one event: a failed blocking check ends the step, so the second would otherwise go unrecorded.
    return dg.MaterializeResult(
        metadata={**_metadata(model, stored, object_store), "gates_passed": model.gates_passed},
        check_results=_record(warehouse, CANDIDATE, context.run.run_id, [
            (dg.AssetCheckResult(
                check_name="quality_gates", passed=not failures, severity=dg.AssetCheckSeverity.ERROR,
                description="; ".join(failures) or "every gate met",
                metadata={"f1": model.metrics["f1"], "precision": model.metrics["precision"],
                          "recall": model.metrics["recall"], "thresholds": dg.MetadataValue.json(vars(gates))}),
             model.metrics["f1"], gates.f1),
            (dg.AssetCheckResult(
                check_name="no_worse_than_current", passed=not worse, severity=dg.AssetCheckSeverity.ERROR,
                description=("no promoted version yet" if current_f1 is None else
                             f"candidate F1 {model.metrics['f1']:.4f} vs promoted {current_f1:.4f} on the same rows"),
                metadata={"candidate_f1": model.metrics["f1"],
                          "current_f1": current_f1 if current_f1 is not None else -1.0}),
             model.metrics["f1"], current_f1),
        ]))


def recorded_sha256(instance: dg.DagsterInstance) -> Callable[[str], str | None]:
    """A version's pickle digest as the run that trained it recorded it (the candidate's materialization): the
    event log vouches for a pickle, not the bucket it was read from."""
    def lookup(version: str) -> str | None:
        cursor = None
        while True:
            page = instance.fetch_materializations(CANDIDATE, limit=100, cursor=cursor)
            for record in page.records:
                metadata = record.asset_materialization.metadata if record.asset_materialization else {}
                if "version" in metadata and metadata["version"].value == version and "sha256" in metadata:
                    return metadata["sha256"].value
            if not page.has_more:
                return None
            cursor = page.cursor
    return lookup


def _current_f1(store: ObjectStoreResource, validation: "pd.DataFrame", context) -> float | None:
    """The promoted version's F1 on the candidate's validation rows (its own threshold), None before the first."""
    if registry.current(store) is None:
        return None
    current = registry.load_current(store, recorded_sha256(context.instance))
    labels = validation["churned"].astype(bool).to_numpy()
    f1 = evaluate(labels, current.probabilities(validation), current.threshold)["f1"]
    context.log.info(f"promoted version {current.version} scores F1 {f1:.4f} on this validation cut-off")
    return f1


@dg.asset(
    key=MODEL,
    deps=[CANDIDATE],
    group_name=CHURN_GROUP,
    kinds={"s3"},
    description="Promotes the latest candidate (models/churn/current.json) once its blocking checks pass; scoring "
                "always uses the promoted version.",
)
def churn_model(context: dg.AssetExecutionContext, object_store: ObjectStoreResource) -> dg.MaterializeResult:
    event = context.instance.get_latest_materialization_event(CANDIDATE)
    if event is None or event.asset_materialization is None:
        raise dg.Failure("no churn_model_candidate has been trained: run the churn_training job")
    metadata = event.asset_materialization.metadata
    version, sha256 = metadata["version"].value, metadata["sha256"].value
    candidate = registry.load(object_store, version, sha256)
    if not candidate.gates_passed:
        raise dg.Failure(f"candidate {version} did not pass its gates (see its checks); it stays unpromoted")
    pointer = registry.promote(object_store, version, context.run.run_id, sha256)
    return dg.MaterializeResult(metadata={"version": version, "promoted_at": pointer["promoted_at"],
                                          "f1": candidate.metrics["f1"],
                                          "pointer": dg.MetadataValue.path(f"{object_store.location}{registry.CURRENT}")})


@dg.asset(
    key=PREDICTIONS,
    deps=[MODEL, FEATURES],
    group_name=CHURN_GROUP,
    kinds={"scikitlearn", "duckdb"},
    check_specs=[dg.AssetCheckSpec(
        "feature_drift", asset=PREDICTIONS,
        description=f"Population stability (PSI) of the model's top features, training rows vs today's: warns at "
                    f"{DRIFT_WARNING} or more (time to retrain).")],
    description="The promoted churn model's probability, 0-100 score, prediction and band for every active "
                "customer at the as-of date; replaced whole each run. customer_360_profile reads it.",
)
def churn_predictions(context: dg.AssetExecutionContext, warehouse: dg.ResourceParam[Warehouse],
                      object_store: ObjectStoreResource):
    model = registry.load_current(object_store, recorded_sha256(context.instance))
    rows = read_features(warehouse, ("score",))
    predictions = score(model, rows, dt.datetime.now(dt.UTC))
    with warehouse.session() as session:
        written = replace(session, predictions)
    bands = collections.Counter(predictions["churn_risk_band"].to_pylist())
    yield dg.MaterializeResult(metadata={
        "dagster/row_count": written, "model_version": model.version, "table": TABLE,
        "predicted_churn": int(predictions["predicted_churn"].to_numpy(zero_copy_only=False).sum()),
        "bands": dg.MetadataValue.json({band: int(count) for band, count in sorted(bands.items())}),
    })
    stability = drift(model, rows)
    shifted = {name: value for name, value in stability.items() if value >= DRIFT_WARNING}
    worst = max(stability.values(), default=0.0)
    yield from _record(warehouse, PREDICTIONS, context.run.run_id, [(dg.AssetCheckResult(
        check_name="feature_drift", passed=not shifted, severity=dg.AssetCheckSeverity.WARN,
        description=(f"shifted since training: {', '.join(shifted)}; retrain (churn_training job)" if shifted
                     else "no top feature moved (every PSI below " f"{DRIFT_WARNING})"),
        metadata={"psi": dg.MetadataValue.json(stability), "max_psi": worst}), worst, DRIFT_WARNING)])


CHURN_ASSETS = [churn_model_candidate, churn_model, churn_predictions]
