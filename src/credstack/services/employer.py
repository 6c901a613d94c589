"""The employer tools as one service on :class:`~credstack.app.Credstack` (``cs.employer``), grouping:

- ``batches``: bulk verification jobs (:mod:`credstack.services.employer_bulk`);
- ``registry``: each organisation's trusted-issuer registry, and ``trust_for(...)``: the trust breakdown of a
  credential (:mod:`credstack.services.employer_trust`);
- ``endorsements``: sign and verify OB 3.0 EndorsementCredentials (:mod:`credstack.services.employer_endorse`);
- ``requests``: presentation requests with a challenge, answered from the wallet
  (:mod:`credstack.services.employer_requests`);
- ``hiring``: jobs and the ranking of candidates who shared their portfolios
  (:mod:`credstack.services.employer_hiring`);
- ``workforce``: team, internal credentials, skills matrix, quarterly audit with CSV/PDF exports and the learning
  budget (:mod:`credstack.services.employer_workforce`);

Other areas are read late and optionally through ``peer(name)`` (``cs.accounts``, ``cs.audit``, ``cs.sharing``,
``cs.wallet``, ``cs.planner``, ``cs.outlook``, ``cs.learners``): each feature works without them and uses them when
the composition root has them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any

from credstack.employer.trust import TrustBreakdown
from credstack.errors import ForbiddenError, NotFoundError
from credstack.services.employer_bulk import BulkVerificationService
from credstack.services.employer_endorse import EndorsementService
from credstack.services.employer_hiring import HiringService
from credstack.services.employer_requests import PresentationRequestService
from credstack.services.employer_trust import RegistryService, TrustService
from credstack.services.employer_workforce import WorkforceService
from credstack.services.issuers import IssuerService
from credstack.services.issuing import IssuingService
from credstack.services.verifying import VerificationService
from credstack.settings import Settings
from credstack.storage.engine import Database

__all__ = ["DEFAULT_ORG", "EMPLOYER_ROLES", "EmployerService"]

#: The organisation the employer tools act for when nobody is signed in, or a platform token calls (the public
#: scratch space of a single-organisation server).
DEFAULT_ORG = "default"
#: Roles that may use an organisation's employer tools.
EMPLOYER_ROLES = ("employer_reviewer", "issuer_admin")


class EmployerService:
    """Bulk verification, trust, endorsements, presentation requests, hiring and workforce tools (see module doc)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        verifier: VerificationService,
        issuers: IssuerService,
        issuing: IssuingService,
        clock: Callable[[], datetime],
        peer: Callable[[str], Any] | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._verifier = verifier
        self._issuers = issuers
        self._issuing = issuing
        self._clock = clock
        self._peer = peer or (lambda name: None)
        self.batches = BulkVerificationService(db, settings, verifier, clock, lookup=self.issued_here)
        self.registry = RegistryService(db, clock)
        self.trust = TrustService(db, settings, verifier, self.registry, clock, self.peer)
        self.requests = PresentationRequestService(db, settings, verifier, clock, self.peer)
        self.hiring = HiringService(db, settings, verifier, clock, self.peer)
        self.workforce = WorkforceService(db, settings, issuing, clock, self.peer)

    def peer(self, name: str) -> Any:
        """Another area's service on the composition root, or None when it is not there."""
        return self._peer(name)

    @cached_property
    def endorsements(self) -> EndorsementService:
        """Sign and verify EndorsementCredentials (reads ``cs.achievements`` to name endorsed achievements)."""
        achievements = self.peer("achievements")
        return EndorsementService(self._db, self._issuers, achievements, self._issuing, self._verifier, self._clock)

    def trust_for(self, org_id: str, credential: dict[str, Any] | None, *, verified: bool) -> TrustBreakdown:
        """The trust breakdown of a credential for ``org_id`` (registry, endorsements, market, freshness)."""
        return self.trust.breakdown(org_id, credential, verified=verified)

    @staticmethod
    def org_for_person(person: Any) -> str:
        """The organisation a signed-in person uses the employer tools for: the first where they hold an employer
        role; the default organisation when they hold none."""
        for org in getattr(person, "orgs", ()):
            if person.has_role(org, *EMPLOYER_ROLES):
                return str(org)
        return DEFAULT_ORG

    @classmethod
    def org_for_principal(cls, principal: Any) -> str:
        """The organisation an API caller acts for (ForbiddenError when the token may not use employer tools):
        an org-bound token's organisation (its person needing an employer role there), a personal token's
        person's organisation, a platform token: the default organisation."""
        principal.require_scope("employer")
        if principal.org_id is not None:
            if principal.person is not None:
                principal.require_role(principal.org_id, *EMPLOYER_ROLES)
            return str(principal.org_id)
        if principal.person is not None:
            org = cls.org_for_person(principal.person)
            principal.require_role(org, *EMPLOYER_ROLES)
            return org
        return DEFAULT_ORG

    def endorser_for(self, org_id: str, requested: str | None, *, any_issuer: bool) -> int | str | None:
        """Which issuer signs an organisation's endorsement: its own issuer (from its account); another one only
        for callers that may act for any issuer (platform admins and tokens, the development demo)."""
        own = self.workforce.issuer_id(org_id)
        if any_issuer:
            return requested or own
        if own is None:
            raise ForbiddenError(f"organisation {org_id!r} has no issuer of its own to endorse with")
        if requested and self._issuers.get(requested).id != own:
            raise ForbiddenError("an organisation endorses with its own issuer only")
        return own

    def issued_here(self, url: str) -> dict[str, Any] | None:
        """A credential this server issued, by its URL or id (None when it is not one of ours)."""
        try:
            return self._issuing.get(url).credential
        except NotFoundError:
            return None
