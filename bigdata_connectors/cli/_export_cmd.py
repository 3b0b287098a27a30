"""``export [-o FILE] [--label GLOB] [--type TYPE]``: the account's connectors as a connectors file, on
``client.connectors.export``. Only click at import time; the SDK is imported when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

import click

from bigdata_connectors.cli._common import PROG

__all__ = ["export_cmd"]


@click.command(
    "export",
    epilog=f"""\b
Examples:
  {PROG} export -o connectors.yaml             # adopt what was made by hand
  {PROG} export --label 'Broker *' --type investment_research
  {PROG} export -o connectors.yaml && {PROG} plan -f connectors.yaml   # no changes

\b
The file declares each live connector as it is (a comment names its id), in a stable
order. The API never returns passwords or SharePoint session ids: the file names an
environment variable for each (BIGDATA_<LABEL>_PASSWORD, BIGDATA_<LABEL>_SESSION_ID),
listed in its header; set them before `plan` or `apply` (they are sent only when a
connector is created or replaced). Archived connectors, connectors of a type this
version does not know, and connectors sharing a label are left out, each said on
stderr and in the header (`apply --prune` of the file would archive them).""",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write the file there (replacing it) instead of to stdout.",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="GLOB",
    help="Only connectors whose label matches (shell-style: 'Broker *'; case-sensitive; repeatable).",
)
@click.option(
    "--type",
    "type_",
    type=click.Choice(["email", "investment_research", "sharepoint"]),
    help="Only connectors of this type.",
)
@click.pass_context
def export_cmd(ctx: click.Context, output: Path | None, labels: tuple[str, ...], type_: str | None) -> None:
    """Write the account's live connectors as a connectors file (YAML), to manage them as code.

    Sends GET /contents/v1/connectors; changes nothing. With the variables it names set, `plan -f`
    of the file reports no changes. The YAML goes to stdout, or to FILE with -o; notes on stderr.
    """
    from bigdata_connectors.cli import _runtime
    from bigdata_connectors.cli._stdout import echo
    from bigdata_connectors.cli._text import safe

    kind = cast("Literal['email', 'investment_research', 'sharepoint'] | None", type_)  # click.Choice checked it
    exported = _runtime.run(ctx, lambda client: client.connectors.export(label=labels, type=kind))
    text = exported.to_yaml()
    for note in exported.notes:
        click.echo(f"{PROG}: not exported: {safe(note)}", err=True)
    if output is None:
        echo(text.removesuffix("\n"))
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as err:
            raise click.ClickException(f"cannot write {safe(str(output))}: {err.strerror or 'failed'}") from None
        count = len(exported.connectors)
        click.echo(f"Exported {count} connector{'s' if count != 1 else ''} to {safe(str(output))}.", err=True)
    if exported.variables:
        click.echo(
            f"Set {', '.join(exported.variables)} before `plan` or `apply` (the API never returns these secrets).",
            err=True,
        )
