-- dialect: bigquery
-- schema: {"p.ds.events": ["day", "ts", "start_date", "end_date"]}
-- BigQuery puts the unit last (DATE_DIFF) or second (DATE_TRUNC).
SELECT date_diff(end_date, start_date, DAY) AS span,
       date_trunc(ts, MONTH) AS m,
       date_trunc(day, WEEK(MONDAY)) AS w,
       extract(year FROM ts) AS y
FROM p.ds.events
