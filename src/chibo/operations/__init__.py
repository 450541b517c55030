"""Operations: `chibo backup` and `chibo restore` (docs/operations.md)."""
