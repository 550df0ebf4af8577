-- dialect: snowflake
SELECT datediff(day, o.created_at, o.shipped_at) AS days_to_ship,
       dateadd(month, 1, o.created_at) AS next_month,
       date_trunc('week', o.created_at) AS week,
       extract(year FROM o.created_at) AS yr
FROM raw.orders o
ORDER BY 1
