-- dialect: postgres
SELECT x.k, x.v FROM (SELECT id, name FROM items) AS x (k, v)
