"""Match suggestions: the in-memory index and the /matches, /candidates and /matches/preview routes."""
