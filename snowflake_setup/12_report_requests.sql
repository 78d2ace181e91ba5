-- Step 12: report requests (customer360/lib/reports/requests.py). Anyone asks for a report by adding a row; the
-- requests sensor (customer360/defs/reports/requests.py) picks it up in request_id order, runs the report, and moves
-- the row: requested -> running -> completed | failed, or requested -> cancelled (only before it starts).
-- The local target creates the same columns from requests.py (LOCAL_DDL): DuckDB has no AUTOINCREMENT.
CREATE TABLE IF NOT EXISTS OBSERVABILITY.REPORT_REQUESTS (
    request_id   NUMBER(38, 0) NOT NULL AUTOINCREMENT START 1 INCREMENT 1 ORDER,  -- increasing: the pick-up order
    report       VARCHAR       NOT NULL,   -- executive_summary | segment_performance | churn_watchlist | monthly_spend
    date_from    VARCHAR,                  -- YYYY-MM-DD (empty: 364 days before date_to)
    date_to      VARCHAR,                  -- YYYY-MM-DD (empty: the data as-of date)
    segment      VARCHAR,                  -- one customer segment (empty: every segment)
    export_table VARCHAR,                  -- schema.table to load the result into, if asked
    requested_by VARCHAR       NOT NULL DEFAULT CURRENT_USER(),
    requested_at TIMESTAMP_NTZ NOT NULL DEFAULT SYSDATE(),
    status       VARCHAR       NOT NULL DEFAULT 'requested',  -- requested | running | completed | failed | cancelled
    run_id       VARCHAR,                  -- the Dagster run that picked it up = report_runs.execution_id
    object_keys  VARCHAR,                  -- JSON list of the result's objects (CSV, Parquet, HTML) once completed
    error        VARCHAR,                  -- why it failed (the first real error) or was cancelled
    updated_at   TIMESTAMP_NTZ NOT NULL DEFAULT SYSDATE(),
    request_key  VARCHAR,                  -- set by Python filers to read their id back (no INSERT ... RETURNING)
    idempotency_key VARCHAR                -- an API caller's Idempotency-Key: its retries within a day get this request
);
-- A table created before idempotency_key existed gets it.
ALTER TABLE OBSERVABILITY.REPORT_REQUESTS ADD COLUMN IF NOT EXISTS idempotency_key VARCHAR;

-- What every reader role may see of the requests (the app's Reports page reads it): everything but the error text,
-- which can quote a failed query's values (report_runs.error_message is masked for the same reason, 08).
-- DATA_ENGINEER reads the table itself.
CREATE OR REPLACE VIEW OBSERVABILITY.V_REPORT_REQUESTS AS
SELECT request_id, report, date_from, date_to, segment, export_table, requested_by, requested_at, status, run_id,
       object_keys, error IS NOT NULL AS has_error, updated_at
FROM OBSERVABILITY.REPORT_REQUESTS;

-- The SQL way in for readers, who may not insert into OBSERVABILITY: validate, then add the row as the owner.
--   CALL OBSERVABILITY.REQUEST_REPORT('monthly_spend', '2026-01-01', '2026-06-30', '');  -- returns the request id
-- Refused with a named error (-20001 .. -20005) when the report is unknown, a date is not YYYY-MM-DD, the range runs
-- backwards or past the data's as-of date, or the segment does not exist: the rules of requests.validate().
CREATE OR REPLACE PROCEDURE OBSERVABILITY.REQUEST_REPORT(
    report_name VARCHAR, from_day VARCHAR, to_day VARCHAR, segment_name VARCHAR DEFAULT '')
RETURNS NUMBER
LANGUAGE SQL
EXECUTE AS OWNER
COMMENT = 'Customer 360: ask for a report, get the request id (observability.report_requests)'
AS
$$
DECLARE
    unknown_report EXCEPTION (-20001, 'unknown report: use executive_summary, segment_performance, churn_watchlist or monthly_spend');
    bad_date EXCEPTION (-20002, 'a date is not YYYY-MM-DD (e.g. 2026-06-30); give both or leave them empty');
    backwards EXCEPTION (-20003, 'from_day is after to_day: give a range that runs forward');
    after_as_of EXCEPTION (-20004, 'to_day is after the data as-of date: SELECT max(last_covered_day) FROM gold.dim_month');
    unknown_segment EXCEPTION (-20005, 'unknown segment: SELECT DISTINCT customer_segment FROM gold.customer_360_profile');
    as_of DATE;
    range_start DATE;
    range_end DATE;
    matching NUMBER;
    filed_key VARCHAR DEFAULT UUID_STRING();
    new_id NUMBER;
BEGIN
    IF (report_name IS NULL OR report_name NOT IN ('executive_summary', 'segment_performance', 'churn_watchlist', 'monthly_spend')) THEN
        RAISE unknown_report;
    END IF;
    SELECT max(last_covered_day) INTO :as_of FROM gold.dim_month;
    range_end := IFF(COALESCE(to_day, '') = '', as_of, TRY_TO_DATE(to_day, 'YYYY-MM-DD'));
    range_start := IFF(COALESCE(from_day, '') = '', DATEADD(day, -364, range_end), TRY_TO_DATE(from_day, 'YYYY-MM-DD'));
    IF (range_end IS NULL OR range_start IS NULL) THEN
        RAISE bad_date;
    END IF;
    IF (range_start > range_end) THEN
        RAISE backwards;
    END IF;
    IF (range_end > as_of) THEN
        RAISE after_as_of;
    END IF;
    IF (COALESCE(segment_name, '') <> '') THEN
        SELECT count(*) INTO :matching FROM gold.customer_360_profile WHERE customer_segment = :segment_name;
        IF (matching = 0) THEN
            RAISE unknown_segment;
        END IF;
    END IF;
    INSERT INTO OBSERVABILITY.REPORT_REQUESTS (report, date_from, date_to, segment, requested_by, request_key)
        VALUES (:report_name, TO_VARCHAR(:range_start, 'YYYY-MM-DD'), TO_VARCHAR(:range_end, 'YYYY-MM-DD'),
                COALESCE(:segment_name, ''), CURRENT_USER(), :filed_key);
    SELECT request_id INTO :new_id FROM OBSERVABILITY.REPORT_REQUESTS WHERE request_key = :filed_key;
    RETURN new_id;
END;
$$;

-- The reader roles ask through the procedure (USAGE on the schema lets them call it; it grants no relation).
GRANT USAGE ON SCHEMA ${DATABASE}.OBSERVABILITY TO ROLE MARKETING_MANAGER;
GRANT USAGE ON PROCEDURE ${DATABASE}.OBSERVABILITY.REQUEST_REPORT(VARCHAR, VARCHAR, VARCHAR, VARCHAR) TO ROLE DATA_ANALYST;
GRANT USAGE ON PROCEDURE ${DATABASE}.OBSERVABILITY.REQUEST_REPORT(VARCHAR, VARCHAR, VARCHAR, VARCHAR) TO ROLE MARKETING_MANAGER;
GRANT SELECT ON VIEW ${DATABASE}.OBSERVABILITY.V_REPORT_REQUESTS TO ROLE DATA_ANALYST;
GRANT SELECT ON VIEW ${DATABASE}.OBSERVABILITY.V_REPORT_REQUESTS TO ROLE MARKETING_MANAGER;
