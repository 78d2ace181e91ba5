-- Observability schema: what ran and how trustworthy the data is. Shared by both targets.
CREATE SCHEMA IF NOT EXISTS observability;

CREATE TABLE IF NOT EXISTS observability.data_quality_metrics (
    check_name      VARCHAR   NOT NULL,
    asset_key       VARCHAR   NOT NULL,
    passed          BOOLEAN   NOT NULL,
    severity        VARCHAR   NOT NULL,   -- ERROR | WARN
    observed_value  DOUBLE,
    threshold       DOUBLE,
    description     VARCHAR,
    run_id          VARCHAR,
    checked_at      TIMESTAMP NOT NULL
);
