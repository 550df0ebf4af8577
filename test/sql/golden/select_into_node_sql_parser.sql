-- dialect: postgres
-- front_end: node-sql-parser-first
-- schema: {"s": ["a", "b"]}
SELECT a, b + 1 AS b1 INTO newt FROM s WHERE a > 0
