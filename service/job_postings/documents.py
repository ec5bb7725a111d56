"""The JobPostings of a JSON-LD document: one object, a list of them, or an ``@graph``, each at its JSON path."""

from __future__ import annotations

from typing import Any

from service.job_postings.readers import describe, join_path, show

#: The ``@type`` values taken to mean a JobPosting.
JOB_POSTING_TYPES = frozenset({"JobPosting", "schema:JobPosting", "http://schema.org/JobPosting",
                               "https://schema.org/JobPosting"})


def _is_job_posting(node: Any) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.strip() in JOB_POSTING_TYPES for k in kinds)


def _check_posting(node: Any, path: str) -> dict:
    if not isinstance(node, dict):
        raise ValueError(f"{path} is {describe(node)}, not a JobPosting object")
    if "@type" not in node:
        raise ValueError(f"{path} has no @type: give \"@type\": \"JobPosting\"")
    if not _is_job_posting(node):
        raise ValueError(f"{join_path(path, '@type')} is {show(node['@type'])}, not JobPosting: only JobPosting"
                         " objects are accepted")
    return node


def postings_from_document(document: Any) -> list[tuple[str, dict]]:
    """The JobPostings of a JSON-LD document, each with the JSON path it is at.

    A document is a JobPosting object (``$``), a list of them (``$[0]``, ``$[1]``, ...) or an object whose
    ``@graph`` lists them (``$['@graph'][0]``, ...). Every node must be a JobPosting (``@type`` "JobPosting",
    or a list of types that includes it); nodes referenced by ``@id`` are not looked up. Raises
    :class:`ValueError` naming the path of the first node that is not a JobPosting, or when there are none.
    """
    if isinstance(document, list):
        nodes = [(join_path("$", i), node) for i, node in enumerate(document)]
    elif isinstance(document, dict) and "@graph" in document:
        graph = document["@graph"]
        graph_path = join_path("$", "@graph")
        if isinstance(graph, list):
            nodes = [(join_path(graph_path, i), node) for i, node in enumerate(graph)]
        else:
            nodes = [(graph_path, graph)]
    elif isinstance(document, dict):
        nodes = [("$", document)]
    else:
        raise ValueError(f"$ is {describe(document)}: send a JobPosting object, a list of them, or an object"
                         " with \"@graph\"")
    if not nodes:
        raise ValueError("$ holds no JobPosting")
    return [(path, _check_posting(node, path)) for path, node in nodes]
