-- dialect: snowflake
-- front_end: polyglot-first
-- schema: {"DB.S.T": ["A", "B", "C"]}
WITH base AS (SELECT a, b, c FROM db.s.t WHERE c > 0)
SELECT base.a AS key,
       CASE WHEN b > 1 THEN c ELSE 0 END AS picked,
       sum(c) OVER (PARTITION BY a ORDER BY b) AS running,
       cast(b AS int),
       (SELECT max(x.v) FROM db.s.other x WHERE x.id = base.a) AS best
FROM base
JOIN db.s.u u USING (a)
UNION ALL
SELECT t.*, 1, 2, 3 FROM db.s.t
