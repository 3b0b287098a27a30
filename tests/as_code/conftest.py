"""Connectors-as-code test setup: an emulator over real loopback HTTP and a client on the test's fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bigdata_connectors import BigdataClient
from bigdata_connectors.testing import Emulator
from tests.conftest import FakeTime


@pytest.fixture
async def emu(fake_time: FakeTime) -> AsyncIterator[Emulator]:
    async with Emulator(seed=5, clock=fake_time.clock) as emulator:
        yield emulator


@pytest.fixture
async def api(emu: Emulator, fake_time: FakeTime) -> AsyncIterator[BigdataClient]:
    async with BigdataClient(
        emu.api_key, base_url=emu.base_url, timeout=2.0, sleep=fake_time.sleep, clock=fake_time.clock
    ) as client:
        yield client
