-- dialect: postgres
CREATE VIEW mart.v (k, total) AS SELECT id, sum(amount) FROM raw.p GROUP BY id
