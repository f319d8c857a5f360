"""Plain text functions (no Beam): parsing, ids, normalization, paragraph dedup."""
