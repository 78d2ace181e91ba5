-- Step 8: direct PII (email, last name) is visible to DATA_ENGINEER only; every other role sees it masked.
-- The policy is attached here to bronze, and by dbt (macro mask_pii, a post-hook) to each silver/gold relation
-- that carries these columns, every time dbt rebuilds it. FORCE replaces an attached policy, so re-runs succeed.
CREATE MASKING POLICY IF NOT EXISTS GOLD.PII_STRING_MASK AS (val STRING) RETURNS STRING ->
    CASE WHEN IS_ROLE_IN_SESSION('DATA_ENGINEER') THEN val ELSE '***MASKED***' END
    COMMENT = 'Customer 360: email and last name for DATA_ENGINEER only';

GRANT APPLY ON MASKING POLICY GOLD.PII_STRING_MASK TO ROLE DATA_ENGINEER;

ALTER TABLE IF EXISTS BRONZE.CARDS_ACCOUNTS MODIFY COLUMN email SET MASKING POLICY GOLD.PII_STRING_MASK FORCE;
ALTER TABLE IF EXISTS BRONZE.CARDS_ACCOUNTS MODIFY COLUMN last_name SET MASKING POLICY GOLD.PII_STRING_MASK FORCE;
