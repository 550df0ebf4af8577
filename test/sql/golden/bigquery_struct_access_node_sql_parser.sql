-- dialect: bigquery
-- front_end: node-sql-parser-first
-- schema: {"ds.widgets": ["asset", "name"]}
SELECT widget.asset.id, widget.asset.owner.email AS owner_email FROM ds.widgets AS widget
