-- dialect: bigquery
SELECT o.id, item
FROM `proj.shop.orders` AS o, UNNEST(o.items) AS item
