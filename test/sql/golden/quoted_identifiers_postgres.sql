-- dialect: postgres
SELECT "MixedCase", plain FROM "Sch"."T"
