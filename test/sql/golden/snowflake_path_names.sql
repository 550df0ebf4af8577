-- dialect: snowflake
-- schema: {"raw.t": ["v", "id"]}
-- Unaliased Snowflake paths are named as written (v:customer.name), and read the variant column.
SELECT v:customer.name, t.v:items[0].sku, v:id::int AS id FROM raw.t AS t
