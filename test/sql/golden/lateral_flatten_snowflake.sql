-- dialect: snowflake
SELECT e.id, f.value:name::string AS tag_name
FROM raw.events e, LATERAL FLATTEN(input => e.tags) f
