-- dialect: snowflake
-- schema: {"raw.events": ["d", "date", "ts"]}
-- Only the unit argument is a keyword: columns named like units elsewhere are still read.
SELECT dateadd(day, 1, d) AS next_day,
       datepart(year, d) AS yr,
       datediff(d, date, ts) AS age,
       date_trunc(week, ts) AS wk
FROM raw.events
