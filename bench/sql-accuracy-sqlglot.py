"""sqlglot's column lineage on the sqllineage gold cases, for bench/sql-accuracy.ts to score beside ours.

Reads the cases (JSON lines) on stdin, prints one JSON line per case: {"id", "edges": ["src.col -> tgt.col"],
"stars": ["src -> tgt"], "error"}. Per statement: the write target (INSERT / CREATE ... AS / CREATE VIEW,
explicit column lists honoured), then sqlglot.lineage.lineage() for every output column of the SELECT;
leaves that are tables give the edges. Intermediate tables are collapsed end to end like ours (multi.ts).
UPDATE / MERGE have no SELECT for sqlglot's lineage(): they give no edges (sqlglot has no lineage for them).
"""
import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.lineage import lineage

DIALECTS = {"ansi": None, "sparksql": "spark", "tsql": "tsql", "bigquery": "bigquery", "oracle": "oracle",
            "databricks": "databricks", "teradata": "teradata", "hive": "hive"}


def tname(t):
    return ".".join(p for p in [t.catalog, t.db, t.name] if p).lower()


def target_of(st):
    """(target table name, explicit column list or None, the SELECT) or None."""
    if isinstance(st, exp.Insert) or (isinstance(st, exp.Create) and st.expression is not None):
        this = st.this
        cols = None
        if isinstance(this, exp.Schema):
            cols = [c.name.lower() for c in this.expressions]
            this = this.this
        if not isinstance(this, exp.Table):
            return None
        sel = st.expression
        if not isinstance(sel, exp.Query):
            return None
        return tname(this), cols, sel
    return None


def leaves(node):
    for n in node.walk():
        if not n.downstream and isinstance(n.expression, exp.Table):
            yield tname(n.expression), n.name.split(".")[-1].lower()


def statement_edges(st, dialect, schema, written):
    t = target_of(st)
    if t is None:
        return [], []
    target, cols, sel = t
    full = {**written, **schema}
    names = []
    stars = []
    for i, s in enumerate(sel.selects):
        if isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star)):
            for tb in sel.find_all(exp.Table):
                if tname(tb) not in full:
                    stars.append(f"{tname(tb)} -> {target}")
            continue
        names.append((i, s.alias_or_name))
    edges = []
    out_cols = []
    for pos, (i, name) in enumerate(names):
        tcol = (cols[i] if cols and i < len(cols) else name).lower()
        out_cols.append(tcol)
        try:
            node = lineage(name, sel, schema=full or None, dialect=dialect)
        except Exception:  # noqa: BLE001 - sqlglot raises many kinds; no edge for that column
            continue
        for tb, c in leaves(node):
            edges.append(((tb, c), (target, tcol)))
    if isinstance(st, exp.Create):
        written[target] = {c: "text" for c in out_cols}
    return edges, stars


def collapse(edges):
    out, indeg = {}, {}
    for a, b in edges:
        if a == b:
            continue
        if b not in out.setdefault(a, set()):
            out[a].add(b)
            indeg[b] = indeg.get(b, 0) + 1
    res = set((a, b) for a, b in edges if a == b)
    for root in list(out):
        if indeg.get(root):
            continue
        seen, stack = {root}, [root]
        while stack:
            cur = stack.pop()
            nxt = out.get(cur)
            if not nxt:
                if cur != root:
                    res.add((root, cur))
                continue
            for n in nxt:
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
    return res


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        c = json.loads(line)
        d = DIALECTS.get(c["dialect"], c["dialect"])
        schema = {t.lower(): {k.lower(): "text" for k in cols} for t, cols in (c.get("schema") or {}).items()}
        nested = {}
        for t, cols in schema.items():
            parts = t.split(".")
            if len(parts) == 2:
                nested.setdefault(parts[0], {})[parts[1]] = cols
        edges, stars, err, written = [], [], None, {}
        try:
            for st in sqlglot.parse(c["sql"], read=d):
                if st is None:
                    continue
                e, s = statement_edges(st, d, nested, written)
                edges += e
                stars += s
        except Exception as ex:  # noqa: BLE001
            err = f"{type(ex).__name__}: {str(ex)[:200]}"
        shown = sorted(f"{a[0]}.{a[1]} -> {b[0]}.{b[1]}" for a, b in collapse(edges))
        print(json.dumps({"id": c["id"], "edges": shown, "stars": sorted(set(stars)), "error": err}))


if __name__ == "__main__":
    main()
