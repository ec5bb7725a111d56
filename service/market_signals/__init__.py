"""market signals."""
