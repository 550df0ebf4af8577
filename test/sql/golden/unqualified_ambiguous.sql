-- dialect: postgres
SELECT col1, t1.col2 FROM t1 JOIN t2 ON t1.id = t2.id
