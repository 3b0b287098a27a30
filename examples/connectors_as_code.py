"""Connectors as code: declare connectors in a YAML file, plan, apply, change the file, apply again; then adopt
what exists (export), save a plan for review, and apply exactly it (or see it refused once the account moved).

With BIGDATA_API_KEY set this talks to the real API (its connectors are labelled "sdk-example ..." and archived at
the end); without it, it starts the built-in emulator in-process. Needs PyYAML (``bigdata-connectors[yaml]``).

    python examples/connectors_as_code.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from bigdata_connectors import BigdataClient, Plan, StalePlanError
from bigdata_connectors.testing import Emulator

FILE = """\
connectors:
  - label: sdk-example broker research
    type: investment_research
    description: Daily broker reports
    config: {user_id: me@broker.example, password_env: DEMO_BROKER_PASSWORD}
  - label: sdk-example research inbox
    type: email
    config:
      allowed_emails: [analyst@fund.example]
"""


@contextlib.asynccontextmanager
async def open_client() -> AsyncIterator[BigdataClient]:
    if os.environ.get("BIGDATA_API_KEY"):
        async with BigdataClient() as client:
            print(f"Using the Bigdata API at {client.base_url}")
            yield client
        return
    async with Emulator() as emulator, BigdataClient(emulator.api_key, base_url=emulator.base_url) as client:
        print(f"No BIGDATA_API_KEY set: using the built-in emulator at {emulator.base_url}")
        yield client


async def main() -> None:
    # In real use the secret is in the environment already (a CI secret, a vault agent); never in the file.
    os.environ.setdefault("DEMO_BROKER_PASSWORD", "demo-password")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "connectors.yaml"
        path.write_text(FILE)
        async with open_client() as client:
            print("\n1. Plan: the account has none of them yet\n")
            plan = await client.connectors.plan(path)
            print(plan)
            print("\n2. Apply\n")
            report = await client.connectors.apply(plan)
            print(report)
            made = [str(o.connector.connector_id) for o in report.outcomes if o.connector is not None]

            print("\n3. Plan again: nothing to do\n")
            print(await client.connectors.plan(path))

            print("\n4. Change the file (one more sender), plan and apply: one update, in place\n")
            path.write_text(FILE.replace("[analyst@fund.example]", "[analyst@fund.example, desk@fund.example]"))
            plan = await client.connectors.plan(path)
            print(plan)
            print(await client.connectors.apply(plan))

            print("\n5. ensure: the same thing for one connector, from code")
            inbox = await client.connectors.ensure(
                type="email",
                label="sdk-example research inbox",
                config={"allowed_emails": ["analyst@fund.example", "desk@fund.example"]},
            )
            print(f"  {inbox.label!r} is {inbox.connector_id} (found, nothing changed)")

            print("\n6. Adopt: export what the account has (here, this example's connectors) as a file")
            exported = await client.connectors.export(label="sdk-example *")
            path.write_text(exported.to_yaml())
            print(path.read_text())
            for variable in exported.variables:  # secrets are never exported: set each to the current value
                os.environ.setdefault(variable, os.environ["DEMO_BROKER_PASSWORD"])
            print(await client.connectors.plan(path))  # no changes: the file is the account

            print("\n7. Save a plan for review, then apply exactly it")
            path.write_text(exported.to_yaml().replace("share_with_org: false", "share_with_org: true", 1))
            saved = Path(tmp) / "plan.json"
            (await client.connectors.plan(path)).save(saved)  # mode 0600, no secrets
            print(await client.connectors.apply(Plan.load(saved)))

            print("\n8. A saved plan the account moved away from is refused, before any change")
            path.write_text(exported.to_yaml())
            (await client.connectors.plan(path)).save(saved)
            await client.connectors.update(made[-1], description="edited in the web app")
            try:
                await client.connectors.apply(Plan.load(saved))
            except StalePlanError as err:
                print(f"  refused: {err}")

            print("\n9. Clean up: archive what this example made")
            for connector_id in made:
                await client.connectors.delete(connector_id)
    print("\nDone.")


if __name__ == "__main__":
    asyncio.run(main())
