-- dialect: postgres
-- schema: {"a": ["id", "x"], "b": ["id", "y"]}
SELECT x, y FROM a NATURAL JOIN b
