"""One error tree for credstack, with stable codes.

    CredstackError (code)                      base; every error credstack raises on purpose
    +-- InvalidInputError ("invalid_input")    input the caller can fix: bad JSON, wrong type, too big, too deep
    |   +-- DocumentTooLargeError ("document_too_large")
    |   +-- DocumentTooDeepError ("document_too_deep")
    |   +-- NotUtf8Error ("not_utf8")
    |   +-- MalformedJsonError ("malformed_json")
    |   +-- UnsupportedFormatError ("unsupported_format")
    |   +-- UnknownContextError ("unknown_context")        a JSON-LD context that is not pinned; never fetched
    |   +-- UndefinedTermError ("undefined_term")          a term no context defines (would be dropped unsigned)
    |   +-- InvalidCredentialError ("invalid_credential") a credential that cannot be issued as given
    |   +-- CsvRosterError ("invalid_roster")
    |   +-- InvalidBatchError ("invalid_batch")        a bulk-verification upload that cannot be read (zip, CSV)
    |   +-- InvalidQualificationError ("invalid_qualification")  a requirement tree that is malformed or unsatisfiable
    |   +-- CredentialRejectedError ("credential_rejected")  a wallet import that did not verify (nothing stored)
    +-- CanonicalizationError ("canonicalization_failed")  RDFC-1.0 / JSON-LD processing failed or hit a limit
    +-- KeyMaterialError ("key_error")                     key material unusable (bad multikey header, ...)
    +-- NotFoundError ("not_found")
    +-- ConflictError ("conflict")                         e.g. revoking twice differently, reusing an id
    +-- AuthError ("unauthorized") / ForbiddenError ("forbidden")
    +-- TooManySignInsError ("too_many_sign_ins")        sign-ins throttled for a while (429, ``retry_after``)
    +-- ConfigurationError ("configuration")             refused settings (default secret outside development)
    +-- FetchError ("fetch_failed")                      an allow-listed fetch failed or was refused
    +-- TaxonomyNotLoadedError ("taxonomy_not_loaded")   the skills taxonomy is not in the database yet
    +-- SemanticSearchUnavailableError ("semantic_search_unavailable")  no catalog embeddings, or no model installed

Expected negative outcomes (an invalid signature, a revoked credential) are *values* in a verification
report, never exceptions. Every code is documented in docs/errors.md (a test keeps the two in sync).
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "CanonicalizationError",
    "ConfigurationError",
    "ConflictError",
    "CredentialRejectedError",
    "CredstackError",
    "CsvRosterError",
    "DocumentTooDeepError",
    "DocumentTooLargeError",
    "FetchError",
    "ForbiddenError",
    "InvalidBatchError",
    "InvalidCredentialError",
    "InvalidInputError",
    "InvalidQualificationError",
    "KeyMaterialError",
    "MalformedJsonError",
    "MethodNotAllowedError",
    "NotFoundError",
    "NotUtf8Error",
    "SemanticSearchUnavailableError",
    "TaxonomyNotLoadedError",
    "TooManySignInsError",
    "UndefinedTermError",
    "UnknownContextError",
    "UnsupportedFormatError",
    "all_error_classes",
]


class CredstackError(Exception):
    """Base of every error credstack raises on purpose. `code` is stable and documented."""

    code = "credstack_error"
    http_status = 500
    title = "Internal error"

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.message} (at {self.where})" if self.where else self.message


class InvalidInputError(CredstackError):
    code = "invalid_input"
    http_status = 400
    title = "Invalid input"


class DocumentTooLargeError(InvalidInputError):
    code = "document_too_large"
    http_status = 413
    title = "Document too large"


class DocumentTooDeepError(InvalidInputError):
    code = "document_too_deep"
    title = "Document nested too deeply"


class NotUtf8Error(InvalidInputError):
    code = "not_utf8"
    title = "Input is not UTF-8"


class MalformedJsonError(InvalidInputError):
    code = "malformed_json"
    title = "Malformed JSON"


class UnsupportedFormatError(InvalidInputError):
    code = "unsupported_format"
    http_status = 415
    title = "Unsupported format"


class MethodNotAllowedError(InvalidInputError):
    """An HTTP method the resource does not answer (the ``Allow`` header lists those it does)."""

    code = "method_not_allowed"
    http_status = 405
    title = "Method not allowed"


class UnknownContextError(InvalidInputError):
    code = "unknown_context"
    title = "Unknown JSON-LD context"


class UndefinedTermError(InvalidInputError):
    code = "undefined_term"
    title = "Undefined JSON-LD term"


class InvalidCredentialError(InvalidInputError):
    code = "invalid_credential"
    http_status = 422
    title = "Invalid credential"


class CsvRosterError(InvalidInputError):
    code = "invalid_roster"
    http_status = 422
    title = "Invalid CSV roster"


class InvalidBatchError(InvalidInputError):
    """A bulk-verification upload that cannot be read: a corrupt or encrypted zip, a zip bomb, too many files, a CSV
    without a ``url``/``file`` header (limits in docs/employer.md)."""

    code = "invalid_batch"
    http_status = 422
    title = "Invalid verification batch"


class InvalidQualificationError(InvalidInputError):
    """A qualification's requirement tree cannot be used: malformed JSON, a cycle, a dangling reference or a
    requirement no catalog achievement can meet. ``problems`` holds every problem found (each with its path)."""

    code = "invalid_qualification"
    http_status = 422
    title = "Invalid qualification"

    def __init__(self, message: str, *, where: str | None = None, problems: tuple[object, ...] = ()) -> None:
        super().__init__(message, where=where)
        self.problems = problems


class CredentialRejectedError(InvalidInputError):
    """A credential offered to a wallet (import) did not verify; ``reasons`` lists each failed check. Nothing is
    stored."""

    code = "credential_rejected"
    http_status = 422
    title = "Credential rejected"

    def __init__(self, message: str, *, where: str | None = None, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message, where=where)
        self.reasons = reasons


class CanonicalizationError(CredstackError):
    code = "canonicalization_failed"
    http_status = 422
    title = "Canonicalization failed"


class KeyMaterialError(CredstackError):
    code = "key_error"
    http_status = 422
    title = "Unusable key material"


class NotFoundError(CredstackError):
    code = "not_found"
    http_status = 404
    title = "Not found"


class ConflictError(CredstackError):
    code = "conflict"
    http_status = 409
    title = "Conflict"


class AuthError(CredstackError):
    code = "unauthorized"
    http_status = 401
    title = "Unauthorized"


class TooManySignInsError(CredstackError):
    """Sign-ins refused for a while after too many failures (docs/accounts.md, "Sign-in throttling"):
    ``retry_after`` is the number of seconds until one is accepted again (the API's ``Retry-After`` header). Not an
    :class:`AuthError`: the credentials were not checked, and no ``WWW-Authenticate`` challenge applies."""

    code = "too_many_sign_ins"
    http_status = 429
    title = "Too many sign-in attempts"

    def __init__(self, message: str, *, retry_after: int, where: str | None = None) -> None:
        super().__init__(message, where=where)
        self.retry_after = max(1, int(retry_after))


class ForbiddenError(CredstackError):
    code = "forbidden"
    http_status = 403
    title = "Forbidden"


class ConfigurationError(CredstackError):
    code = "configuration"
    http_status = 500
    title = "Configuration refused"


class FetchError(CredstackError):
    code = "fetch_failed"
    http_status = 502
    title = "Fetch failed"


class TaxonomyNotLoadedError(CredstackError):
    code = "taxonomy_not_loaded"
    http_status = 503
    title = "Skills taxonomy not loaded"


class SemanticSearchUnavailableError(CredstackError):
    code = "semantic_search_unavailable"
    http_status = 503
    title = "Semantic search unavailable"


def all_error_classes() -> list[type[CredstackError]]:
    """Every error class, base first (used by the docs test and the API's error table)."""
    seen: list[type[CredstackError]] = []
    stack: list[type[CredstackError]] = [CredstackError]
    while stack:
        cls = stack.pop(0)
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen
