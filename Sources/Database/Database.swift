// The catalog database layer (SQLite and PostgreSQL) lands here.
