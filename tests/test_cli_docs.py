"""Every command a user can type is documented in docs/cli.md, and the doc names no command that does not exist."""

from __future__ import annotations

import re

import typer.main

import credstack.cli
from conftest import ROOT


def _command_paths() -> set[str]:
    credstack.cli._register()
    root = typer.main.get_command(credstack.cli.app)
    paths: set[str] = set()

    def walk(command: object, prefix: list[str]) -> None:
        children = getattr(command, "commands", None)
        if not children or getattr(command, "invoke_without_command", False):  # a group that also runs alone
            paths.add(" ".join(prefix))
        if not children:
            return
        for name, child in children.items():
            walk(child, [*prefix, name])

    walk(root, ["credstack"])
    return paths


def test_every_command_is_documented_and_nothing_else() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `(credstack[a-z \-]*)`", text, flags=re.MULTILINE))
    assert documented == _command_paths()
