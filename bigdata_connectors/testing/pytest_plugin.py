"""pytest fixtures for testing code that uses this SDK, against the emulator.

Enable in ``conftest.py``::

    pytest_plugins = ["bigdata_connectors.testing.pytest_plugin"]

Then ``bigdata_emulator`` is a running Emulator and ``bigdata_client`` a BigdataClient bound to it
(both per test, so no state leaks between tests). Needs pytest-asyncio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bigdata_connectors import BigdataClient
from bigdata_connectors.testing._emulator import Emulator


@pytest_asyncio.fixture
async def bigdata_emulator() -> AsyncIterator[Emulator]:
    """A fresh emulator on a free loopback port, with short syncs (0.3 s)."""
    async with Emulator(seed=0) as emulator:
        yield emulator


@pytest_asyncio.fixture
async def bigdata_client(bigdata_emulator: Emulator) -> AsyncIterator[BigdataClient]:
    """A client bound to ``bigdata_emulator``, its rate limiter off; closed after the test."""
    # No client-side rate limit: the emulator enforces none unless asked, and tests should not wait for one.
    async with BigdataClient(bigdata_emulator.api_key, base_url=bigdata_emulator.base_url, rate_limit=None) as client:
        yield client
