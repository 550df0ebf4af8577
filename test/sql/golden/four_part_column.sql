-- dialect: snowflake
-- schema: {"db.sch.tbl": ["col", "other"]}
-- db.schema.table.col names the relation db.sch.tbl and its column col.
SELECT db.sch.tbl.col, sch.tbl.other FROM db.sch.tbl
