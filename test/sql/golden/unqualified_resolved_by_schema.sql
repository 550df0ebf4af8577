-- dialect: postgres
-- schema: {"t1": ["id", "col1"], "t2": ["id", "col2"]}
SELECT col1, col2 FROM t1 JOIN t2 ON t1.id = t2.id
