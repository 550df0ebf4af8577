-- dialect: databricks
WITH s AS (SELECT id, v FROM raw.src)
INSERT INTO mart.tgt SELECT id, v FROM s
