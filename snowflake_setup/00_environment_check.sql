-- Customer 360 on Snowflake, step 0: who and where we are. Run the setup as a role that may create warehouses,
-- databases, roles and storage integrations (ACCOUNTADMIN, or SYSADMIN + SECURITYADMIN with CREATE INTEGRATION).
-- `python -m customer360 snowflake-setup` prints each result so the operator sees the account before anything changes.
SELECT CURRENT_ACCOUNT() AS account, CURRENT_REGION() AS region, CURRENT_USER() AS user_name,
       CURRENT_ROLE() AS role_name, CURRENT_VERSION() AS snowflake_version;
