-- dialect: bigquery
-- front_end: node-sql-parser-first
-- schema: {"ds.t": ["id", "amount", "fx"]}
SELECT * REPLACE (amount * fx AS amount) FROM ds.t
