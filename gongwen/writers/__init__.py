"""Writers: one notice tree in, one output format out."""
