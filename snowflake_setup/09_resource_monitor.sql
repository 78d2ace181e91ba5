-- Step 9 (applied only when C360_SNOWFLAKE_CREDIT_QUOTA is set): a monthly credit budget on the pipeline's
-- warehouses. Notify at 75 % and 90 %, suspend at 100 % (running queries finish), suspend immediately at 110 %
-- (running queries are cancelled: the hard ceiling). Notifications go to account administrators who enabled them in
-- their preferences. Only ACCOUNTADMIN may create resource monitors, which is why this step is optional.
-- A suspended warehouse makes the next run fail with Snowflake's own message naming the monitor; raise the quota
-- (re-run the setup with a larger C360_SNOWFLAKE_CREDIT_QUOTA) or wait for the monthly reset.
CREATE RESOURCE MONITOR IF NOT EXISTS ${RESOURCE_MONITOR}
    WITH CREDIT_QUOTA = ${CREDIT_QUOTA}
    FREQUENCY = MONTHLY
    START_TIMESTAMP = IMMEDIATELY
    TRIGGERS ON 75 PERCENT DO NOTIFY
             ON 90 PERCENT DO NOTIFY
             ON 100 PERCENT DO SUSPEND
             ON 110 PERCENT DO SUSPEND_IMMEDIATE;
-- Converge: a monitor that existed before gets this quota.
ALTER RESOURCE MONITOR ${RESOURCE_MONITOR} SET CREDIT_QUOTA = ${CREDIT_QUOTA};
ALTER WAREHOUSE ${WAREHOUSE} SET RESOURCE_MONITOR = ${RESOURCE_MONITOR};
ALTER WAREHOUSE ${HEAVY_WAREHOUSE} SET RESOURCE_MONITOR = ${RESOURCE_MONITOR};
