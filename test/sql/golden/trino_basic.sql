-- dialect: trino
SELECT c.name, count(*) AS n FROM hive.sales.customers c GROUP BY c.name
