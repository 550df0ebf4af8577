-- dialect: postgres
WITH a AS (SELECT id, amount FROM raw.payments),
     b AS (SELECT id, amount * 2 AS double_amount FROM a),
     c AS (SELECT b.id, b.double_amount, a.amount FROM b JOIN a ON a.id = b.id)
SELECT id, double_amount + amount AS total FROM c
