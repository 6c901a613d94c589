"""Typed settings, read from ``CREDSTACK_*`` environment variables only when asked (never at import).

Every setting is documented in docs/settings.md; a test keeps the two in sync.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from credstack.errors import ConfigurationError

__all__ = ["DEFAULT_MASTER_SECRET", "Settings"]

#: The development master secret. Outside development mode the server refuses to start with it.
DEFAULT_MASTER_SECRET = "credstack-development-secret-change-me"


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {value!r}")


@dataclass(frozen=True)
class Settings:
    """credstack's configuration. Build with :meth:`from_env` or directly (tests)."""

    #: SQLAlchemy URL. SQLite by default (WAL mode); PostgreSQL via ``postgresql+psycopg://...``.
    database_url: str = "sqlite:///./credstack.db"
    #: Encrypts issuer private keys at rest (AES-256-GCM under a key derived with scrypt).
    master_secret: str = DEFAULT_MASTER_SECRET
    #: Public base URL of this server; used in credential ids, status list URLs and did:web.
    base_url: str = "http://127.0.0.1:8000"
    #: Development mode: allows the default master secret.
    development: bool = True
    #: Hosts whose documents (did:web DID documents, status lists) verification may fetch over HTTPS. Empty: none.
    fetch_allowlist: tuple[str, ...] = ()
    #: Never fetch anything during verification (documents must be supplied).
    offline: bool = False
    #: Largest credential document accepted, in bytes.
    max_document_bytes: int = 1_000_000
    #: Entries per Bitstring Status List (minimum 131,072 per the spec).
    status_list_size: int = 131_072
    #: Largest bulk-verification upload (a zip or CSV on the employer pages and API), in bytes.
    bulk_max_bytes: int = 64 * 1024 * 1024
    #: Folder of the job-postings Parquet dataset; empty: ``<database name>-data`` next to the SQLite file, or
    #: ``./credstack-data`` (docs/market.md).
    data_dir: str = ""
    #: Reverse proxies in front of the server that append the peer address to ``X-Forwarded-For``. 0: the peer
    #: address is the client's and ``X-Forwarded-For`` is ignored (it could be forged).
    proxy_hops: int = 0
    #: Half-life in years of the evidence for a technology skill (ESCO knowledge in ICT, O*NET hot technologies).
    skill_half_life_technology: float = 2.5
    #: Half-life in years of the evidence for other knowledge and skills.
    skill_half_life_knowledge: float = 5.0
    #: Half-life in years of the evidence for transversal skills (ESCO reuse level ``transversal``).
    skill_half_life_transversal: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            name = f"CREDSTACK_{f.name.upper()}"
            if name not in env:
                continue
            raw = env[name]
            if f.name in {"development", "offline"}:
                kwargs[f.name] = _bool(raw, name)
            elif f.name in {"max_document_bytes", "status_list_size", "bulk_max_bytes", "proxy_hops"}:
                try:
                    kwargs[f.name] = int(raw)
                except ValueError as exc:
                    raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc
            elif f.name.startswith("skill_half_life_"):
                try:
                    kwargs[f.name] = float(raw)
                except ValueError as exc:
                    raise ConfigurationError(f"{name} must be a number of years, got {raw!r}") from exc
            elif f.name == "fetch_allowlist":
                kwargs[f.name] = tuple(h.strip() for h in raw.split(",") if h.strip())
            else:
                kwargs[f.name] = raw
        settings = cls(**kwargs)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse unsafe or impossible settings."""
        if self.status_list_size < 131_072:
            raise ConfigurationError("CREDSTACK_STATUS_LIST_SIZE must be at least 131072 (Bitstring Status List)")
        if self.status_list_size % 8:
            raise ConfigurationError("CREDSTACK_STATUS_LIST_SIZE must be a multiple of 8")
        if not 0 <= self.proxy_hops <= 10:
            raise ConfigurationError("CREDSTACK_PROXY_HOPS must be between 0 and 10")
        for kind in ("technology", "knowledge", "transversal"):
            years = getattr(self, f"skill_half_life_{kind}")
            if not 0 < years < 1000:
                raise ConfigurationError(f"CREDSTACK_SKILL_HALF_LIFE_{kind.upper()} must be between 0 and 1000 years")

    def check_for_serving(self) -> None:
        """Outside development mode, refuse to serve with the default master secret."""
        if not self.development and self.master_secret == DEFAULT_MASTER_SECRET:
            raise ConfigurationError(
                "refusing to start: CREDSTACK_MASTER_SECRET is the development default; "
                "set a secret of your own or CREDSTACK_DEVELOPMENT=true"
            )
        if not self.development and len(self.master_secret) < 16:
            raise ConfigurationError("CREDSTACK_MASTER_SECRET must be at least 16 characters")
