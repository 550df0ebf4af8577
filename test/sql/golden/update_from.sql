-- dialect: postgres
UPDATE mart.t SET total = s.amount * 2 FROM raw.s WHERE t.id = s.id
