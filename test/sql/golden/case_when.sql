-- dialect: generic
SELECT CASE WHEN t.status = 'x' THEN t.a WHEN t.b > 0 THEN t.c ELSE 0 END AS picked,
       CASE t.kind WHEN 1 THEN 'one' END AS kind_name
FROM t
