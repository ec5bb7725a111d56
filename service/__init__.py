"""jobmatch service: REST API, storage, CLI and batch run."""
