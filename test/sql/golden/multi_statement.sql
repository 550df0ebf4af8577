-- dialect: postgres
-- a script: comments, trailing semicolons, two statements
CREATE TABLE tmp.a AS SELECT id, amount FROM raw.p; -- first
/* second */
INSERT INTO mart.b SELECT id, amount * 2 AS doubled FROM tmp.a;
