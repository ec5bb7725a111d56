"""Idempotency keys for POST requests."""
