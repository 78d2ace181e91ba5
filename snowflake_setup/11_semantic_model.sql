-- Step 11: the stage the semantic model is published to (asset gold/semantic_model uploads
-- semantic_model/customer360.yaml there after every gold build). Cortex Analyst reads the file as the asking role,
-- so each role that may use the app's Ask page gets READ on the stage. The model names PII-free marts only.
CREATE STAGE IF NOT EXISTS ${DATABASE}.GOLD.SEMANTIC_MODELS
    DIRECTORY = (ENABLE = TRUE)
    COMMENT = 'Customer 360: Cortex Analyst semantic models';
-- A stage created by an earlier version converges to the current settings.
ALTER STAGE ${DATABASE}.GOLD.SEMANTIC_MODELS SET DIRECTORY = (ENABLE = TRUE)
    COMMENT = 'Customer 360: Cortex Analyst semantic models';

GRANT READ, WRITE ON STAGE ${DATABASE}.GOLD.SEMANTIC_MODELS TO ROLE DATA_ENGINEER;
GRANT READ ON STAGE ${DATABASE}.GOLD.SEMANTIC_MODELS TO ROLE DATA_ANALYST;
GRANT READ ON STAGE ${DATABASE}.GOLD.SEMANTIC_MODELS TO ROLE MARKETING_MANAGER;
-- Cortex Analyst's functions: granted to PUBLIC by default; an account that revoked it grants it to the readers.
GRANT DATABASE ROLE SNOWFLAKE.CORTEX_USER TO ROLE MARKETING_MANAGER;
GRANT DATABASE ROLE SNOWFLAKE.CORTEX_USER TO ROLE DATA_ANALYST;
