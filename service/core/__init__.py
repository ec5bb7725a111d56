"""Shared plumbing: settings, database, errors, pagination, logging."""
