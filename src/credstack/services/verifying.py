"""The verification use case: read the clock, gather documents, and run the pure verifier.

:class:`VerificationService` is what the CLI (``credstack verify``), the API (``POST /credentials/verify``,
``/presentations/verify``, ``/api/verify``) and the web page call. It adds to the pure
:mod:`credstack.domain.verification` the three things the domain may not do itself:

- the clock (``now`` defaults to ``datetime.now(UTC)``, or the caller's ``at``);
- this server's own documents (status lists, did:web DID documents) through ``local_documents``, with no network;
- the network, only for hosts on ``settings.fetch_allowlist``, over HTTPS, never when ``settings.offline``, with a
  timeout and a size cap. Anything else must be supplied as a document (``--document URL=FILE`` on the CLI).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from credstack.domain.verification import VerificationReport, VerifyOptions, verify_bytes, verify_document
from credstack.errors import FetchError, InvalidInputError
from credstack.settings import Settings

__all__ = ["FETCH_TIMEOUT_SECONDS", "LocalDocuments", "VerificationService"]

#: Seconds an allow-listed fetch may take (connect + read).
FETCH_TIMEOUT_SECONDS = 5.0
_ACCEPT = {"Accept": "application/did+json, application/json"}
LocalDocuments = Callable[[str], dict[str, Any] | None]


class VerificationService:
    """Verify credentials and presentations in any format credstack reads (see the module docstring)."""

    def __init__(
        self, settings: Settings, local_documents: LocalDocuments | None = None, *, http_transport: Any = None
    ) -> None:
        """``http_transport`` (an ``httpx.BaseTransport``) replaces the network, for tests; None uses the real one."""
        self.settings = settings
        self.local_documents = local_documents
        self.http_transport = http_transport

    def fetch(self, url: str) -> dict[str, Any]:
        """An allow-listed fetch: this server's documents first, then HTTPS GET on an allow-listed host only."""
        if self.local_documents is not None:
            local = self.local_documents(url)
            if local is not None:
                return local
        if self.settings.offline:
            raise FetchError(f"offline mode: {url} is not fetched")
        parts = urlsplit(url)
        host = parts.hostname or ""
        allowed = {h.lower() for h in self.settings.fetch_allowlist}
        if parts.scheme != "https" or (host.lower() not in allowed and parts.netloc.lower() not in allowed):
            raise FetchError(f"{parts.netloc or url} is not on the fetch allow-list (CREDSTACK_FETCH_ALLOWLIST)")
        return self._http_get_json(url)

    def _http_get_json(self, url: str) -> dict[str, Any]:
        import httpx  # imported here: `credstack verify` offline never pays for it

        from credstack.domain._formats import parse_json_object

        limit = self.settings.max_document_bytes
        try:
            client = httpx.Client(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False, transport=self.http_transport)
            with client, client.stream("GET", url, headers=_ACCEPT) as response:  # allowed-fetch
                if response.status_code != 200:
                    raise FetchError(f"GET {url} answered HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FetchError(f"GET {url} returned more than {limit:,} bytes; refused")
        except httpx.HTTPError as exc:
            raise FetchError(f"GET {url} failed: {exc}") from exc
        try:
            return parse_json_object(body.decode("utf-8"))
        except (InvalidInputError, UnicodeDecodeError) as exc:
            raise FetchError(f"GET {url} did not return a JSON object: {exc}") from exc

    def options(
        self,
        *,
        documents: Mapping[str, Any] | None = None,
        at: datetime | None = None,
        allow_unbound_keys: bool = False,
        challenge: str | None = None,
        domain: str | None = None,
        recipient: str | None = None,
    ) -> VerifyOptions:
        """The VerifyOptions for one verification (or a batch sharing fetched documents)."""
        if at is not None and at.tzinfo is None:
            raise InvalidInputError("the verification time must include a time zone (e.g. 2025-01-01T00:00:00Z)")
        return VerifyOptions(
            now=at if at is not None else datetime.now(UTC),
            documents=dict(documents or {}),
            fetch=self.fetch,
            allow_unbound_keys=allow_unbound_keys,
            challenge=challenge,
            domain=domain,
            max_bytes=self.settings.max_document_bytes,
            recipient=recipient,
        )

    def verify(
        self,
        data: bytes | str | dict[str, Any],
        *,
        documents: Mapping[str, Any] | None = None,
        at: datetime | None = None,
        allow_unbound_keys: bool = False,
        challenge: str | None = None,
        domain: str | None = None,
        recipient: str | None = None,
    ) -> VerificationReport:
        """Verify one credential or presentation: raw bytes (any format), text (JSON or JWS) or a parsed dict."""
        options = self.options(
            documents=documents,
            at=at,
            allow_unbound_keys=allow_unbound_keys,
            challenge=challenge,
            domain=domain,
            recipient=recipient,
        )
        return self.verify_with(data, options)

    @staticmethod
    def verify_with(data: bytes | str | dict[str, Any], options: VerifyOptions) -> VerificationReport:
        """Verify with prepared options (a batch reuses one VerifyOptions so fetched lists are shared)."""
        if isinstance(data, dict):
            return verify_document(data, options)
        if isinstance(data, str):
            return verify_bytes(data.encode("utf-8"), options)
        if isinstance(data, bytes | bytearray | memoryview):
            return verify_bytes(bytes(data), options)
        raise InvalidInputError(f"cannot verify a {type(data).__name__}: send bytes, text or a JSON object")
