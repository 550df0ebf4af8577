-- dialect: redshift
-- front_end: node-sql-parser-first
-- schema: {"s": ["t"], "p": ["q"]}
WITH a AS (SELECT * FROM s) SELECT a.t, p.q FROM a CROSS JOIN p
