-- dialect: bigquery
SELECT t.Id, t.Name FROM `my-proj.Sales.Orders` AS t JOIN my_ds.Other o ON o.id = t.id
