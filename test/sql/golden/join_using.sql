-- dialect: postgres
SELECT id, a.x, b.y FROM a JOIN b USING (id)
