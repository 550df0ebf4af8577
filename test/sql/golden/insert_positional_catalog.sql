-- dialect: postgres
-- schema: {"mart.t": ["k", "v"], "raw.s": ["a", "b", "c"]}
-- INSERT without a column list maps positionally onto the target's known columns; columns past them
-- are not invented on the target.
INSERT INTO mart.t SELECT a, b FROM raw.s;
INSERT INTO mart.t SELECT a, b, c FROM raw.s
