-- dialect: snowflake
-- schema: {"raw.orders": ["id", "amount", "created_at"], "raw.customers": ["id", "name"]}
-- A column missing from the only source's catalog stays unresolved (no edge, no new column);
-- a correlated reference goes to the outer scope that has it.
SELECT id, discount, o.status FROM raw.orders o;
SELECT c.id, (SELECT max(amount) FROM raw.orders o WHERE o.id = name) AS top FROM raw.customers c
