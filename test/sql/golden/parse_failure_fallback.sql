-- dialect: postgres
INSERT INTO mart.t SELECT a FROM raw.s WHERE ))) garbage (((
