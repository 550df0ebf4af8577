-- dialect: snowflake
COPY INTO raw.events FROM @raw.stage/events/ FILE_FORMAT = (TYPE = 'JSON')
