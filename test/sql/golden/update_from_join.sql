-- dialect: postgres
-- UPDATE … FROM a JOIN b: every joined relation is a source of the SET values.
UPDATE public.tgt_tbl1 AS t SET name = s1.name, email = s2.email
FROM public.src_tbl1 AS s1 JOIN public.src_tbl2 AS s2 ON s1.id = s2.id
WHERE s1.id = t.id
