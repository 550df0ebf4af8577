-- dialect: databricks
-- schema: {"mart.daily": ["card_key", "card_id", "dt"], "raw.cards": ["key", "id", "kind"]}
INSERT OVERWRITE TABLE mart.daily PARTITION (dt = '2025-01-01')
SELECT key, id FROM raw.cards
