"""The adapter packages' public surface: every module declares ``__all__`` and every name in it exists; the app
factory mounts the API and the pages on one app and documents every API route in OpenAPI."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from pathlib import Path

import httpx
import pytest

import credstack.api
import credstack.web
from api_support import make_credstack
from credstack.api import create_app

MODULES = sorted(
    f"{package.__name__}.{info.name}"
    for package in (credstack.api, credstack.web)
    for info in pkgutil.iter_modules(package.__path__)
)


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_what_it_exports(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported, f"{name} has no __all__"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which does not exist"


def test_one_app_serves_api_and_pages_and_documents_every_api_route(tmp_path: Path) -> None:
    with make_credstack(tmp_path, "http://127.0.0.1:9") as cs:
        app = create_app(cs)
        spec = app.openapi()
        assert {"/credentials/issue", "/credentials/verify", "/status/{list_id}", "/api/bulk-jobs"} <= set(
            spec["paths"]
        )
        assert not any(path.startswith(("/verify", "/static")) for path in spec["paths"]), "pages are not API"
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                assert operation.get("summary"), f"{method.upper()} {path} has no summary"

        async def fetch(path: str) -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                return await client.get(path)

        home = asyncio.run(fetch("/"))
        assert home.status_code == 200
        assert home.headers["content-type"].startswith("text/html")
