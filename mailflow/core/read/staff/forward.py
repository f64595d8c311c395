"""A message a staff member forwarded (« TR : »), read from the header lines its client quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from ..dates import find_datetime
from ..text import header_field, history_start


@dataclass(frozen=True)
class Forwarded:
    """A message a staff member forwarded (« TR : »), as its quoted headers tell it."""

    sender: str | None
    name: str | None
    sent_at: datetime | None
    subject: str
    text: str


_FROM_VALUE = re.compile(r"^\s*\"?(?P<name>[^\"<\[]*?)\"?\s*[<\[](?:mailto:)?(?P<addr>[^>\]\s]+)[>\]]|"
                         r"^\s*(?P<bare>[\w.+'-]+@[\w-]+(?:\.[\w-]+)+)")


def forwarded(text: str, now: datetime, tz: ZoneInfo) -> Forwarded | None:
    """The message under a « TR : », read from the header lines its client quoted above it
    (where a quoted history starts and what its header lines say: core.text)."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = history_start(lines)
    if start is None:
        return None
    values: dict[str, str] = {}
    body_from = len(lines)
    for index in range(start, len(lines)):
        field = header_field(lines[index])
        if field is not None:
            values.setdefault(*field)
        elif values and not lines[index].strip(" >"):
            body_from = index + 1  # the blank line after the headers: the message begins
            break
    if "from" not in values:
        return None
    sender_match = _FROM_VALUE.match(values["from"])
    sender = name = None
    if sender_match is not None:
        sender = (sender_match.group("addr") or sender_match.group("bare") or "").lower() or None
        name = (sender_match.group("name") or "").strip() or None
    sent_at = _forwarded_date(values.get("date", ""), now, tz)
    body = "\n".join(line.lstrip(">").strip() if line.startswith(">") else line
                     for line in lines[body_from:])
    return Forwarded(sender, name, sent_at, values.get("subject", ""), body.strip())


_SECONDS = re.compile(r"\b(\d{1,2}[:h]\d{2}):\d{2}\b")


def _forwarded_date(value: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """« mardi 3 mars 2026 10:02 » as Outlook writes it, or an RFC 5322 date (Thunderbird)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    # Apple Mail writes the seconds (« à 09:15:00 UTC+1 »); the minute is enough.
    found = find_datetime(_SECONDS.sub(r"\1", value), now, tz, past=True)
    return found.value if found is not None and isinstance(found.value, datetime) else None
