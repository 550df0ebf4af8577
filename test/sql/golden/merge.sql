-- dialect: snowflake
MERGE INTO mart.customers t
USING (SELECT id, name, updated_at FROM raw.customers) s ON t.id = s.id
WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET t.name = s.name, t.updated_at = s.updated_at
WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)
