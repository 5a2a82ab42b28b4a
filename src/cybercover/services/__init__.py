"""Use cases: one function, one transaction, its audit row inside it (STYLE.md habit 3)."""
