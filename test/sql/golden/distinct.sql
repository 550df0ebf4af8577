-- dialect: bigquery
SELECT DISTINCT country, city FROM `proj.geo.cities`
