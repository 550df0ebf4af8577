-- dialect: snowflake
SELECT CAST(a AS INT) AS a_int, b::varchar AS b_text, coalesce(c, d) AS c_or_d, try_to_number(e) AS e_num, f::date
FROM db.s.t
