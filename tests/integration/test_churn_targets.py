"""The churn assets on the production path: features read from Snowflake as Arrow (fakesnow), the model versioned
in the object store, predictions written back through the Snowflake session into the table snowflake_setup/10
creates, and read back by a second scoring run without duplicates."""

from __future__ import annotations

import dagster as dg
import pytest
from churn import feature_rows

from customer360.defs.churn.assets import CHURN_ASSETS, recorded_sha256
from customer360.lib.churn import registry
from customer360.lib.sql import statements
from customer360.resources import object_store_resource, warehouse_resource
from customer360.settings import settings


@pytest.fixture
def snowflake(snowflake_env):
    """The Snowflake target with the predictions table (what snowflake_setup/10 applies on an account)."""
    s = settings()
    warehouse = warehouse_resource(s)
    with warehouse.session() as session:
        session.execute(f"CREATE DATABASE IF NOT EXISTS {s.snowflake.database}")
        session.execute(f"USE DATABASE {s.snowflake.database}")
        for statement in [*statements("model_outputs"), *statements("observability")]:  # setup 10 and 07
            session.execute(statement)
    return s, warehouse, object_store_resource(s)


@pytest.fixture
def features(snowflake):
    """gold.ml_churn_features on Snowflake, hand-made (tests/support/churn.py); fakesnow inserts row by row, so small."""
    _, warehouse, _ = snowflake
    rows = feature_rows(customers=150)
    kinds = {"string": "VARCHAR", "date32[day]": "DATE", "bool": "BOOLEAN"}
    with warehouse.session() as session:
        session.execute("CREATE TABLE gold.ml_churn_features ("
                        + ", ".join(f"{f.name} {kinds.get(str(f.type), 'DOUBLE')}" for f in rows.schema) + ")")
        session.insert_rows("gold.ml_churn_features", rows.to_pylist())
    return rows


def test_training_and_scoring_run_on_snowflake_and_replace_the_predictions(snowflake, features):
    s, warehouse, store = snowflake
    rows = features
    resources = {"warehouse": warehouse, "object_store": store}
    instance = dg.DagsterInstance.ephemeral()
    first = dg.materialize(CHURN_ASSETS, resources=resources, instance=instance)
    assert first.success
    version = registry.current(store)["version"]
    assert store.exists(f"models/churn/{version}/model.pkl") and store.exists(f"models/churn/{version}/card.json")
    checks = {e.check_name: e.passed for e in first.get_asset_check_evaluations()}
    assert checks == {"quality_gates": True, "no_worse_than_current": True, "feature_drift": True}
    scored = sum(1 for split in rows["split"].to_pylist() if split == "score")
    again = dg.materialize([CHURN_ASSETS[2]], resources=resources, instance=instance)  # daily scoring with the promoted model
    assert again.success
    with warehouse.session() as session:
        found = session.fetchall("SELECT count(*), count(DISTINCT customer_id), min(model_version), "
                                 "max(model_version), sum(CASE WHEN predicted_churn THEN 1 ELSE 0 END) "
                                 "FROM gold.churn_predictions")
        types = dict(session.fetchall("SELECT lower(column_name), data_type FROM information_schema.columns "
                                      "WHERE lower(table_name) = 'churn_predictions'"))
    count, distinct, low, high, predicted = found[0]
    assert (count, distinct, low, high) == (scored, scored, version, version) and 0 < predicted < scored
    assert types["churn_probability"] in ("FLOAT", "DOUBLE") and types["predicted_churn"] == "BOOLEAN"
    # Today's population moves away from the training rows: the drift check warns, scoring still succeeds.
    model = registry.load_current(store, recorded_sha256(instance))
    with warehouse.session() as session:
        session.execute("UPDATE gold.ml_churn_features SET "
                        + ", ".join(f"{name} = {name} * 5 + 1000" for name in model.reference)
                        + " WHERE split = 'score'")
    drifted = dg.materialize([CHURN_ASSETS[2]], resources=resources, instance=instance)
    [check] = drifted.get_asset_check_evaluations()
    assert drifted.success and check.check_name == "feature_drift" and not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN and "retrain" in check.description
    # Every model check's result is also a row of the observability schema, as every other check's.
    with warehouse.session() as session:
        recorded = session.fetchall("SELECT check_name, asset_key, passed, severity, observed_value, threshold, run_id "
                                    "FROM observability.data_quality_metrics ORDER BY checked_at, check_name")
    assert [(name, asset, passed, severity) for name, asset, passed, severity, *_ in recorded] == [
        ("no_worse_than_current", "churn/churn_model_candidate", True, "ERROR"),
        ("quality_gates", "churn/churn_model_candidate", True, "ERROR"),
        ("feature_drift", "gold/churn_predictions", True, "WARN"),
        ("feature_drift", "gold/churn_predictions", True, "WARN"),
        ("feature_drift", "gold/churn_predictions", False, "WARN")]
    assert recorded[1][4] == pytest.approx(first.asset_materializations_for_node("churn__churn_model_candidate")[0]
                                           .metadata["f1"].value, abs=1e-4)
    assert recorded[-1][6] == drifted.run_id and recorded[-1][4] > recorded[-1][5]


def test_scoring_without_a_promoted_model_says_to_train_first(snowflake):
    s, warehouse, store = snowflake
    with pytest.raises(Exception, match="no churn model has been promoted yet .* run the churn_training job"):
        dg.materialize([CHURN_ASSETS[2]], resources={"warehouse": warehouse, "object_store": store},
                       instance=dg.DagsterInstance.ephemeral())


def test_scoring_follows_the_nightly_build_once_a_model_is_promoted_and_churn_stays_out_of_the_builds(c360_env):
    from customer360.definitions import defs
    from customer360.defs.churn.jobs import CHURN_SCORING_JOB, churn_scoring_after_nightly_build
    from customer360.defs.pipeline.jobs import FULL_GRAPH_JOB
    from customer360.defs.source.jobs import CUSTOMER_REFRESH_JOB
    from customer360.defs.transform.jobs import NIGHTLY_DBT_JOB

    definitions = defs()
    for job in (FULL_GRAPH_JOB, CUSTOMER_REFRESH_JOB, NIGHTLY_DBT_JOB):
        keys = definitions.resolve_job_def(job.name).asset_layer.selected_asset_keys
        assert not any(key.path[0] == "churn" or "churn" in key.path[-1] for key in keys), job.name
    scoring = definitions.resolve_job_def(CHURN_SCORING_JOB.name).asset_layer.selected_asset_keys
    assert {k.to_user_string() for k in scoring} >= {"gold/ml_churn_features", "gold/churn_predictions",
                                                      "gold/customer_360_profile", "gold/marketing_customer_audience"}
    assert not any(key.path[0] in ("churn", "reports") for key in scoring)  # scoring never trains
    instance = dg.DagsterInstance.ephemeral()
    nightly = instance.create_run_for_job(definitions.resolve_job_def(NIGHTLY_DBT_JOB.name))
    event = dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name=NIGHTLY_DBT_JOB.name)
    store = object_store_resource(settings())

    def evaluate():
        context = dg.build_run_status_sensor_context(
            sensor_name="churn_scoring_after_nightly_build", dagster_instance=instance, dagster_run=nightly,
            dagster_event=event, resources={"object_store": store})
        return churn_scoring_after_nightly_build(context)

    assert "no churn model promoted yet" in evaluate().skip_message
    store.write(registry.CURRENT, lambda path: path.write_text('{"version": "v1"}'))
    assert evaluate().run_key == f"churn-scoring-after-{nightly.run_id}"
