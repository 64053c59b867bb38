"""The database: migrations, plans, transactions, PostgreSQL, retention, keys, files."""
