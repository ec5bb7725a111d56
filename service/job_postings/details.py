"""The ids of a posting and its employer, and its other details: employment type, hours, dates, benefits and
languages; and every field not used, reported back."""

from __future__ import annotations

import re
from typing import Any

from service.job_postings.context import PostingContext
from service.job_postings.readers import describe, join_path, parse_day, show, text_of
from service.job_postings.wording import ACCOMMODATION_PATTERN, TRANSPORT_PATTERN, mentions, shift_from_work_hours

#: schema.org employment types.
EMPLOYMENT_TYPES = ("FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER")

_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
_LANGUAGE = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")

_SPECIFIC_REASONS = {
    "estimatedSalary": "not used by jobmatch: only baseSalary, what the employer pays, is stored as the wage",
    "applicantLocationRequirements": "not used by jobmatch: trainees are matched by district and commute, not by"
                                     " applicant location requirements",
    "salaryCurrency": "not used by jobmatch: the currency is read with baseSalary, and there is none",
}


class Details(PostingContext):
    def identifier(self, value: Any, path: str, what: str) -> str | None:
        if value is None:
            self.error(path, f"missing: give {what} as text or a PropertyValue with a \"value\"")
            return None
        if isinstance(value, dict):
            path = join_path(path, "value")
            value = value.get("value")
            if value is None:
                self.error(path, f"missing: the PropertyValue of {what} has no \"value\"")
                return None
        if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None:
            self.error(path, f"{what} must be text or a number, not {describe(value)}")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if not _EXTERNAL_ID.match(text) or len(text) > 64:
            self.error(path, f"'{text[:80]}' cannot be used as {what}: use at most 64 letters, digits or . _ : -,"
                             " starting with a letter or digit")
            return None
        return text

    def employer(self) -> str | None:
        organisation = self.take("hiringOrganization")
        path = self.at("hiringOrganization")
        if isinstance(organisation, dict):
            for key in organisation:
                if key != "identifier" and not key.startswith("@"):
                    self.skip(join_path(path, key), "kept on the employer record, not on the opening: only"
                                                    " hiringOrganization.identifier is used")
            return self.identifier(organisation.get("identifier"), join_path(path, "identifier"),
                                   "the employer's id (hiringOrganization.identifier)")
        if organisation is not None and not isinstance(organisation, str):
            self.error(path, f"hiringOrganization is {describe(organisation)}, not an Organization object")
            return None
        self.error(join_path(path, "identifier"),
                   "missing: give hiringOrganization as an Organization with an \"identifier\" (the employer's id"
                   " in jobmatch)")
        return None

    def employment_type(self) -> None:
        raw = self.take("employmentType")
        if raw is None:
            return
        items = [(self.at("employmentType", i), v) for i, v in enumerate(raw)] if isinstance(raw, list) \
            else [(self.at("employmentType"), raw)]
        for item_path, value in items:
            kind = value.strip().upper() if isinstance(value, str) else None
            if kind in ("FULL_TIME", "PART_TIME"):
                reason = (f"{kind} is not stored: jobmatch openings have no employment-type field; say it in the"
                          " title if trainees should see it")
            elif kind in EMPLOYMENT_TYPES:
                reason = (f"{kind} is not stored: jobmatch openings have no employment-type field, so coordinators"
                          " and trainees will not see it; say it in the title and tell the programme's coordinator")
            else:
                reason = f"{show(value)} is not a schema.org employment type ({', '.join(EMPLOYMENT_TYPES)})"
            self.skip(item_path, reason)

    def shift(self) -> None:
        raw = self.take("workHours")
        if raw is None:
            return
        path = self.at("workHours")
        if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            raw = "; ".join(raw)
        if not isinstance(raw, str):
            self.skip(path, f"is {describe(raw)}, not text: the opening is recorded as a day shift")
            self.opening["shift"] = "day"
            return
        shift, understood = shift_from_work_hours(raw)
        self.opening["shift"] = shift
        if not understood:
            self.skip(path, f"no hours or shift pattern read from '{raw[:80]}': the opening is recorded as a day"
                            " shift; say 'night shift', 'rotating shifts' or give hours like 22:00-06:00 otherwise")

    def dates(self) -> None:
        days = {}
        for key, target in (("datePosted", "posted_on"), ("validThrough", "closes_on")):
            raw = self.take(key)
            if raw is None:
                continue
            day = parse_day(raw, self.timezone)
            if day is None:
                self.error(self.at(key), f"{show(raw)} is not an ISO 8601 date or date-time (like 2026-12-31 or"
                                         " 2026-12-31T18:00:00+05:30)")
                continue
            days[target] = day
            self.opening[target] = day
        if "posted_on" in days and "closes_on" in days and days["closes_on"] < days["posted_on"]:
            self.error(self.at("validThrough"), f"{days['closes_on']} is before datePosted ({days['posted_on']})")
        closed = self.today is not None and "closes_on" in days and days["closes_on"] < self.today
        self.opening["status"] = "closed" if closed else "open"

    def benefits(self) -> None:
        found = {"accommodation": [False, False], "transport": [False, False]}
        for key in ("jobBenefits", "description"):
            raw = self.take(key)
            if raw is None:
                continue
            text = raw if isinstance(raw, str) else " ; ".join(t for t in map(text_of, raw if isinstance(raw, list)
                                                                               else [raw]) if t)
            named = False
            for name, pattern in (("accommodation", ACCOMMODATION_PATTERN), ("transport", TRANSPORT_PATTERN)):
                provided, refused = mentions(text, pattern)
                found[name][0] |= provided
                found[name][1] |= refused
                named |= provided or refused
            if key == "jobBenefits" and not named:
                self.skip(self.at(key), "no accommodation or transport named: other benefits are not stored on the"
                                        " opening")
        self.opening["accommodation_provided"] = found["accommodation"] == [True, False]
        self.opening["transport_provided"] = found["transport"] == [True, False]

    def languages(self) -> None:
        raw = self.take("inLanguage")
        if raw is None:
            self.opening["languages_required"] = []
            return
        items = [(self.at("inLanguage", i), v) for i, v in enumerate(raw)] if isinstance(raw, list) \
            else [(self.at("inLanguage"), raw)]
        codes: list[str] = []
        for item_path, value in items:
            if isinstance(value, dict):
                value = value.get("alternateName") or value.get("name")
            match = _LANGUAGE.match(value.strip()) if isinstance(value, str) else None
            if match is None:
                self.skip(item_path, f"{show(value)} is not an ISO 639-1 language code (like bn, hi, en or en-IN)")
                continue
            code = match.group(1).lower()
            if code not in codes:
                codes.append(code)
        self.opening["languages_required"] = codes[:20]

    def leftovers(self) -> None:
        for key in self.posting:
            if key in self.used or key.startswith("@"):
                continue
            self.skip(self.at(key), _SPECIFIC_REASONS.get(key, "not used by jobmatch"))
