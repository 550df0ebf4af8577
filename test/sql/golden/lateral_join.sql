-- dialect: postgres
SELECT c.id, l.last_amount
FROM customers c
CROSS JOIN LATERAL (SELECT p.amount AS last_amount FROM payments p WHERE p.customer_id = c.id ORDER BY p.created_at DESC LIMIT 1) l
