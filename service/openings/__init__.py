"""openings."""
