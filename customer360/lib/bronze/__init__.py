"""Bronze: the raw tables' contracts and COPY INTO semantics (load history, ON_ERROR, rejects)."""
