-- dialect: tsql
-- T-SQL: the UPDATE target is an alias of a FROM item; SET t.c names column c.
UPDATE t SET t.c = s.c FROM tab1 t JOIN tab2 s ON t.id = s.id
