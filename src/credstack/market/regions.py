"""Regions from free-text locations: US states (and DC) as postal codes, anything else as its last part. Pure.

``"Billings, Montana"`` -> ``"MT"``; ``"Washington, District of Columbia"`` -> ``"DC"``; ``"New York, NY"`` ->
``"NY"``; ``"Lyon, France"`` -> ``"France"``; empty or ``"Anywhere in the U.S. (remote job)"`` -> ``""`` or
``"remote"``. Several locations (a posting open in many places) give the first one's region.
"""

from __future__ import annotations

import re

__all__ = ["STATES", "region_code"]

STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
}  # fmt: skip
_CODES = set(STATES.values())
_SPACE = re.compile(r"\s+")


def region_code(location: str) -> str:
    """The region of a location string (see the module docstring); ``""`` when there is nothing to go on."""
    text = _SPACE.sub(" ", (location or "").replace(";", "|")).strip()
    if not text:
        return ""
    first = text.split("|")[0].strip()
    lowered = first.lower()
    if "remote" in lowered or "anywhere" in lowered or "telework" in lowered:
        return "remote"
    parts = [p.strip() for p in first.split(",") if p.strip()]
    for part in reversed(parts):
        if part.upper().rstrip(".") in _CODES and len(part.rstrip(".")) == 2:
            return part.upper().rstrip(".")
        name = part.lower().rstrip(".")
        if name in STATES:
            return STATES[name]
    return (parts[-1] if parts else first)[:60]
