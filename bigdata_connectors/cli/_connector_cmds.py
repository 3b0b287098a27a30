"""``list``, ``get``, ``create``, ``update``, ``archive``, ``delete``.

Only click at import time: each command imports the SDK, rich and the output helpers when it runs.
"""

from __future__ import annotations

import click

from bigdata_connectors.cli._common import PROG, connector_id_argument, json_option

__all__ = ["archive_cmd", "create_cmd", "delete_cmd", "get_cmd", "list_cmd", "update_cmd"]

_ID = "019a9612-bfad-758c-884e-37dd8c6ad2cb"


@click.command(
    "list",
    epilog=f"""\b
Examples:
  {PROG} list
  {PROG} list --all --json | jq -r 'select(.last_sync_status != "SUCCESS") | .label'""",
)
@click.option("--all", "show_all", is_flag=True, help="Include archived connectors.")
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List connectors: label, type, archived, last sync status and time, items and files.

    Sends GET /contents/v1/connectors. The API lists archived connectors too (the SDK's list()
    returns them); this command hides them unless --all. With --json, one connector per line. On a
    narrow terminal, less important columns give way, then each connector becomes a block.
    """
    from bigdata_connectors.cli._output import Output, connector_json, connectors_table
    from bigdata_connectors.cli._runtime import run

    connectors = run(ctx, lambda client: client.connectors.list())
    shown = [c for c in connectors if show_all or not c.archived]
    out = Output(as_json)
    if as_json:
        out.json_lines(connector_json(c) for c in shown)
        return
    hidden = len(connectors) - len(shown)
    if not shown:
        out.say(f"No connectors{f' ({hidden} archived: use --all)' if hidden else ''}.")
        return
    out.table(connectors_table(shown))


@click.command("get", epilog=f"\b\nExample:\n  {PROG} get {_ID}")
@connector_id_argument
@json_option
@click.pass_context
def get_cmd(ctx: click.Context, connector_id: str, as_json: bool) -> None:
    """Show one connector, its configuration and its last sync.

    Sends GET /contents/v1/connectors/ID. Credentials are never part of the answer.
    """
    from bigdata_connectors.cli._output import Output, connector_fields, connector_json
    from bigdata_connectors.cli._runtime import run

    connector = run(ctx, lambda client: client.connectors.get(connector_id))
    out = Output(as_json)
    if as_json:
        out.json(connector_json(connector))
    else:
        out.fields(connector_fields(connector))


@click.command(
    "create",
    epilog=f"""\b
Examples:
  {PROG} create --type email --label "Broker mail" --allowed-email desk@fund.com
  BROKER_PW=... {PROG} create --type investment_research --label "Broker portal" \\
      --user-id me@broker.com --password-env BROKER_PW
  {PROG} create --type sharepoint --label "Team site"     # prompts for the session id
  ID=$({PROG} create --type email --label "Desk mail" --quiet)

\b
Secrets come from an environment variable you name (--password-env, --session-id-env) or from a
hidden prompt on a terminal, never from an option's value.""",
)
@click.option(
    "--type",
    "connector_type",
    required=True,
    type=click.Choice(["email", "investment_research", "sharepoint"]),
    help="The kind of connector.",
)
@click.option("--label", required=True, help="Display name.")
@click.option("--description", default=None, help="Free text.")
@click.option("--share/--no-share", default=False, show_default=True, help="Share the content with your organisation.")
@click.option("--allowed-email", "allowed_emails", multiple=True, metavar="ADDRESS",
              help="email: a sender allowed to forward content (repeatable).")  # fmt: skip
@click.option("--user-id", default=None, help="investment_research: the portal user id.")
@click.option("--password-env", metavar="VAR", default=None,
              help="investment_research: the environment variable holding the portal password (else a prompt).")  # fmt: skip
@click.option("--session-id-env", metavar="VAR", default=None,
              help="sharepoint: the environment variable holding the session id (else a prompt).")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="Print only the new connector's ID (for `ID=$(...)` in scripts).")
