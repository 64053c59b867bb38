"""SQLite storage: connection set-up, schema migrations and the repositories."""
