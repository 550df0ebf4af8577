-- dialect: postgres
-- schema: {"s": ["id", "a1", "a2"]}
-- UNNEST(a1, a2) WITH ORDINALITY AS t(x, y, n): x <- a1, y <- a2 by position; n has no source.
SELECT s.id, t.x, t.y, t.n FROM s CROSS JOIN LATERAL UNNEST(s.a1, s.a2) WITH ORDINALITY AS t(x, y, n);
SELECT * FROM s, UNNEST(s.a1, s.a2) AS t(x, y)
