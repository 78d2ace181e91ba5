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

CREATE DATABASE IF NOT EXISTS ${DATABASE} COMMENT = 'Customer 360: bronze, silver, gold and observability';
USE DATABASE ${DATABASE};

CREATE SCHEMA IF NOT EXISTS BRONZE COMMENT = 'Raw landing data loaded with COPY INTO, plus load history and rejects';
CREATE SCHEMA IF NOT EXISTS SILVER COMMENT = 'Cleaned, typed, deduplicated (dbt staging and snapshots)';
CREATE SCHEMA IF NOT EXISTS GOLD COMMENT = 'Customer 360 marts, dimensions and metrics (dbt)';
CREATE SCHEMA IF NOT EXISTS OBSERVABILITY COMMENT = 'Runs, row counts, model timings and data-quality results';
