// Column expressions (in progress).
