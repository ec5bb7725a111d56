"""schema.org JobPosting JSON-LD from employer partners' HR systems, mapped onto jobmatch openings."""

from service.job_postings.mapping import MappedPosting, map_posting, postings_from_document

__all__ = ["MappedPosting", "map_posting", "postings_from_document"]
