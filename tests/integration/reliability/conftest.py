"""One probe database and server set-up for every reliability probe here (migrating costs ~10 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.reliability.server import ProbeServer

WRITERS = 20
SHARED = 3  # incidents every writer amends, so amendments race on the same record


@pytest.fixture(scope="package")
def probe(tmp_path_factory) -> Iterator[ProbeServer]:
    server = ProbeServer(tmp_path_factory.mktemp("probe"))
    server.create(writers=WRITERS, shared=SHARED)
    yield server
    server.drop()
