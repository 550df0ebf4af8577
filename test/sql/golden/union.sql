-- dialect: generic
SELECT id, name FROM customers
UNION ALL
SELECT id, full_name FROM legacy_customers
UNION
SELECT 0, 'none'
