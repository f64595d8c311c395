"""The groups as staff changed them: their overrides (call, capacity, meeting) over the files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..model import CallStatus, Group, Meeting


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def with_overrides(groups: Mapping[str, Group],
                   overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Group]:
    """The groups as staff changed them: the store's values win over the configuration's."""
    result: dict[str, Group] = {}
    for group_id, group in groups.items():
        o = overrides.get(group_id, {})
        meeting = group.first_meeting
        if "meeting_starts_at" in o or "meeting_place" in o or "meeting_sequence" in o:
            starts = _when(o.get("meeting_starts_at")) or meeting.starts_at
            meeting = Meeting(starts, o.get("meeting_place") or meeting.place,
                              int(o.get("meeting_sequence", meeting.sequence)))
        closes_at = _when(o["closes_at"]) if "closes_at" in o else group.closes_at
        result[group_id] = replace(
            group,
            call=CallStatus(o["call"]) if "call" in o else group.call,
            capacity=int(o.get("capacity", group.capacity)),
            closes_at=closes_at,
            first_meeting=meeting,
        )
    return result
