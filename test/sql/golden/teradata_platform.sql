-- dialect: teradata
-- schema: {"t": ["a", "b"], "u": ["a"]}
-- Teradata platform: SEL, EQ and MINUS; (TITLE '…') / (FORMAT '…') phrases carry no lineage.
CREATE VIEW v AS SELECT a (TITLE 'A col'), b (FORMAT 'ZZ9') FROM t;
INSERT INTO o SEL a FROM t WHERE b EQ 1 MINUS SEL a FROM u
