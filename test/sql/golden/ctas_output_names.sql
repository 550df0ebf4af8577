-- dialect: postgres
-- schema: {"mart.t": ["b", "a"], "raw.s": ["a", "b"]}
-- CTAS names its columns from the SELECT (or its column list); the target's catalog never renames them.
CREATE TABLE mart.t AS SELECT a, b FROM raw.s;
CREATE TABLE mart.u (x, y) AS SELECT a, b FROM raw.s
