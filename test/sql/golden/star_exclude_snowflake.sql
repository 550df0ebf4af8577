-- dialect: snowflake
-- schema: {"DB.S.T": ["A", "B", "C"]}
SELECT * EXCLUDE (b) FROM db.s.t
