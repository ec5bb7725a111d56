"""`python -m service` runs the jobmatch command line."""

from service.cli import app

app(prog_name="jobmatch")
