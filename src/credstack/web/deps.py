"""What web handlers share: the Credstack of the running app and the Jinja2 environment (package templates)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from credstack.app import Credstack

__all__ = ["STATIC_DIR", "TEMPLATE_DIR", "CredstackDep", "get_credstack", "templates"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
try:
    templates.env.globals["version"] = version("credstack")
except PackageNotFoundError:  # pragma: no cover - source tree without metadata
    templates.env.globals["version"] = ""


def get_credstack(request: Request) -> Credstack:
    credstack: Credstack = request.app.state.credstack
    return credstack


CredstackDep = Annotated[Credstack, Depends(get_credstack)]
