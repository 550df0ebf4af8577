-- dialect: snowflake
SELECT id,
       row_number() OVER (PARTITION BY customer_id ORDER BY created_at) AS rn,
       sum(amount) OVER (PARTITION BY customer_id) AS customer_total
FROM orders
QUALIFY rn = 1
