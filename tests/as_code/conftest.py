"""Connectors-as-code test setup: an emulator over real loopback HTTP, a client on the test's fake clock, and the
connectors file most tests plan from (one connector of each type, its secrets from the canaries)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bigdata_connectors import BigdataClient, ConnectorsFile
from bigdata_connectors.testing import Emulator
from tests.conftest import PASSWORD, SESSION_ID, FakeTime

ENV = {"BROKER_PASSWORD": PASSWORD, "SP_SESSION": SESSION_ID}
FILE = """\
connectors:
  - label: Broker research
    type: investment_research
    description: Daily broker reports
    config: {user_id: me@broker.com, password_env: BROKER_PASSWORD}
  - label: Research inbox
    type: email
    share_with_org: true
    config:
      allowed_emails: [a@fund.com]
  - label: Team SharePoint
    type: sharepoint
    config: {session_id_env: SP_SESSION}
"""


def declared(text: str = FILE) -> ConnectorsFile:
    """``text`` (default FILE) parsed as ``connectors.yaml``, its secrets from ENV."""
    return ConnectorsFile.parse(text, name="connectors.yaml", environ=ENV)


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
