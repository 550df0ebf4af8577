-- dialect: postgres
-- front_end: polyglot-first
UPDATE mart.t AS t SET total = s.amount * 2 FROM raw.s AS s WHERE t.id = s.id;
DELETE FROM mart.t WHERE created_at < (SELECT min(day) FROM raw.calendar);
CREATE TABLE mart.c AS SELECT id, upper(name) AS name FROM raw.c;
CREATE VIEW mart.v AS SELECT x.id FROM (SELECT id FROM raw.c) AS x
