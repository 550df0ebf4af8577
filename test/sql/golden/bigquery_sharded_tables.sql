-- dialect: bigquery
-- default_database: proj
-- schema: {"ds.events_*": ["a", "b"], "ds.t": ["a"]}
-- Date shards, shard wildcards and partition decorators are one relation each: ds.events_*, ds.t.
SELECT a FROM ds.events_20240101
UNION ALL SELECT a FROM `ds.events_2024*`
UNION ALL SELECT a FROM `proj.ds.events_*`
UNION ALL SELECT b FROM ds.events_20231231;
INSERT INTO ds.t SELECT a FROM `ds.t$20230101`;
SELECT a FROM `ds.t$__UNPARTITIONED__`
