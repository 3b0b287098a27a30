"""``completion SHELL``: print the shell completion script (click's own, for bash, zsh and fish)."""

from __future__ import annotations

import click

from bigdata_connectors.cli._common import PROG

__all__ = ["COMPLETE_VAR", "completion_cmd"]

# The variable the script sets when it asks the command line for completions (click's convention).
COMPLETE_VAR = "_" + PROG.replace("-", "_").upper() + "_COMPLETE"


@click.command(
    "completion",
    epilog=f"""\b
Examples:
  eval "$({PROG} completion bash)"    # add to ~/.bashrc (bash 4.4 or later)
  eval "$({PROG} completion zsh)"     # add to ~/.zshrc
  {PROG} completion fish > ~/.config/fish/completions/{PROG}.fish""",
)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def completion_cmd(ctx: click.Context, shell: str) -> None:
    """Print the script that completes commands, options and choices in SHELL (bash, zsh or fish).

    The script calls `bigdata-connectors` itself (with _BIGDATA_CONNECTORS_COMPLETE set) when you press Tab;
    nothing is sent to the API.
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    if completer is None:  # click.Choice has checked it; kept for the type checker
        raise click.UsageError(f"no completion for {shell}")
    from bigdata_connectors.cli._stdout import echo

    echo(completer(ctx.find_root().command, {}, PROG, COMPLETE_VAR).source())
