-- dialect: snowflake
CREATE OR REPLACE TABLE analytics.mart.customers AS
SELECT c.id, c."Name" AS display_name FROM analytics.raw.customers c
