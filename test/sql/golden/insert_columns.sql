-- dialect: postgres
INSERT INTO mart.t (a, b) SELECT x + 1, y FROM raw.s
