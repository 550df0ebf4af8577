-- dialect: postgres
CREATE TABLE mart.copy AS SELECT * FROM raw.things
