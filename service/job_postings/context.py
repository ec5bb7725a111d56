"""A posting being mapped: what has been read of it, the opening's fields so far, and what is reported back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.job_postings.readers import join_path


@dataclass
class MappedPosting:
    """One JobPosting mapped onto an opening.

    ``opening`` holds the fields of an opening (all but ``employer_external_id``, which is
    ``employer_external_id`` here); it is complete only when ``errors`` is empty.
    ``unmapped`` lists fields present in the posting that jobmatch could not use, ``errors`` the problems that
    make the posting unusable; each item is ``{"field": <JSON path>, "reason": <sentence>}``.
    """

    external_id: str | None
    employer_external_id: str | None
    opening: dict[str, Any] = field(default_factory=dict)
    unmapped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class PostingContext:
    """The state every field mapper shares: the posting, the site's reference, and what has been found."""

    def __init__(self, posting: dict[str, Any], reference: Any, path: str, hours_per_month: float,
                 days_per_month: float, weeks_per_month: float, today: date | None) -> None:
        self.posting = posting
        self.reference = reference
        self.path = path
        self.per_month = {"HOUR": hours_per_month, "DAY": days_per_month, "WEEK": weeks_per_month,
                          "MONTH": 1.0, "YEAR": 1.0 / 12.0}
        self.today = today
        self.site_name = getattr(reference.site, "name", "the site")
        self.timezone = getattr(reference.site, "timezone", None)
        self.used: set[str] = set()
        self.opening: dict[str, Any] = {}
        self.unmapped: list[dict[str, str]] = []
        self.errors: list[dict[str, str]] = []

    # -- helpers

    def at(self, *keys: str | int) -> str:
        path = self.path
        for key in keys:
            path = join_path(path, key)
        return path

    def error(self, path: str, reason: str) -> None:
        self.errors.append({"field": path, "reason": reason})

    def skip(self, path: str, reason: str) -> None:
        self.unmapped.append({"field": path, "reason": reason})

    def take(self, key: str) -> Any:
        self.used.add(key)
        return self.posting.get(key)
