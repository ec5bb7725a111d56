"""Structured log lines (one JSON object a line). Callers log ids and counts, never personal data. A line written
while a request is handled carries that request's `request_id` (service/core/request_id.py)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from service.core.request_id import current_request_id

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name, "event": record.getMessage()}
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """`LEVEL logger message [request_id]`, for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname} {record.name} {record.getMessage()}"
        request_id = getattr(record, "request_id", None) or current_request_id()
        line += f" [{request_id}]" if request_id else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(level: str = "INFO", fmt: str = "json") -> None:
    """Send jobmatch's logs to stderr, as JSON lines or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("jobmatch")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
