-- Step 3: the trust between Snowflake and the S3 bucket (terraform/ creates the bucket and the IAM role).
-- After this runs, DESC shows STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID: give them to terraform
-- (snowflake_iam_user_arn, snowflake_external_id) and apply again - docs/production.md walks through the handshake.
-- Skipped when C360_STAGE_URL points stages at file:// (a local emulator has no integrations).
CREATE STORAGE INTEGRATION IF NOT EXISTS ${STORAGE_INTEGRATION}
    TYPE = EXTERNAL_STAGE
    STORAGE_PROVIDER = 'S3'
    ENABLED = TRUE
    STORAGE_AWS_ROLE_ARN = '${AWS_ROLE_ARN}'
    STORAGE_ALLOWED_LOCATIONS = ('${STAGE_URL}')
    COMMENT = 'Customer 360 landing bucket';

-- Converge: a re-run with another role ARN or bucket changes the integration. ALTER keeps the integration (and its
-- external ID, which the IAM role's trust names); CREATE OR REPLACE would issue a new external ID and break the trust.
ALTER STORAGE INTEGRATION ${STORAGE_INTEGRATION} SET
    ENABLED = TRUE
    STORAGE_AWS_ROLE_ARN = '${AWS_ROLE_ARN}'
    STORAGE_ALLOWED_LOCATIONS = ('${STAGE_URL}');

GRANT USAGE ON INTEGRATION ${STORAGE_INTEGRATION} TO ROLE DATA_ENGINEER;

DESC STORAGE INTEGRATION ${STORAGE_INTEGRATION};
