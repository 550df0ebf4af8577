"""An independent column lineage for bench/impact-strict.ts: sqlglot.lineage() over each dbt model's compiled SQL
(catalog as the schema) for every catalogued output column; leaves that are tables give the edges.
usage: python3 bench/impact-strict-sqlglot.py <target-dir> <sqlglot dialect>
Prints JSON {edges: [[src_col_key, tgt_col_key]], models, failed}; keys database.schema.table.column, lower case.
sqlglot follows every column of a projection expression (CASE conditions, window partitions included): wider
than our STRICT (DIRECT edges only), which leaves CONDITIONAL / WINDOW inputs to CONSERVATIVE."""
import json, sys
import sqlglot
from sqlglot import exp
from sqlglot.lineage import lineage

target, dialect = sys.argv[1], sys.argv[2]
m = json.load(open(f'{target}/manifest.json'))
c = json.load(open(f'{target}/catalog.json'))
schema = {}
def rel_of(meta):
    return (meta['database'].lower(), meta['schema'].lower(), meta['name'].lower())
for part in ('nodes', 'sources'):
    for uid, t in c.get(part, {}).items():
        d, s, n = rel_of(t['metadata'])
        schema.setdefault(d, {}).setdefault(s, {})[n] = {k.lower(): (v.get('type') or 'text') for k, v in t['columns'].items()}
edges, failed, models = [], 0, 0
for uid, node in m['nodes'].items():
    if node['resource_type'] not in ('model', 'snapshot'): continue
    sql = node.get('compiled_code') or node.get('compiled_sql')
    cat = c['nodes'].get(uid)
    if not sql or not cat: continue
    models += 1
    d, s, n = rel_of(cat['metadata'])
    tgt = f'{d}.{s}.{n}'
    try:
        parsed = sqlglot.parse_one(sql, read=dialect)
    except Exception:
        failed += 1; continue
    for col in cat['columns']:
        col = col.lower()
        try:
            root = lineage(col, parsed, schema=schema, dialect=dialect)
        except Exception:
            failed += 1; continue
        for leaf in root.walk():
            if leaf.downstream: continue
            src = leaf.expression
            if isinstance(leaf.source, exp.Table):
                t = leaf.source
                name = leaf.name.split('.')[-1].strip('"').lower()
                key = '.'.join(p.lower() for p in [t.catalog, t.db, t.name] if p)
                if name and name != '*': edges.append([f'{key}.{name}', f'{tgt}.{col}'])
json.dump({'edges': edges, 'models': models, 'failed': failed}, sys.stdout)
