"""The write path: one unit of work per request, command or job, and the one place every write invariant lives
(version, timestamps, change log, audit)."""
