"""Helpers for the API, web and acceptance tests: a real Credstack on a tmp SQLite database, served by a real
Uvicorn server on a free 127.0.0.1 port (in a thread), and the unsigned credentials the tests issue."""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from credstack.api import create_app
from credstack.app import Credstack
from credstack.settings import Settings

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"

UNSIGNED: dict[str, Any] = {
    "@context": [VC_CONTEXT, OB_CONTEXT],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Intro to Data Integrity",
    "credentialSubject": {
        "id": "did:example:learner-1",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.org/achievements/data-integrity",
            "type": ["Achievement"],
            "name": "Intro to Data Integrity",
            "description": "Signs and verifies Data Integrity proofs.",
            "criteria": {"narrative": "Passed the practical."},
        },
    },
}


def unsigned_credential(**changes: Any) -> dict[str, Any]:
    """A fresh copy of an unsigned OpenBadgeCredential without issuer (as the VC-API issue call takes it)."""
    credential = copy.deepcopy(UNSIGNED)
    credential.update(changes)
    return credential


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_credstack(folder: Path, base_url: str, *, database_url: str | None = None, **settings: Any) -> Credstack:
    """A Credstack on a fresh database (SQLite in ``folder`` unless ``database_url``), initialised (schema and
    default issuer)."""
    cs = Credstack.from_settings(
        Settings(
            database_url=database_url or f"sqlite:///{folder / 'credstack.db'}",
            base_url=base_url,
            **settings,
        )
    )
    cs.init()
    return cs


@contextmanager
def live_server(cs: Credstack, port: int) -> Iterator[str]:
    """Serve ``create_app(cs)`` with Uvicorn on 127.0.0.1:port in a thread; yields the base URL."""
    config = uvicorn.Config(
        create_app(cs), host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none", http="h11"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def served_credstack(
    folder: Path, *, database_url: str | None = None, **settings: Any
) -> Iterator[tuple[Credstack, str]]:
    """A fresh Credstack whose base URL is the server it is served on: ``(credstack, base_url)``."""
    port = free_port()
    cs = make_credstack(folder, f"http://127.0.0.1:{port}", database_url=database_url, **settings)
    try:
        with live_server(cs, port) as base:
            yield cs, base
    finally:
        cs.close()
