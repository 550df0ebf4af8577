-- dialect: snowflake
SELECT "MixedCase", plain, "T"."Q" FROM "Db"."Sch"."T"
