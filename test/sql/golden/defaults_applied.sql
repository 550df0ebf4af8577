-- dialect: snowflake
-- default_database: analytics
-- default_schema: dbt
INSERT INTO orders_copy SELECT id FROM orders
