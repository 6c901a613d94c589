"""Shared plumbing for the issuer-side commands: open a :class:`~credstack.app.Credstack` from the environment.

Imports of the application (SQLAlchemy, services) happen inside :func:`open_app`, so importing a command module
stays cheap and ``credstack verify`` starts fast without a database.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from credstack.app import Credstack

__all__ = ["err", "open_app", "out"]

#: stdout; wide when piped, so tables of DIDs are not folded
out = Console(highlight=False, emoji=False, soft_wrap=True, width=None if sys.stdout.isatty() else 240)
err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


@contextmanager
def open_app(*, require_schema: bool = True) -> Iterator[Credstack]:
    """Credstack for ``Settings.from_env()`` (CREDSTACK_DATABASE_URL etc.); refuses an uninitialised database and,
    outside development mode, the default master secret."""
    from credstack.app import Credstack
    from credstack.settings import Settings

    settings = Settings.from_env()
    settings.check_for_serving()  # outside development, never create or use keys under the public default secret
    credstack = Credstack.from_settings(settings)
    try:
        if require_schema:
            credstack.require_schema()
        yield credstack
    finally:
        credstack.close()
