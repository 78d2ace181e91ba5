-- What Python models write back to the warehouse for dbt to read (a dbt source, dbt_project/models/ml/_sources.yml).
-- Shared by both targets: the local target applies the same statement before each dbt build and each scoring run,
-- so the first build finds the table (empty until the churn model scores) and customer_360_profile can join it.
CREATE SCHEMA IF NOT EXISTS gold;

-- gold.churn_predictions: one row per active customer, replaced whole by each scoring run (gold/churn_predictions).
CREATE TABLE IF NOT EXISTS gold.churn_predictions (
    customer_id       VARCHAR       NOT NULL,
    churn_probability DOUBLE        NOT NULL,   -- the model's probability of churn in the next 60 days
    churn_risk_score  INTEGER       NOT NULL,   -- churn_probability x 100, rounded
    predicted_churn   BOOLEAN       NOT NULL,   -- churn_probability at or above the model's threshold
    churn_risk_band   VARCHAR       NOT NULL,   -- High (predicted churn) | Medium (half the threshold) | Low
    model_version     VARCHAR       NOT NULL,   -- models/churn/<model_version>/ in the object store
    feature_date      DATE          NOT NULL,   -- the cut-off the features were computed at
    scored_at         TIMESTAMP     NOT NULL
);
