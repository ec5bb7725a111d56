"""employers."""
