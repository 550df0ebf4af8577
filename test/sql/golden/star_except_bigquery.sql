-- dialect: bigquery
-- schema: {"proj.ds.t": ["a", "b", "c"]}
SELECT * EXCEPT (b) FROM `proj.ds.t`
