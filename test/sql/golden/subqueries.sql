-- dialect: postgres
SELECT d.customer_id,
       (SELECT max(p.amount) FROM payments p WHERE p.customer_id = d.customer_id) AS max_payment
FROM (SELECT customer_id, region FROM customers) AS d
WHERE d.region IN (SELECT region FROM active_regions)
