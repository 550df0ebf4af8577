-- dialect: redshift
INSERT INTO mart.daily SELECT day, count(*) AS n FROM raw.events GROUP BY day
