"""Helpers for tests and benchmarks only: nothing in the service or the production matching path imports them.

:mod:`matching.testing.naive` scores pairs the plain, slow way, as the reference the vectorised engine is
checked against (tests) and measured against (benchmarks).
"""
