"""The match index never goes back: a request that read an older change id than another request already brought
the index to is answered from the newer index."""

from __future__ import annotations

from sqlmodel import Session

from tests.service.auth import world


def test_an_index_a_request_brought_further_stays_there_for_a_request_that_saw_less(client, db):
    world.build(client, db)
    index = client.app.state.index.by_site["west_bengal"]  # the demo world is West Bengal's
    with Session(db) as session:
        index.current(session)
        newest = index.version
        assert newest > 0
        assert index.current(session, seen=newest - 1) is index
    assert index.version == newest
