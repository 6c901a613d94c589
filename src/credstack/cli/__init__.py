"""The ``credstack`` command line (Typer + Rich).

Each command group lives in its own module and registers itself on :data:`app`; commands are thin:
parse, call one service through :class:`credstack.app.Credstack`, render. Errors are mapped to one
readable line and a non-zero exit in exactly one place, :func:`main`.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from credstack.errors import CredstackError

__all__ = ["app", "err_console", "main"]

app = typer.Typer(
    name="credstack",
    help="Stackable micro-credentials: issue, verify, suspend and revoke Open Badges 3.0 credentials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True, emoji=False)  # "did:key:" must not become an emoji


def _register() -> None:
    # Command modules import ``app`` from here and decorate it; importing them registers the commands.
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning any CredstackError into one line on stderr and exit 2."""
    _register()
    try:
        app(args=argv, prog_name="credstack", standalone_mode=False)
    except CredstackError as exc:
        from rich.markup import escape

        err_console.print(
            f"[bold red]error[/] {escape(f'[{exc.code}]')}: {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        # typer >= 0.20 vendors click as typer._click, whose exceptions do not subclass click's own
        from typer._click import exceptions as typer_click_exceptions

        if isinstance(exc, click.exceptions.UsageError | typer_click_exceptions.UsageError):
            # one readable line, like every other error: what was wrong, and where to read how to call it
            from rich.markup import escape

            ctx = getattr(exc, "ctx", None)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            message = f"{exc.format_message().rstrip('.')}{hint}"
            err_console.print(
                f"[bold red]error[/] {escape('[invalid_input]')}: {escape(message)}", highlight=False, soft_wrap=True
            )
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.ClickException | typer_click_exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
