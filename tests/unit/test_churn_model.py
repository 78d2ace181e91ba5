"""The churn model's parts that need no warehouse: training on a learnable signal, the gates, the registry's
refusals, bands, and population stability."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from churn import feature_rows

from customer360.churn import registry
from customer360.churn.model import Gates, frame, population_stability, reference_bins, train
from customer360.churn.predictions import bands, drift, score
from customer360.resources.object_store import ObjectStoreResource


@pytest.fixture(scope="module")
def model():
    trained = train(frame(feature_rows(customers=600)))
    trained.version = registry.new_version("abcdef1234", dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC))
    trained.gates_passed = True
    return trained


@pytest.fixture
def store(tmp_path):
    return ObjectStoreResource(bucket="lake", local_root=str(tmp_path))


def test_a_learnable_signal_passes_the_gates_and_the_split_is_reported(model):
    assert Gates().failures(model.metrics) == [], model.metrics
    assert model.class_balance["train"]["rows"] == 4 * 600 and model.class_balance["validation"]["rows"] == 600
    assert next(iter(model.importance)) in {"spend_30d_vs_baseline", "generated_segment"}
    assert model.version == "20260630T120000Z-abcdef12"


def test_the_gates_name_each_metric_below_its_threshold():
    assert Gates().failures({"f1": 0.49, "precision": 0.6, "recall": 0.1}) == ["f1 0.490 < 0.50", "recall 0.100 < 0.40"]


def test_training_without_churners_says_why():
    rows = frame(feature_rows(customers=100))
    rows["churned"] = False
    with pytest.raises(ValueError, match="the training cut-offs have no churned customer"):
        train(rows)


def test_promotion_points_scoring_at_the_version_and_an_altered_artifact_is_refused(model, store):
    with pytest.raises(registry.RegistryError, match="no churn model has been promoted yet.*churn_training"):
        registry.load_current(store)
    stored = registry.save(store, model)
    registry.promote(store, model.version, "run-1")
    assert registry.load_current(store).metrics == model.metrics
    path = store._path(stored.model_key)
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(registry.RegistryError, match="does not match the SHA-256 in its card"):
        registry.load_current(store)


def test_scores_bands_and_drift(model):
    rows = frame(feature_rows(customers=300, seed=9))
    scored = score(model, rows[rows["split"] == "score"], dt.datetime(2026, 7, 1, tzinfo=dt.UTC)).to_pylist()
    assert len(scored) == 300 and all(r["churn_risk_score"] == round(r["churn_probability"] * 100) for r in scored)
    assert {r["churn_risk_band"] for r in scored if r["predicted_churn"]} == {"High"}
    assert list(bands(np.array([0.9, 0.3, 0.1]), 0.5)) == ["High", "Medium", "Low"]
    assert max(drift(model, rows).values()) < 0.2  # the same population as training


def test_population_stability_is_zero_for_the_same_population_and_large_for_a_shift():
    rng = np.random.default_rng(1)
    reference = rng.normal(100, 20, 20_000)
    bins = reference_bins(reference)
    assert population_stability(bins, rng.normal(100, 20, 20_000)) < 0.01
    assert population_stability(bins, rng.normal(130, 20, 20_000)) > 0.2
