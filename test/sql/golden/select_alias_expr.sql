-- dialect: postgres
-- schema: {"public.orders": ["id", "amount", "status", "customer_id"]}
-- default_schema: public
SELECT o.id AS order_id, amount * 1.2 AS gross, upper(status), 42 AS answer, o.customer_id
FROM orders AS o
