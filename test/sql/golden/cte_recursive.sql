-- dialect: postgres
WITH RECURSIVE tree (id, parent_id, depth) AS (
  SELECT id, parent_id, 0 FROM nodes WHERE parent_id IS NULL
  UNION ALL
  SELECT n.id, n.parent_id, tree.depth + 1 FROM nodes n JOIN tree ON n.parent_id = tree.id
)
SELECT id, depth FROM tree
