"""Mapping schema.org ``JobPosting`` JSON-LD, as employer partners' HR systems publish it, onto jobmatch openings.

A document is one JobPosting object, a list of them, or an object whose ``@graph`` lists them
(:func:`postings_from_document`). Each posting maps onto the fields of an opening (:func:`map_posting`); what
could not be used is reported back in ``unmapped`` and what makes the posting unusable in ``errors``, each with
the JSON path of the field, so nothing is dropped silently.

How the fields map:

* ``identifier`` (text, or a PropertyValue's ``value``) is the opening's external id;
  ``hiringOrganization.identifier`` the employer's. Both are required and must be usable ids (letters, digits
  and ``. _ : -``, at most 64 characters). Other details of the organisation live on the employer record.
* ``baseSalary`` is required: a MonetaryAmount whose ``currency`` (or the posting's ``salaryCurrency``) is the
  site's currency and whose ``value`` is a number or a QuantitativeValue. The amount per ``unitText`` HOUR,
  DAY, WEEK, MONTH or YEAR becomes a monthly wage in whole rupees (rounded half up): an hour counts
  ``hours_per_month`` times a month, a day ``days_per_month`` times, a week ``weeks_per_month`` times, a
  year a twelfth. For a range the lowest amount (``minValue``) is stored, because the wage is checked against
  the minimum wage; ``maxValue`` is reported as unmapped.
* ``jobLocation`` is required. A district is found from ``address.addressLocality`` (whole, then each
  comma-separated part), then the parts of ``addressRegion``, then the parts of ``streetAddress``, then the
  district headquarters nearest to ``geo`` if within :data:`GEO_DISTRICT_RADIUS_KM`. Coordinates come from
  ``geo``, else the district's centre; ``geo`` farther than :data:`GEO_ADDRESS_TOLERANCE_KM` from the district
  named by the address is not used. An opening has one place of work: with several locations the first that
  resolves is mapped and every other one is reported (post each location as its own JobPosting).
* ``occupationalCategory`` (text, possibly led by an O*NET/ISCO code, or a CategoryCode) and then ``title`` are
  looked up in the occupation taxonomy; the first that maps gives the taxonomy code, else the title is kept as
  the occupation text. ``industry`` gives the sector when it names a taxonomy sector, else the occupation's.
* ``skills`` become required skills at level 1, or level 2 when ``experienceRequirements`` asks for experience
  (:func:`experience_level`). Labels unknown to the taxonomy are passed through; the service warns about them.
* ``workHours`` becomes the shift (:func:`shift_from_work_hours`).
* ``jobBenefits`` and ``description`` set ``accommodation_provided`` and ``transport_provided`` by keywords
  (:data:`ACCOMMODATION_WORDS`, :data:`TRANSPORT_WORDS`), clause by clause. A clause that speaks of an
  allowance or reimbursement does not count, and a clause that negates the thing ("no hostel") makes it false
  whatever else is said, because a wrong "provided" misleads a trainee more than a missing one.
* ``datePosted`` and ``validThrough`` (dates, or date-times read in the site's time zone) become ``posted_on``
  and ``closes_on``; the opening is ``closed`` when ``validThrough`` is before ``today``.
* ``inLanguage`` lists the languages the job needs, as ISO 639-1 codes (``bn``, ``hi``, ``en-IN`` → ``en``).
* ``employmentType`` and ``jobLocationType: TELECOMMUTE`` have no field on an opening and are always reported.
  Any other field (``@``-prefixed JSON-LD keywords aside) is reported as not used.

Where each part lives: :mod:`~service.job_postings.documents` (the document walk),
:mod:`~service.job_postings.details` (ids, employment type, hours, dates, benefits, languages, leftovers),
:mod:`~service.job_postings.occupations` (title, occupation, sector, skills), :mod:`~service.job_postings.places`
(jobLocation), :mod:`~service.job_postings.wages` (baseSalary, totalJobOpenings), :mod:`~service.job_postings.wording`
(what free text says) and :mod:`~service.job_postings.readers` (small value readers). This module puts them together.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from service.job_postings.context import MappedPosting
from service.job_postings.details import Details
from service.job_postings.documents import postings_from_document
from service.job_postings.occupations import Occupations
from service.job_postings.places import GEO_ADDRESS_TOLERANCE_KM, GEO_DISTRICT_RADIUS_KM, Places
from service.job_postings.readers import describe
from service.job_postings.wages import PAY_PERIODS, Wages
from service.job_postings.wording import (
    ACCOMMODATION_WORDS,
    TRANSPORT_WORDS,
    experience_level,
    shift_from_work_hours,
)

__all__ = [
    "ACCOMMODATION_WORDS",
    "GEO_ADDRESS_TOLERANCE_KM",
    "GEO_DISTRICT_RADIUS_KM",
    "MappedPosting",
    "PAY_PERIODS",
    "TRANSPORT_WORDS",
    "experience_level",
    "map_posting",
    "postings_from_document",
    "shift_from_work_hours",
]


class _Mapper(Details, Occupations, Places, Wages):
    """Every field mapper of a posting, over one shared state."""


def map_posting(posting: dict, *, reference: Any, path: str = "$", hours_per_month: float = 208,
                days_per_month: float = 26, weeks_per_month: float = 4.33,
                today: date | None = None) -> MappedPosting:
    """Map one JobPosting object onto an opening.

    ``reference`` is the site's :class:`service.core.reference.Reference`; ``path`` the posting's JSON path in its
    document, which prefixes every reported field. ``today`` closes postings whose ``validThrough`` has passed.
    """
    if not isinstance(posting, dict):
        raise TypeError(f"{path} is {describe(posting)}, not a JobPosting object")
    mapper = _Mapper(posting, reference, path, hours_per_month, days_per_month, weeks_per_month, today)
    external_id = mapper.identifier(mapper.take("identifier"), mapper.at("identifier"),
                                    "the posting's id (identifier)")
    employer_external_id = mapper.employer()
    mapper.title_and_occupation()
    mapper.skills()
    mapper.location()
    mapper.location_type()
    mapper.salary()
    mapper.positions()
    mapper.shift()
    mapper.opening.setdefault("shift", "day")
    mapper.benefits()
    mapper.languages()
    mapper.dates()
    mapper.employment_type()
    mapper.leftovers()
    return MappedPosting(external_id=external_id, employer_external_id=employer_external_id,
                         opening=mapper.opening, unmapped=mapper.unmapped, errors=mapper.errors)
