"""The composition root: :meth:`Credstack.from_settings` builds the database and every service.

The CLI, the HTTP API, the web pages and the tests all drive a :class:`Credstack`; it holds no business logic.
Nothing is created at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credstack.errors import ConfigurationError
from credstack.services.accounts import AccountService
from credstack.services.achievements import AchievementService
from credstack.services.audit import AuditService
from credstack.services.bulk import BulkIssuanceService
from credstack.services.catalog import CatalogService
from credstack.services.employer import EmployerService
from credstack.services.issuers import IssuerRecord, IssuerService
from credstack.services.issuing import IssuingService
from credstack.services.keystore import KeyStore
from credstack.services.learners import LearnerService, catalog_levels
from credstack.services.market import MarketService
from credstack.services.outlook import OutlookService
from credstack.services.pathways import PathwayService
from credstack.services.planning import PlanningService
from credstack.services.portfolio import PortfolioService
from credstack.services.sharing import SharingService
from credstack.services.status import StatusService
from credstack.services.taxonomy import TaxonomyService
from credstack.services.tokens import TokenService
from credstack.services.verifying import VerificationService
from credstack.services.wallet import WalletService
from credstack.settings import Settings
from credstack.storage.engine import Database
from credstack.storage.migrate import current_revision, head_revision, upgrade

__all__ = ["Credstack", "InitResult"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class InitResult:
    """What ``credstack init`` did: the schema revision and the default issuer (``created`` if new)."""

    revision: str | None
    issuer: IssuerRecord
    created: bool


class Credstack:
    """credstack, assembled: ``issuers``, ``achievements``, ``issuing``, ``bulk``, ``status``, ``tokens``,
    ``verifier``. Use as a context manager (or call :meth:`close`) to release database connections."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        clock: Callable[[], datetime] = _utc_now,
        status_list_size: int | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.keystore = KeyStore(settings.master_secret)
        self.issuers = IssuerService(db, settings, self.keystore, clock)
        self.achievements = AchievementService(db, settings, self.issuers, clock)
        self.issuing = IssuingService(
            db, settings, self.issuers, self.achievements, clock, status_list_size=status_list_size
        )
        self.bulk = BulkIssuanceService(db, self.issuing, self.achievements, clock)
        self.status = StatusService(db, settings, self.issuers, clock)
        self.tokens = TokenService(db, clock)
        self.taxonomy = TaxonomyService(db, clock)
        self.catalog = CatalogService(
            db, settings, self.taxonomy, clock, self.achievements, market_values=lambda s: self.outlook.market_values(s)
        )
        #: a credential of a catalog achievement expires after the entry's validity period
        self.issuing.validity_months = self.catalog.validity_months
        self.market = MarketService(db, settings, self.taxonomy, clock)
        #: occupation outlook (BLS projections + posting momentum), demand forecasts, credentials' market value
        self.outlook = OutlookService(lambda: self.market, self.taxonomy, lambda: self.catalog)
        #: the pathway planner (issue 5); reads the learners, market, outlook and pathways services when present
        self.planner = PlanningService(db, settings, self.taxonomy, clock, lambda name: getattr(self, name, None))
        #: resolves this server's own status lists and did:web documents locally, without network
        self.verifier = VerificationService(settings, local_documents=self.status.document_for_url)
        #: employer tools (issue 6): bulk verification, trust, endorsements, presentation requests, hiring, workforce
        self.employer = EmployerService(
            db, settings, verifier=self.verifier, issuers=self.issuers, issuing=self.issuing, clock=clock,
            peer=lambda name: getattr(self, name, None),
        )  # fmt: skip
        #: a learner's credentials, re-verified (issue 3); records e-mail recipients as credentials are issued
        self.learners = LearnerService(db, self.verifier, clock, level_of=catalog_levels(self.catalog.get))
        self.issuing.recorders.append(self.learners.record_issued)
        self.learners.own_status_list = self.status.own_list_for_url
        #: pathways (stacks) in the database, progress from verified credentials, automatic awards (issue 3)
        self.pathways = PathwayService(db, settings, self.issuers, self.issuing, self.learners, clock, self.status)
        self.issuing.listeners.append(self.pathways.on_issued)
        self.status.listeners.append(self.pathways.on_status)
        #: organisations, people, roles, sessions, org-bound tokens; the audit log (issue 6): issuing and status
        #: changes write their events in their own transactions, the wallet and sharing through cs.audit.record
        self.accounts = AccountService(db, self.tokens, clock)
        self.audit = AuditService(db, clock)
        #: the learner wallet (claim links for every issued credential, imports), portfolio and share links
        self.wallet = WalletService(db, settings, self.keystore, self.verifier, self.issuing, clock, self.audit.record)
        self.issuing.listeners.append(self.wallet.on_issued)
        #: pathway progress and awards count the wallet's imports; an import that completes a stack awards it
        self.pathways.wallet_documents = self.wallet.learner_documents
        self.wallet.listeners.append(self.pathways.on_imported)
        self.portfolio = PortfolioService(
            db, settings, self.wallet, self.accounts, clock, lambda name: getattr(self, name, None)
        )
        self.sharing = SharingService(db, settings, self.wallet, clock, self.audit.record)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        status_list_size: int | None = None,
    ) -> Credstack:
        """Build everything from ``settings``. ``clock`` and ``status_list_size`` (below 131,072, so that a list
        fills quickly) exist for tests only."""
        settings.check()
        return cls(
            settings,
            Database.from_url(settings.database_url),
            clock=clock or _utc_now,
            status_list_size=status_list_size,
        )

    def init_db(self) -> str | None:
        """Create or upgrade the schema with the shipped Alembic migrations (idempotent); returns the revision."""
        return upgrade(self.db.engine)

    def init(self, issuer_name: str = "credstack issuer") -> InitResult:
        """``credstack init``: the schema, plus a default did:key issuer when there is none (idempotent)."""
        revision = self.init_db()
        issuer, created = self.issuers.ensure_default(issuer_name)
        return InitResult(revision, issuer, created)

    def require_schema(self) -> None:
        """ConfigurationError unless the database is at the newest migration (``credstack init`` fixes it)."""
        try:
            revision = current_revision(self.db.engine)
        except Exception as exc:  # an unreachable server, a bad path: say so in one line
            raise ConfigurationError(f"cannot open the database {self.settings.database_url!r}: {exc}") from exc
        if revision != head_revision():
            raise ConfigurationError(
                f"the database {self.settings.database_url!r} is not initialised "
                f"(schema {revision or 'empty'}, expected {head_revision()}): run `credstack init`"
            )

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Credstack:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
