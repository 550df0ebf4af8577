-- dialect: snowflake
-- schema: {"DB.S.T": ["A", "B", "C"], "DB.S.U": ["ID", "D"]}
-- default_database: db
-- default_schema: s
SELECT t.*, u.d FROM t JOIN u ON u.id = t.a
