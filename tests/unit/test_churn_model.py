"""The churn model's parts that need no warehouse: training on a learnable signal, the gates, the registry's
refusals, bands, and population stability."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from churn import feature_rows

from customer360.lib.churn import registry
from customer360.lib.churn.model import Gates, frame, population_stability, reference_bins, train
from customer360.lib.churn.predictions import bands, drift, score
from customer360.lib.resources.object_store import ObjectStoreResource


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
        registry.load_current(store, {}.get)
    stored = registry.save(store, model)
    recorded = {model.version: stored.sha256}.get  # what the candidate's materialization recorded
    registry.promote(store, model.version, "run-1", stored.sha256)
    assert registry.load_current(store, recorded).metrics == model.metrics
    path = store._path(stored.model_key)
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(registry.RegistryError, match="does not match the SHA-256 Dagster recorded"):
        registry.load_current(store, recorded)


def test_a_pickle_and_card_replaced_together_are_refused_because_dagster_recorded_the_trained_digest(model, store):
    stored = registry.save(store, model)
    registry.promote(store, model.version, "run-1", stored.sha256)
    other = train(frame(feature_rows(customers=300, seed=5)))
    other.version = model.version
    forged = registry.save(store, other)  # the same writer rewrites pickle and card, digest and all
    assert forged.sha256 != stored.sha256 and registry.current(store)["version"] == model.version
    with pytest.raises(registry.RegistryError, match="does not match the SHA-256 Dagster recorded"):
        registry.load_current(store, {model.version: stored.sha256}.get)
    with pytest.raises(registry.RegistryError, match="no SHA-256 in a churn_model_candidate materialization"):
        registry.load_current(store, {}.get)


@pytest.mark.parametrize("version", ["../../reports/x", "20260630T120000Z-abcdef12/../../x", "", None, 7])
def test_a_promoted_version_that_is_not_a_registry_version_is_refused_before_any_read(store, version):
    store.write(registry.CURRENT, lambda path: path.write_text(json.dumps({"version": version})))
    with pytest.raises(registry.RegistryError, match="is not a version this registry writes"):
        registry.load_current(store, lambda v: pytest.fail(f"looked up {v!r}"))


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
