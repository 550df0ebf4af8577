-- dialect: bigquery
CREATE TABLE mart.t AS
WITH src AS (SELECT * FROM `proj.raw.events`)
SELECT id, src.payload FROM src
