"""Exports of a wallet credential: the LinkedIn add-to-profile link and a PDF certificate with a QR code.

- LinkedIn: the documented "Add to profile" URL (https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME
  with ``name``, ``organizationName``, ``issueYear``, ``issueMonth``, ``certUrl``, ``certId``; optional
  ``expirationYear``/``expirationMonth``). Nothing is sent anywhere: it is a link the learner follows.
- PDF: one A4 landscape page (fpdf2, core fonts, no network) naming the achievement, the holder, the issuer and the
  date, with a QR code (segno) that opens the verification page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

__all__ = ["CertificateFacts", "certificate_facts", "certificate_pdf", "linkedin_url", "verification_url"]

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class CertificateFacts:
    title: str
    issuer: str
    holder: str
    issued: datetime | None
    expires: datetime | None
    credential_id: str
    verify_url: str | None
    description: str | None = None


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("en", "en-US", "@value"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def verification_url(base_url: str, document_id: str | None, *, issued_here: bool) -> str | None:
    """Where the QR code and LinkedIn's ``certUrl`` point: this server's verification page for a credential issued
    here; the credential's own ``id`` when it is a web address; None otherwise."""
    if document_id and issued_here:
        return f"{base_url.rstrip('/')}/verify?{urlencode({'credential': document_id})}"
    if document_id and document_id.startswith("https://"):
        return document_id
    return None


def certificate_facts(
    credential: dict[str, Any], *, title: str, issuer_name: str | None, holder: str, verify_url: str | None
) -> CertificateFacts:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    description = _text(achievement.get("description")) if isinstance(achievement, dict) else None
    issued = (
        _date(credential.get("awardedDate"))
        or _date(credential.get("validFrom"))
        or _date(credential.get("issuanceDate"))
        or _date(credential.get("issuedOn"))
    )
    return CertificateFacts(
        title=title,
        issuer=issuer_name or "an issuer",
        holder=holder,
        issued=issued,
        expires=_date(credential.get("validUntil")) or _date(credential.get("expires")),
        credential_id=str(credential.get("id") or ""),
        verify_url=verify_url,
        description=description,
    )


def linkedin_url(facts: CertificateFacts) -> str:
    """LinkedIn's add-to-profile link for a certification."""
    params: dict[str, str] = {"startTask": "CERTIFICATION_NAME", "name": facts.title, "organizationName": facts.issuer}
    if facts.issued is not None:
        params["issueYear"] = str(facts.issued.year)
        params["issueMonth"] = str(facts.issued.month)
    if facts.expires is not None:
        params["expirationYear"] = str(facts.expires.year)
        params["expirationMonth"] = str(facts.expires.month)
    if facts.verify_url:
        params["certUrl"] = facts.verify_url
    if facts.credential_id:
        params["certId"] = facts.credential_id
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def _latin1(text: str) -> str:
    """fpdf2's core fonts are Latin-1: keep what fits, replace the rest with '?'."""
    return (
        text.replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("\u2019", "'")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def certificate_pdf(facts: CertificateFacts) -> bytes:
    """A one-page PDF certificate with a QR code to the verification page (when there is one)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin1(facts.title))
    pdf.set_creator("credstack")
    pdf.add_page()
    pdf.set_draw_color(47, 75, 216)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "", 14)
    pdf.set_y(28)
    pdf.cell(0, 10, "Certificate", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 28)
    pdf.multi_cell(0, 13, _latin1(facts.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.ln(4)
    pdf.cell(0, 9, "awarded to", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 11, _latin1(facts.holder), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    issued = f" on {facts.issued:%d %B %Y}" if facts.issued else ""
    pdf.cell(0, 9, _latin1(f"by {facts.issuer}{issued}"), align="C", new_x="LMARGIN", new_y="NEXT")
    if facts.description:
        pdf.set_font("Helvetica", "I", 11)
        pdf.set_x(40)
        pdf.multi_cell(217, 6, _latin1(facts.description[:400]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(20, 182)
    pdf.multi_cell(190, 4, _latin1(f"Credential {facts.credential_id}"), new_x="LMARGIN", new_y="NEXT")
    if facts.verify_url:
        import segno

        buffer = io.BytesIO()
        segno.make(facts.verify_url, error="m").save(buffer, kind="png", scale=6, border=2)
        buffer.seek(0)
        pdf.image(buffer, x=237, y=140, w=40, h=40)
        pdf.set_font("Helvetica", "", 8)
        pdf.set_xy(222, 181)
        pdf.cell(70, 4, "Scan to verify", align="C")
    return bytes(pdf.output())
