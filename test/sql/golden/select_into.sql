-- dialect: postgres
-- schema: {"s": ["a", "b"]}
-- SELECT … INTO t creates table t from the query.
SELECT a, b + 1 AS b1 INTO newt FROM s WHERE a > 0
