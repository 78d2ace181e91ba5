-- Step 3 (applied only when C360_MASK_PII is true: masking policies need Enterprise edition): personal data is visible
-- to DATA_ENGINEER only; every other role reads '***MASKED***'. Created before any table that needs it, so each PII
-- column (the `pii` marks of replication.yaml and lib/bronze/contracts.py) gets it in its CREATE TABLE (06), the columns
-- that quote raw values of rejected rows and failed loads get it before any reader is granted the table (08), and
-- dbt attaches it to every silver and gold relation it builds (dbt_project/macros/mask_pii.sql).
-- IS_ROLE_IN_SESSION counts secondary roles too: a reader's session must hold none (the app drops them, see docs/production.md).
-- A NULL stays NULL: "no error" or "no e-mail" is not personal data, and a masked NULL would read as a value.
CREATE MASKING POLICY IF NOT EXISTS GOLD.PII_STRING_MASK AS (val STRING) RETURNS STRING ->
    CASE WHEN IS_ROLE_IN_SESSION('DATA_ENGINEER') OR val IS NULL THEN val ELSE '***MASKED***' END
    COMMENT = 'Customer 360: personal data and raw rejected values for DATA_ENGINEER only';
-- Converge a policy an earlier version created (IF NOT EXISTS keeps its old body).
ALTER MASKING POLICY GOLD.PII_STRING_MASK SET BODY ->
    CASE WHEN IS_ROLE_IN_SESSION('DATA_ENGINEER') OR val IS NULL THEN val ELSE '***MASKED***' END;

GRANT APPLY ON MASKING POLICY GOLD.PII_STRING_MASK TO ROLE DATA_ENGINEER;
