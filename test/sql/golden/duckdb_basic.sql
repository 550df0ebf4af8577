-- dialect: duckdb
SELECT o.id, sum(p.amount) AS total FROM main.orders o LEFT JOIN main.payments p ON p.order_id = o.id GROUP BY 1
