-- dialect: databricks
-- front_end: polyglot-first
INSERT INTO mart.daily
SELECT d.day, count(*) AS n, sum(e.amount) AS total
FROM raw.events e
JOIN raw.days d ON d.day = e.day
WHERE e.ts > current_date() - INTERVAL 30 days
GROUP BY 1
ORDER BY total DESC
