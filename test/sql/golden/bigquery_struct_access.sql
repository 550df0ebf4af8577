-- dialect: bigquery
-- schema: {"ds.widgets": ["asset", "name"]}
-- Struct field access names the output after the field (id) and reads the struct column (asset).
SELECT widget.asset.id, widget.asset.owner.email AS owner_email, asset.kind FROM ds.widgets AS widget
