-- dialect: snowflake
-- schema: {"raw.t": ["v", "id"]}
-- Bind-style output aliases (AS :name) name the column; the statement is read at column level.
INSERT INTO mart.o SELECT id AS :id_out, v:customer:name::string AS :cust FROM raw.t
