-- Step 1: compute and storage. Idempotent: every object is created only if missing, and settings converge.
-- The warehouse suspends after 60 s idle (billing stops) and resumes on the next query.
CREATE WAREHOUSE IF NOT EXISTS ${WAREHOUSE}
    WAREHOUSE_SIZE = 'XSMALL'
    AUTO_SUSPEND = 60
    AUTO_RESUME = TRUE
    INITIALLY_SUSPENDED = TRUE
    COMMENT = 'Customer 360: loads, dbt builds and checks';
-- Converge: a warehouse that existed before gets the same suspend and resume settings.
ALTER WAREHOUSE ${WAREHOUSE} SET AUTO_SUSPEND = 60 AUTO_RESUME = TRUE;

-- The heavy warehouse (C360_SNOWFLAKE_HEAVY_WAREHOUSE, size C360_SNOWFLAKE_HEAVY_SIZE, MEDIUM by default): the models
-- that scan every transaction, and every model of a backfill run, switch to it (dbt's snowflake_warehouse config,
-- macros/heavy_warehouse.sql). Suspended it costs nothing; it bills only while those models run. Its size is set on
-- creation only: resizing a warehouse is an operator's decision (ALTER WAREHOUSE ... SET WAREHOUSE_SIZE), never a
-- side effect of re-running the setup. Without the setting this names ${WAREHOUSE} itself, so both statements
-- below are no-ops.
CREATE WAREHOUSE IF NOT EXISTS ${HEAVY_WAREHOUSE}
    WAREHOUSE_SIZE = '${HEAVY_WAREHOUSE_SIZE}'
    AUTO_SUSPEND = 60
    AUTO_RESUME = TRUE
    INITIALLY_SUSPENDED = TRUE
    COMMENT = 'Customer 360: heavy models and backfills';
ALTER WAREHOUSE ${HEAVY_WAREHOUSE} SET AUTO_SUSPEND = 60 AUTO_RESUME = TRUE;

CREATE DATABASE IF NOT EXISTS ${DATABASE} COMMENT = 'Customer 360: bronze, silver, gold and observability';
USE DATABASE ${DATABASE};

CREATE SCHEMA IF NOT EXISTS BRONZE COMMENT = 'Raw landing data loaded with COPY INTO, plus load history and rejects';
CREATE SCHEMA IF NOT EXISTS SILVER COMMENT = 'Cleaned, typed, deduplicated (dbt staging and snapshots)';
CREATE SCHEMA IF NOT EXISTS GOLD COMMENT = 'Customer 360 marts, dimensions and metrics (dbt)';
CREATE SCHEMA IF NOT EXISTS OBSERVABILITY COMMENT = 'Runs, row counts, model timings and data-quality results';
