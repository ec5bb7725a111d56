"""Audit log of reads and writes of trainee records."""
