"""The unit of a verification report: one named check with a status and a reason a person can read.

Kept in its own small module so that :mod:`credstack.domain.shape` and :mod:`credstack.domain.verification`
can both use it without importing each other. Public through :mod:`credstack.domain.verification`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["FAIL", "PASS", "WARNING", "Check", "CheckStatus", "merge_checks"]

CheckStatus = Literal["pass", "fail", "warning"]
PASS: CheckStatus = "pass"
FAIL: CheckStatus = "fail"
WARNING: CheckStatus = "warning"


@dataclass(frozen=True, slots=True)
class Check:
    """One named check. ``status`` is ``"pass"``, ``"fail"`` or ``"warning"``; ``reason`` says why, in words."""

    name: str
    status: CheckStatus
    reason: str

    def __post_init__(self) -> None:
        if self.status not in ("pass", "fail", "warning"):
            raise ValueError(f"a check status must be pass, fail or warning, not {self.status!r}")

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "reason": self.reason}


def merge_checks(name: str, checks: Iterable[Check], *, passed: str) -> Check:
    """Fold several findings into one check: fail if any failed, else warning if any warned, else pass.

    The reason lists the failing findings (or the warnings); ``passed`` is the reason used when all passed.
    """
    items = list(checks)
    failures = [c.reason for c in items if c.status == FAIL]
    if failures:
        return Check(name, FAIL, "; ".join(failures))
    warnings = [c.reason for c in items if c.status == WARNING]
    passes = [c.reason for c in items if c.status == PASS]
    if warnings:
        lead = "; ".join(passes) + "; " if passes else ""
        return Check(name, WARNING, lead + "; ".join(warnings))
    return Check(name, PASS, "; ".join(passes) if passes else passed)
