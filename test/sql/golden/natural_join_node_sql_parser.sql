-- dialect: postgres
-- front_end: node-sql-parser-first
-- schema: {"a": ["id", "x"], "b": ["id", "y"]}
SELECT * FROM a NATURAL JOIN b
