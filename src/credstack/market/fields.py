"""From a source row (a CSV record or a JSON object) to a :class:`~credstack.market.records.Posting`. Pure.

Rows are matched to the posting fields by column name. The generic mapping accepts these names (compared
case-insensitively, with spaces, dashes and dots read as ``_``):

========================  ===========================================================================================
field                     accepted column names, first present wins
========================  ===========================================================================================
``title`` (required)      title, job_title, position_title, positiontitle, business_title, jobtitle, position, name
``text``                  text, description, job_description, body, summary, content, posting_text,
                          assessment_text (several present: joined, in this order)
``date`` (required)       date, posted_at, posting_date, date_posted, posted, open_date, positionopendate,
                          publication_date, created_at, created
``location``              location, locations, work_location, city, region, positionlocations, positionlocationdisplay
``employer``              employer, company, organization, organisation, hiringagencyname, agency, department,
                          hiring_organization
``source_id``             source_id, id, job_id, posting_id, control_number, usajobscontrolnumber,
                          announcement_number
``occupation_series``     occupation_series, occupational_series_codes, series, jobcategories (USAJOBS OPM series)
========================  ===========================================================================================

Named mappings cover sources whose columns need more than a rename (see :data:`MAPPINGS`): ``usajobs-summaries``
(USAJOBS search results as collected for AI/cyber jobs), ``usajobs-questionnaires`` (USAJOBS applicant assessment
questionnaires), ``usajobs-announcements`` (the public-domain USAJOBS announcement metadata: series and dates, no
text; also the Historic JOA API's camelCase fields) and ``nyc-jobs`` (NYC Open Data ``kpav-sd4t``: text from Job
Description, Minimum Qual Requirements and Preferred Skills). :func:`detect_mapping` picks one from a first row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from credstack.market.records import Posting

__all__ = [
    "ALIASES",
    "MAPPINGS",
    "RowError",
    "detect_mapping",
    "map_row",
    "parse_date",
]

MAX_TITLE = 300
MAX_TEXT = 100_000


class RowError(ValueError):
    """A row that cannot become a posting; the message is the reason written to the rejects file."""


ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "title", "job_title", "position_title", "positiontitle", "business_title", "jobtitle", "position", "name",
    ),
    "text": (
        "text", "description", "job_description", "body", "summary", "content", "posting_text", "assessment_text",
    ),
    "date": (
        "date", "posted_at", "posting_date", "date_posted", "posted", "open_date", "positionopendate",
        "publication_date", "created_at", "created",
    ),
    "location": (
        "location", "locations", "work_location", "city", "region", "positionlocations", "positionlocationdisplay",
    ),
    "employer": (
        "employer", "company", "organization", "organisation", "hiringagencyname", "agency", "department",
        "hiring_organization",
    ),
    "source_id": (
        "source_id", "id", "job_id", "posting_id", "control_number", "usajobscontrolnumber", "announcement_number",
    ),
    "occupation_series": ("occupation_series", "occupational_series_codes", "series", "jobcategories"),
}  # fmt: skip

_KEY = re.compile(r"[^0-9a-z]+")
_SERIES = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[T ].*)?$")
_SLASH_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ].*)?$")


def _key(name: str) -> str:
    return _KEY.sub("_", name.strip().casefold()).strip("_")


def parse_date(value: Any) -> str:
    """An ISO date ``YYYY-MM-DD`` from ``2025-08-07``, ``2025-08-07T00:00:00``, ``2025-08`` (the 1st), ``08/07/2025``
    (US order) or ``2025/08/07``; :class:`RowError` otherwise or outside 1990..2100."""
    text = _text(value).strip()
    if not text:
        raise RowError("missing date")
    for pattern, order in ((_ISO, "ymd"), (_SLASH_ISO, "ymd"), (_US, "mdy")):
        found = pattern.match(text)
        if found is None:
            continue
        parts = found.groups()
        year, month, day = (parts[0], parts[1], parts[2]) if order == "ymd" else (parts[2], parts[0], parts[1])
        try:
            value_date = date(int(year), int(month), int(day or 1))
        except ValueError as exc:
            raise RowError(f"impossible date {text[:40]!r}") from exc
        if not 1990 <= value_date.year <= 2100:
            raise RowError(f"date {text[:40]!r} outside 1990..2100")
        return value_date.isoformat()
    raise RowError(f"unreadable date {text[:40]!r} (use YYYY-MM-DD)")


def _text(value: Any) -> str:
    """A cell as text: strings as they are, lists joined with '; ', numbers printed, None empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, list | tuple):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        if "positionLocationCity" in value or "positionLocationState" in value:
            return ", ".join(
                _text(value.get(k)) for k in ("positionLocationCity", "positionLocationState") if value.get(k)
            )
        return "; ".join(t for t in (_text(v) for v in value.values()) if t)
    raise RowError(f"unexpected value of type {type(value).__name__}")


def _series(value: Any) -> tuple[tuple[str, ...], str]:
    """OPM occupational series codes (``"2210"``) and the first one's name, from ``["1102: CONTRACT SPECIALIST"]``,
    ``["GS-2210"]``, ``[{"series": "2210"}]`` or ``"2210"``."""
    items = value if isinstance(value, list | tuple) else [value]
    codes: dict[str, None] = {}
    label = ""
    for item in items:
        raw = _text(item.get("series") if isinstance(item, dict) else item)
        found = _SERIES.search(raw)
        if found:
            codes.setdefault(found.group(1), None)
            if not label and ":" in raw:
                label = raw.split(":", 1)[1].strip().title()
    return tuple(codes), label


