"""The churn model end to end: `python -m customer360 demo` at 5,000 customers and 12 months trains, gates, promotes
and scores; the profile carries the score; a model that learnt nothing (shuffled labels) is stopped by its gates
before promotion, in Dagster, and the promoted version stays."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from customer360.lib.churn.model import Gates, frame, train
from customer360.settings import ROOT

AS_OF = dt.date(2026, 6, 30)
CUSTOMERS, MONTHS, SEED = 5_000, 12, 11
MODELS = Path("lake") / "customer360-landing" / "models" / "churn"


def query(home, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def env_for(home: Path) -> dict[str, str]:
    env = {**os.environ, "C360_HOME": str(home), "C360_CUSTOMERS": str(CUSTOMERS), "C360_MONTHS": str(MONTHS),
           "C360_SEED": str(SEED), "C360_AS_OF": AS_OF.isoformat(), "C360_TARGET": "local",
           "DAGSTER_HOME": str(home / "dagster")}
    env.pop("C360_S3_ENDPOINT_URL", None)
    return env


@pytest.fixture(scope="module")
def churn_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("churn") / "home"
    demo = subprocess.run([sys.executable, "-m", "customer360", "demo"], cwd=ROOT, env=env_for(home),
                          capture_output=True, text=True, timeout=1200)
    assert demo.returncode == 0, (demo.stdout + demo.stderr)[-4000:]
    return home, demo


def current(home: Path) -> dict:
    return json.loads((home / MODELS / "current.json").read_text())


def test_the_demo_trains_promotes_and_scores_with_the_gates_met(churn_home):
    home, demo = churn_home
    assert "churn_training: success" in demo.stdout
    pointer = current(home)
    card = json.loads((home / MODELS / pointer["version"] / "card.json").read_text())
    metrics = card["metrics"]
    assert metrics["f1"] >= 0.50 and metrics["precision"] >= 0.60 and metrics["recall"] >= 0.40, metrics
    assert metrics["roc_auc"] > 0.8 and card["gates_passed"] is True
    assert card["class_balance"]["validation"]["churned"] > 50  # judged on enough churners to mean something
    assert len(card["importance"]) == 33 and len(card["calibration"]) >= 2


def test_every_active_customer_is_scored_once_by_the_promoted_version(churn_home):
    home, _ = churn_home
    version = current(home)["version"]
    assert query(home, "select count(*), count(distinct customer_id), min(model_version), max(model_version) "
                       "from gold.churn_predictions") == \
        [(query(home, "select count(*) from gold.ml_churn_features where split = 'score'")[0][0],) * 2
         + (version, version)]
    assert query(home, "select count(*) from gold.churn_predictions p left join gold.ml_churn_features f "
                       "on f.customer_id = p.customer_id and f.split = 'score' where f.customer_id is null") == [(0,)]
    # bands and scores agree with the probability and the model's threshold
    card = json.loads((home / MODELS / version / "card.json").read_text())
    bad = query(home, "select count(*) from gold.churn_predictions where churn_risk_score <> round(churn_probability "
                      "* 100) or predicted_churn <> (churn_probability >= ?) or (churn_risk_band = 'High') <> "
                      "predicted_churn", [card["threshold"]])
    assert bad == [(0,)]


def test_the_profile_and_audience_carry_the_model_score_beside_the_rule_based_one(churn_home):
    home, _ = churn_home
    scored, total, declining_high = query(home, """
        select count(model_churn_probability), count(*),
               avg(case when model_churn_risk_band = 'High' then 1 else 0 end)
                 filter (where customer_segment = 'Declining' and model_churn_probability is not null)
        from gold.customer_360_profile""")[0]
    assert scored == query(home, "select count(*) from gold.churn_predictions")[0][0] and scored < total == CUSTOMERS
    stable_high = query(home, "select avg(case when model_churn_risk_band = 'High' then 1 else 0 end) from "
                              "gold.customer_360_profile where customer_segment = 'Stable Mid-Spenders'")[0][0]
    assert declining_high > 10 * stable_high  # the model flags the segment that does leave
    assert query(home, "select count(*) from gold.marketing_customer_audience a join gold.churn_predictions p "
                       "using (customer_id) where a.model_churn_risk_band is distinct from p.churn_risk_band") == [(0,)]


def test_a_model_trained_on_shuffled_labels_fails_the_gates(churn_home):
    home, _ = churn_home
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = frame(conn.sql("select * from gold.ml_churn_features where split <> 'score'").to_arrow_table())
    rows["churned"] = np.random.default_rng(0).permutation(rows["churned"].to_numpy())
    metrics = train(rows).metrics
    failed = [f.split()[0] for f in Gates().failures(metrics)]
    # nothing to learn: precision near the churn rate, so F1 and precision fail (recall depends on the threshold)
    assert failed[:2] == ["f1", "precision"] and metrics["f1"] < 0.2 and metrics["roc_auc"] < 0.6, metrics


def test_shuffled_labels_in_the_warehouse_block_promotion_in_dagster(churn_home, tmp_path):
    """A copy of the home whose training labels are shuffled (validation labels kept): the candidate learns nothing,
    so it misses the gates and scores below the promoted version on the same validation rows; both blocking checks
    fail, the run fails before churn_model, and current.json still names the version promoted before."""
    home, _ = churn_home
    copy = tmp_path / "home"
    (copy / MODELS).parent.mkdir(parents=True)
    subprocess.run(["cp", "-r", str(home / MODELS), str(copy / MODELS)], check=True)
    # the instance too: scoring checks a promoted model against the digest its training run recorded there
    subprocess.run(["cp", "-r", str(home / "dagster"), str(copy / "dagster")], check=True)
    with duckdb.connect(str(copy / "warehouse.duckdb")) as conn:
        conn.execute("attach ? as source (read_only)", [str(home / "warehouse.duckdb")])
        conn.execute("create schema gold")
        conn.execute("create table gold.ml_churn_features as select * from source.gold.ml_churn_features")
        conn.execute("""update gold.ml_churn_features f set churned = s.shuffled from (
            select churn_feature_key, lead(churned, 7, false) over (order by hash(churn_feature_key)) as shuffled
            from gold.ml_churn_features where split = 'train') s where s.churn_feature_key = f.churn_feature_key""")
    before = current(copy)
    result = subprocess.run([str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m",
                             "customer360.definitions", "--select", "churn/churn_model_candidate,churn/churn_model"],
                            cwd=ROOT, env=env_for(copy), capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Asset check 'quality_gates' on 'churn/churn_model_candidate' did not pass" in output
    assert "Asset check 'no_worse_than_current' on 'churn/churn_model_candidate' did not pass" in output
    assert 'Started execution of step "churn__churn_model"' not in output
    assert current(copy) == before
    cards = [json.loads(p.read_text()) for p in (copy / MODELS).glob("*/card.json")]
    assert sorted(c["gates_passed"] for c in cards) == [False, True]  # the rejected candidate is kept, unpromoted
