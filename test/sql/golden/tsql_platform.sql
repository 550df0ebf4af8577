-- dialect: tsql
-- schema: {"dbo.t": ["a", "b", "c"]}
-- T-SQL platform: `name = expr` aliases, [bracketed] names folded case-insensitively, SELECT … INTO #tmp.
INSERT INTO [dbo].[o] (Total, C) SELECT total = a + b, [C] FROM [DBO].[T];
SELECT a, b INTO #tmp FROM dbo.t;
INSERT INTO dbo.o2 SELECT TOP 10 a FROM #tmp WITH (NOLOCK)
