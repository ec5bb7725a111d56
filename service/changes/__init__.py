"""Change log: which records changed, so in-memory indexes in every worker can catch up cheaply."""
