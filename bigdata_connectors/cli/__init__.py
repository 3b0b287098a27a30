"""The ``bigdata-connectors`` command line (``pip install "bigdata-connectors[cli]"``).

Built on the SDK's public API only; the core never imports it. ``main`` is the console script,
``cli`` the click group (for ``click.testing.CliRunner``)::

    bigdata-connectors list
    bigdata-connectors sync ID --date-limit 2026-01-01 --wait
"""

from bigdata_connectors.cli._app import cli, main

__all__ = ["cli", "main"]
