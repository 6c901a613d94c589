"""Resolving verification methods and the documents they live in, without ever fetching on our own.

Controlled Identifiers v1.0 §3.3 "Retrieve Verification Method"; did:key (CCG draft, resolved locally);
did:web (W3C CCG did:web §3.2 "Read": ``did:web:host%3Aport:path`` -> ``https://host:port/path/did.json``, a bare
host -> ``https://host/.well-known/did.json``). Documents come from the caller's ``documents`` map (by URL or by
DID) or through the injected, allow-listed ``fetch``; with neither, resolution fails and says which document to
supply (``--document URL=FILE``).

The 1EdTech form ``https://issuer.example/x#z6Mk…`` is read as an *unbound* key when no controller document for
it is available (STANDARDS §1.5): the signature can be checked, but nothing binds the key to the issuer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from credstack.errors import CredstackError, FetchError, KeyMaterialError
from credstack.proofs.keys import (
    VerificationMethod,
    resolve_did_key_vm,
    unbound_fragment_vm,
    vm_from_controller_document,
)

__all__ = ["DocumentSource", "Resolution", "did_web_url"]


def did_web_url(did: str) -> str:
    """The HTTPS URL of a did:web DID document (did:web §3.2 "Read")."""
    if not did.startswith("did:web:") or len(did) <= len("did:web:"):
        raise KeyMaterialError(f"{did!r} is not a did:web DID")
    parts = did[len("did:web:") :].split(":")
    host = unquote(parts[0])
    if not host or "/" in host or any(not p for p in parts):
        raise KeyMaterialError(f"{did!r} is not a well-formed did:web DID")
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


@lru_cache(maxsize=1024)
def _did_key_vm(vm_id: str) -> VerificationMethod:
    """did:key resolution is pure and a batch usually has one issuer: decode each key once."""
    return resolve_did_key_vm(vm_id)


class DocumentSource:
    """Looks documents up in the supplied map, then through ``fetch``; remembers answers and failures."""

    def __init__(
        self,
        documents: Mapping[str, Any],
        fetch: Callable[[str], dict[str, Any]] | None,
        memo: dict[str, Any],
    ) -> None:
        self.documents = documents
        self.fetch = fetch
        self.memo = memo

    def get(self, url: str, *aliases: str) -> dict[str, Any]:
        """The document for ``url`` (or one of ``aliases`` in the map); raises FetchError saying how to supply it."""
        for key in (url, *aliases):
            found = self.documents.get(key)
            if found is not None:
                if not isinstance(found, Mapping):
                    raise FetchError(f"the document supplied for {key} is not a JSON object")
                return dict(found)
        cached = self.memo.get(url)
        if isinstance(cached, dict):
            return cached
        if isinstance(cached, FetchError):
            raise cached
        if self.fetch is None:
            error = FetchError(f"{url} was not supplied and may not be fetched: supply it with --document {url}=FILE")
        else:
            try:
                fetched = self.fetch(url)
            except CredstackError as exc:
                error = FetchError(f"{url} could not be fetched ({exc}); supply it with --document {url}=FILE")
            else:
                if isinstance(fetched, Mapping):
                    self.memo[url] = dict(fetched)
                    return self.memo[url]
                error = FetchError(f"{url} did not return a JSON object")
        self.memo[url] = error
        raise error


class Resolution:
    """A KeyResolver for one verification (relationship ``assertionMethod`` or ``authentication``).

    It records, per verification method id, the resolved method or the reason it could not be resolved, so the
    ``issuer_key`` check can explain the binding after the ``proof`` check has used the key.
    """

    def __init__(self, source: DocumentSource, relationship: str) -> None:
        self.source = source
        self.relationship = relationship
        self.methods: dict[str, VerificationMethod] = {}
        self.errors: dict[str, str] = {}
        self.via: dict[str, str] = {}

    def __call__(self, vm_id: str) -> VerificationMethod:
        try:
            method, via = self._resolve(vm_id)
        except CredstackError as exc:
            self.errors[vm_id] = exc.message
            raise
        self.methods[vm_id] = method
        self.via[vm_id] = via
        return method

    def _resolve(self, vm_id: str) -> tuple[VerificationMethod, str]:
        if vm_id.startswith("did:key:"):
            return _did_key_vm(vm_id), "did:key"
        did, _, fragment = vm_id.partition("#")
        if vm_id.startswith("did:web:"):
            url = did_web_url(did)
            try:
                document = self.source.get(url, did)
            except FetchError as exc:
                raise FetchError(f"the DID document of {did} is not available: {exc.message}") from exc
            if document.get("id") != did:
                raise KeyMaterialError(f"the DID document at {url} is for {document.get('id')!r}, not {did}")
            return vm_from_controller_document(document, vm_id, self.relationship), f"did:web document {url}"
        if vm_id.startswith(("https://", "http://")):
            try:
                document = self.source.get(did)
            except FetchError as exc:
                if fragment.startswith("z6Mk"):
                    return unbound_fragment_vm(vm_id), "the key in the URL's fragment"
                raise FetchError(f"the controller document of {vm_id} is not available: {exc.message}") from exc
            return vm_from_controller_document(document, vm_id, self.relationship), f"controller document {did}"
        method = vm_id.split(":", 2)[1] if vm_id.startswith("did:") and vm_id.count(":") >= 2 else None
        if method:
            raise KeyMaterialError(f"DID method did:{method} is not supported (did:key and did:web are)")
        raise KeyMaterialError(f"{vm_id!r} is neither a DID URL nor an HTTPS URL")
