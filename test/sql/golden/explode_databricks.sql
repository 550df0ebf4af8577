-- dialect: databricks
SELECT o.id, item FROM shop.orders o LATERAL VIEW explode(o.items) t AS item
