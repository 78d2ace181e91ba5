-- Step 8: what DATA_ANALYST may read in BRONZE and OBSERVABILITY, one relation at a time, after its columns are masked.
-- Readers have no future grants there (02): a future grant would make a new table readable the moment it exists.
-- First the masking policy is (re)attached to every PII column of every contract and to the columns that quote raw
-- values (bronze_rejects.raw_record and reason, load_history.first_error_message,
-- pipeline_run_metadata.error_message: COPY's error messages quote the rejected value); FORCE replaces an attached
-- policy, so re-runs succeed. Then each relation is granted; with C360_MASK_PII=false nothing is masked, so a relation
-- with any of those columns (or a view over one) is revoked instead of granted. Rendered by customer360/setup_runner.py.
${PII_MASKING}

${READER_GRANTS}
