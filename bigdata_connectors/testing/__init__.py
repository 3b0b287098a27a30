"""Testing helpers: an in-memory emulator of the Connectors API, and a pytest plugin.

    from bigdata_connectors.testing import Emulator

    async with Emulator() as emu, BigdataClient(emu.api_key, base_url=emu.base_url) as client:
        await client.connectors.create(type="email", label="x", config=None)

Enable the fixtures in a ``conftest.py`` with ``pytest_plugins = ["bigdata_connectors.testing.pytest_plugin"]``.
Run it as a server with ``python -m bigdata_connectors.testing --port 8787``.
"""

from bigdata_connectors.testing._emulator import Emulator
from bigdata_connectors.testing._faults import FAULT_KINDS, ROUTES, Fault, FaultKind, Route
from bigdata_connectors.testing._state import EmulatorState, Exchange

__all__ = ["FAULT_KINDS", "ROUTES", "Emulator", "EmulatorState", "Exchange", "Fault", "FaultKind", "Route"]
