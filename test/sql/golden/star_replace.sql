-- dialect: bigquery
-- schema: {"ds.t": ["id", "amount", "fx"]}
-- * REPLACE (expr AS col): col takes expr's lineage; * EXCEPT drops columns.
SELECT * REPLACE (amount * fx AS amount) FROM ds.t;
SELECT * EXCEPT (fx) REPLACE (amount * fx AS amount) FROM ds.t
