"""The `jobmatch` command run in-process (typer's CliRunner) against a database URL, as a person runs it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner, Result

from service import cli
from service.core.config import get_settings

Run = Callable[..., Result]


@pytest.fixture
def jobmatch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """`jobmatch(database_url, *args)`: the command's result, with stdout and stderr apart."""
    jobmatch_logger = logging.getLogger("jobmatch")
    handlers = jobmatch_logger.handlers[:]

    def run(database_url: str, *args: str, **env: str) -> Result:
        monkeypatch.setenv("JOBMATCH_DATABASE_URL", database_url)
        monkeypatch.setenv("JOBMATCH_LOG_FORMAT", "text")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        cli._checked.clear()
        try:
            return CliRunner().invoke(cli.app, list(args), prog_name="jobmatch")
        finally:  # the command points the logs at the runner's stream, which closes with it
            jobmatch_logger.handlers[:] = handlers
            get_settings.cache_clear()

    yield run
    get_settings.cache_clear()


def one_error_line(result: Result) -> str:
    """The command failed with exactly one `error:` line and no traceback; that line."""
    assert result.exit_code != 0, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    return errors[0]
