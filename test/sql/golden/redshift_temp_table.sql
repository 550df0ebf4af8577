-- dialect: redshift
-- schema: {"s": ["a", "b"]}
-- CREATE TEMP TABLE #t DISTKEY(..) SORTKEY(..) AS is column-level; later statements read #t's columns.
CREATE TEMP TABLE #t DISTKEY(a) SORTKEY(a, b) AS SELECT a, b FROM s;
CREATE TEMPORARY TABLE t2 DISTSTYLE KEY DISTKEY(a) COMPOUND SORTKEY(a) AS SELECT a FROM s;
INSERT INTO out1 SELECT a, b FROM #t
