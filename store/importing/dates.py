"""When an article was published, as the page says it: absolute dates and relative times.

Pages give `published` in two shapes. HTML metadata (through trafilatura) and JSONL
records give a date or a date and time ("2025-08-17", "2025-08-17T14:05:00+00:00").
Aggregator blocks give a time relative to the moment the page was captured
("22 minutes ago", "2 hours ago", "yesterday"). A relative time is resolved against
the page's own date when the page has one, to the precision that date allows (a page
dated to the day resolves "3 days ago" but not "2 hours ago", which may be the day
before); otherwise it is kept as the page wrote it, never completed with an invented
date. Months and years are kept as text: their length in days is not known.

`order_key` sorts any mix of these: absolute times in time order, then relative
texts among themselves (the older, "2 hours ago", before "22 minutes ago"), then
values that are neither, then nothing at all.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_RELATIVE = re.compile(
    r"^(?:(?P<now>just now)|(?P<yesterday>yesterday)|"
    r"(?P<count>an?|one|\d{1,3})\s+(?P<unit>second|minute|min|hour|hr|day|week|month|year)s?"
    r"\s+ago)$",
    re.IGNORECASE,
)
_SECONDS = {
    "second": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400,
    "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400,
}  # fmt: skip
_WHOLE_DAYS = {"day", "week"}  # units a page dated to the day can resolve
_EXACT = {"second", "minute", "min", "hour", "hr", "day", "week"}  # months and years are not


def relative_age(text: str) -> tuple[timedelta, str] | None:
    """How long ago a relative time says, and its unit; None when `text` is not one.

    Months count 30 days and years 365 for ordering only: they are never resolved.
    """
    found = _RELATIVE.match(" ".join(text.split()))
    if found is None:
        return None
    if found["now"]:
        return timedelta(0), "second"
    if found["yesterday"]:
        return timedelta(days=1), "day"
    count = found["count"].lower()
    number = 1 if count in ("a", "an", "one") else int(count)
    unit = found["unit"].lower()
    return timedelta(seconds=number * _SECONDS[unit]), unit


def parse_absolute(text: str) -> datetime | date | None:
    """An ISO 8601 date or date and time; None for anything else."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def resolve(published: str, page_date: str) -> str:
    """`published` made absolute against the page's date when it is a relative time the
    date can resolve; else `published` unchanged."""
    relative = relative_age(published)
    page = parse_absolute(page_date)
    if relative is None or page is None:
        return published.strip()
    age, unit = relative
    if unit not in _EXACT:
        return published.strip()
    if isinstance(page, datetime):
        return (page - age).isoformat(timespec="minutes")
    if unit in _WHOLE_DAYS:
        return (page - timedelta(days=age.days)).isoformat()
    return published.strip()


def order_key(published: str) -> tuple:
    """A sort key over any stored `published` values (see the module's docstring)."""
    absolute = parse_absolute(published)
    if absolute is not None:
        return (0, _as_utc(absolute).isoformat(), published)
    relative = relative_age(published)
    if relative is not None:
        return (1, -relative[0].total_seconds(), published)
    if published.strip():
        return (2, 0, published)
    return (3, 0, "")


def _as_utc(value: datetime | date) -> datetime:
    """A date is its day's first moment; a time without an offset is taken as UTC."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