@json_option
@click.pass_context
def create_cmd(
    ctx: click.Context,
    connector_type: str,
    label: str,
    description: str | None,
    share: bool,
    allowed_emails: tuple[str, ...],
    user_id: str | None,
    password_env: str | None,
    session_id_env: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Create a connector and show it (for email, the inbox address to forward to).

    Sends POST /contents/v1/connectors once: a create is not retried after an ambiguous failure,
    so if this fails with "may have been created", run `list` before trying again.
    """
    from typing import Any

    from bigdata_connectors.cli._output import Output, connector_fields, connector_json
    from bigdata_connectors.cli._runtime import run, secret
    from bigdata_connectors.cli._text import safe

    if quiet and as_json:
        raise click.UsageError("--quiet and --json do not go together: pick one")

    def only(kind: str, **given: object) -> None:
        wrong = [f"--{name.replace('_', '-')}" for name, value in given.items() if value]
        if wrong and connector_type != kind:
            raise click.UsageError(f"{', '.join(wrong)} only apply to --type {kind}")

    only("email", allowed_email=allowed_emails)
    only("investment_research", user_id=user_id, password_env=password_env)
    only("sharepoint", session_id_env=session_id_env)
    config: dict[str, Any] | None
    if connector_type == "email":
        config = {"allowed_emails": list(allowed_emails)} if allowed_emails else None
    elif connector_type == "investment_research":
        if not user_id:
            raise click.UsageError("--type investment_research needs --user-id")
        password = secret(password_env, option="--password-env", prompt="Portal password")
        config = {"user_id": user_id, "user_password": password}
    else:
        config = {"session_id": secret(session_id_env, option="--session-id-env", prompt="SharePoint session id")}

    connector = run(
        ctx,
        lambda client: client.connectors.create(
            type=connector_type,  # type: ignore[arg-type]  # click.Choice checked it
            label=label,
            config=config,
            description=description,
            share_with_org=share,
        ),
    )
    out = Output(as_json)
    if as_json:
        out.json(connector_json(connector))
        return
    if quiet:
        out.say(str(connector.connector_id))
        return
    out.fields(connector_fields(connector))
    inbox = getattr(connector.config, "email", None)
    if inbox:
        out.say(f"Forward research mail to {safe(inbox)} (from the allowed senders only).")


@click.command(
    "update",
    epilog=f"""\b
Examples:
  {PROG} update {_ID} --label "Broker research (daily)" --share
  {PROG} update {_ID} --allowed-email desk@fund.com --allowed-email ops@fund.com""",
)
@connector_id_argument
@click.option("--label", default=None, help="New display name.")
@click.option("--description", default=None, help="New description.")
@click.option("--share/--no-share", default=None, help="Share the content with your organisation, or stop sharing.")
@click.option("--allowed-email", "allowed_emails", multiple=True, metavar="ADDRESS",
              help="email: replace the allowed senders with these (repeatable).")  # fmt: skip
@json_option
@click.pass_context
def update_cmd(
    ctx: click.Context,
    connector_id: str,
    label: str | None,
    description: str | None,
    share: bool | None,
    allowed_emails: tuple[str, ...],
    as_json: bool,
) -> None:
    """Change only what you pass; everything else stays as it is.

    Sends GET /contents/v1/connectors/ID, then PUT with the merged result (the API's PUT resets
    what it is not sent). Broker credentials cannot be changed: create a new connector.
    """
    from typing import Any

    from bigdata_connectors.cli._output import Output, connector_fields, connector_json
    from bigdata_connectors.cli._runtime import run

    changes: dict[str, Any] = {}
    if label is not None:
        changes["label"] = label
    if description is not None:
        changes["description"] = description
    if share is not None:
        changes["share_with_org"] = share
    if allowed_emails:
        changes["config"] = {"allowed_emails": list(allowed_emails)}
    if not changes:
        raise click.UsageError("nothing to change: pass --label, --description, --share/--no-share or --allowed-email")
    connector = run(ctx, lambda client: client.connectors.update(connector_id, **changes))
    out = Output(as_json)
    if as_json:
        out.json(connector_json(connector))
    else:
        out.fields(connector_fields(connector))


@click.command("archive", epilog=f"\b\nExample:\n  {PROG} archive {_ID}")
@connector_id_argument
@json_option
@click.pass_context
def archive_cmd(ctx: click.Context, connector_id: str, as_json: bool) -> None:
    """Archive a connector: it stops taking new content; what it brought in stays.

    Sends DELETE /contents/v1/connectors/ID (without force_delete). Archiving twice is harmless.
    """
    from bigdata_connectors.cli._output import Output, connector_json
    from bigdata_connectors.cli._runtime import run
    from bigdata_connectors.cli._text import safe

    connector = run(ctx, lambda client: client.connectors.delete(connector_id))
    out = Output(as_json)
    if connector is None:  # the API's answer to a plain DELETE is documented to be the connector
        raise click.ClickException("the API sent no connector back")
    if as_json:
        out.json(connector_json(connector))
    else:
        out.say(f"Archived '{safe(connector.label)}' ({connector.connector_id}).")


@click.command(
    "delete",
    epilog=f"""\b
Examples:
  {PROG} delete {_ID} --force          # asks first, on a terminal
  {PROG} delete {_ID} --force --yes    # in scripts""",
)
@connector_id_argument
@click.option("--force", is_flag=True, help="Required: this deletes the connector and all its files for good.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed when not on a terminal).")
@json_option
@click.pass_context
def delete_cmd(ctx: click.Context, connector_id: str, force: bool, yes: bool, as_json: bool) -> None:
    """Delete a connector and its files, permanently (`archive` keeps them).

    Sends GET /contents/v1/connectors/ID (to name it), then DELETE ...?force_delete=true. The
    deletion runs on the server after the request is accepted.
    """
    from bigdata_connectors.cli._exit import NotConfirmed
    from bigdata_connectors.cli._output import Output
    from bigdata_connectors.cli._runtime import confirm, interactive, run
    from bigdata_connectors.cli._text import count, safe

    if not force:
        raise click.UsageError("delete is permanent and needs --force (to keep the data, use `archive`)")
    if not yes and not interactive():
        raise click.UsageError("not on a terminal, so no one can confirm: pass --yes to delete")
    connector = run(ctx, lambda client: client.connectors.get(connector_id))
    label = safe(connector.label)
    # Asked between two event loops: one Ctrl-C here aborts at once and nothing is deleted.
    if not yes and not confirm(
        f"Delete connector '{label}' ({connector.connector_id}) and its {count(connector.files_count or 0)} "
        "files for good?"
    ):
        raise NotConfirmed("not deleted")
    run(ctx, lambda client: client.connectors.delete(connector.connector_id, force=True))
    out = Output(as_json)
    if as_json:
        out.json({"connector_id": str(connector.connector_id), "label": connector.label, "status": "accepted"})
    else:
        out.say(f"Deletion of '{label}' ({connector.connector_id}) accepted; it completes on the server.")
