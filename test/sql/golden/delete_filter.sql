-- dialect: postgres
DELETE FROM mart.t WHERE created_at < (SELECT min(day) FROM raw.calendar)
