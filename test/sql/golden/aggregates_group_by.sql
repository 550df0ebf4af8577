-- dialect: postgres
SELECT customer_id, count(*) AS n, sum(amount) AS total, max(created_at) AS last_at
FROM payments
WHERE status = 'ok'
GROUP BY customer_id
HAVING sum(amount) > 10
ORDER BY total DESC
LIMIT 5
