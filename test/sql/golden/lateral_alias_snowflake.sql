-- dialect: snowflake
SELECT amount * 2 AS doubled, doubled + 1 AS plus_one FROM raw.p