def _pick(row: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in row and row[name] not in (None, ""):
            return row[name]
    return None


def _build(
    row: Mapping[str, Any], source: str, line: int, *, title: Any, text: str, when: Any, location: Any,
    employer: Any, source_id: Any, series: Any,
) -> Posting:  # fmt: skip
    title_text = " ".join(_text(title).split())
    if not title_text:
        raise RowError("missing title")
    if len(title_text) > MAX_TITLE:
        raise RowError(f"title longer than {MAX_TITLE} characters")
    if len(text) > MAX_TEXT:
        raise RowError(f"text longer than {MAX_TEXT} characters")
    codes, label = _series(series) if series not in (None, "") else ((), "")
    return Posting(
        source=source,
        source_id=_text(source_id).strip()[:200],
        title=title_text,
        text=text.strip(),
        date=parse_date(when),
        location=" ".join(_text(location).split())[:300],
        employer=" ".join(_text(employer).split())[:300],
        occupation_series=codes,
        series_label=label,
        line=line,
    )


def _generic(row: Mapping[str, Any], source: str, line: int) -> Posting:
    keyed = {_key(k): v for k, v in row.items() if isinstance(k, str)}
    texts = [_text(keyed[n]) for n in ALIASES["text"] if keyed.get(n) not in (None, "")]
    return _build(
        row,
        source,
        line,
        title=_pick(keyed, ALIASES["title"]),
        text="\n".join(t for t in texts if t.strip()),
        when=_pick(keyed, ALIASES["date"]),
        location=_pick(keyed, ALIASES["location"]),
        employer=_pick(keyed, ALIASES["employer"]),
        source_id=_pick(keyed, ALIASES["source_id"]),
        series=_pick(keyed, ALIASES["occupation_series"]),
    )


def _usajobs_summaries(row: Mapping[str, Any], source: str, line: int) -> Posting:
    return _build(
        row, source, line, title=row.get("title"), text=_text(row.get("description")), when=row.get("posted_at"),
        location=row.get("locations"), employer=row.get("organization"), source_id=row.get("job_id"), series=None,
    )  # fmt: skip


#: Where the USA Staffing site footer (privacy notice, session warnings) starts in a questionnaire's text.
_FOOTER = "\nPrivacy & Cookies"


def _usajobs_questionnaires(row: Mapping[str, Any], source: str, line: int) -> Posting:
    text = _text(row.get("assessment_text")).split(_FOOTER, 1)[0]
    return _build(
        row, source, line, title=row.get("title"), text=text, when=row.get("open_date"),
        location=None, employer=row.get("agency"), source_id=row.get("id") or row.get("announcement_number"),
        series=row.get("occupational_series_mentioned"),
    )  # fmt: skip


def _usajobs_announcements(row: Mapping[str, Any], source: str, line: int) -> Posting:
    series = row.get("occupation_series") or row.get("occupational_series_codes") or row.get("JobCategories")
    series = series if series is not None else row.get("jobCategories")
    return _build(
        row,
        source,
        line,
        title=row.get("position_title") or row.get("positionTitle"),
        text="",
        when=row.get("open_date") or row.get("positionOpenDate"),
        location=row.get("positionLocations") or row.get("location"),
        employer=row.get("agency") or row.get("hiringAgencyName") or row.get("department"),
        source_id=row.get("control_number") or row.get("usajobsControlNumber"),
        series=series,
    )


_NYC_TEXT = ("Job Description", "Minimum Qual Requirements", "Preferred Skills")


def _nyc_jobs(row: Mapping[str, Any], source: str, line: int) -> Posting:
    text = "\n".join(_text(row.get(c)).strip() for c in _NYC_TEXT if _text(row.get(c)).strip())
    return _build(
        row, source, line, title=row.get("Business Title") or row.get("Civil Service Title"), text=text,
        when=row.get("Posting Date"), location="New York, NY", employer=row.get("Agency"), source_id=row.get("Job ID"),
        series=None,
    )  # fmt: skip


Mapper = Callable[[Mapping[str, Any], str, int], Posting]

#: Named field mappings (``--format``'s companion ``--mapping``); ``generic`` uses :data:`ALIASES`.
MAPPINGS: dict[str, Mapper] = {
    "generic": _generic,
    "usajobs-summaries": _usajobs_summaries,
    "usajobs-questionnaires": _usajobs_questionnaires,
    "usajobs-announcements": _usajobs_announcements,
    "nyc-jobs": _nyc_jobs,
}

_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("usajobs-questionnaires", frozenset({"assessment_text", "announcement_number"})),
    ("usajobs-announcements", frozenset({"control_number", "position_title", "occupation_series"})),
    ("usajobs-announcements", frozenset({"usajobsControlNumber", "positionTitle"})),
    ("usajobs-summaries", frozenset({"job_id", "posted_at", "organization", "description"})),
    ("nyc-jobs", frozenset({"Job ID", "Business Title", "Job Description", "Posting Date"})),
)


def detect_mapping(first: Mapping[str, Any] | None) -> str:
    """The named mapping whose distinctive columns ``first`` (a header or first object) has; else ``generic``."""
    if not first:
        return "generic"
    keys = set(first)
    for name, needed in _SIGNATURES:
        if needed <= keys:
            return name
    return "generic"


def map_row(row: Any, mapping: str, source: str, line: int) -> Posting:
    """``row`` as a posting, or :class:`RowError` saying why not."""
    if not isinstance(row, dict):
        raise RowError(f"a row must be an object, not {type(row).__name__}")
    try:
        mapper = MAPPINGS[mapping]
    except KeyError:
        raise RowError(f"unknown mapping {mapping!r}") from None
    return mapper(row, source, line)
