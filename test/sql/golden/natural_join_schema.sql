-- dialect: postgres
-- schema: {"a": ["id", "x"], "b": ["id", "y"]}
-- NATURAL JOIN joins on the shared column id: a JOIN dependency on both sides, id once under *.
SELECT x, y FROM a NATURAL JOIN b;
SELECT * FROM a NATURAL JOIN b
