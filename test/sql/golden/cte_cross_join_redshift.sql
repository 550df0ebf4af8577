-- dialect: redshift
-- schema: {"s": ["t"], "p": ["q"]}
-- A CTE on the left of CROSS JOIN is a source (postgres, snowflake, duckdb, redshift grammars).
WITH a AS (SELECT * FROM s) SELECT a.t, p.q FROM a CROSS JOIN p
