"""Staff actions on groups: each is computed first (for --dry-run), then applied in one commit."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from .core.calendar import meeting_change_replies
from .core.decide import call_summary, promote, promotion_replies
from .errors import MailflowError
from .model import CallStatus, Group, Reply, State
from .service import Service
from .store import apply_overrides

log = logging.getLogger("mailflow.staff")


class StaffActionError(MailflowError):
    """A staff command that cannot be carried out as asked; says why."""


@dataclass
class GroupChange:
    """What a change to a group does: the new group, the state after, and the mail it sends."""

    group_id: str
    before: Group
    after: Group
    override: dict[str, Any]
    state: State
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def actor() -> str:
    """Who is acting, for the history: the login behind sudo when there is one."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def plan_group_change(service: Service, group_id: str, *, call: CallStatus | None = None,
                      capacity: int | None = None, starts_at: datetime | None = None,
                      place: str | None = None, closes_at: datetime | str | None = "keep",
                      now: datetime) -> GroupChange:
    """Work out a change without applying it: what changes, who is promoted, who is told."""
    state = service.state()
    if group_id not in state.groups:
        raise StaffActionError(f"unknown group {group_id!r}; known groups: {', '.join(state.groups)}")
    before = state.groups[group_id]
    override: dict[str, Any] = {}
    notes: list[str] = []
    if call is not None and call is not before.call:
        override["call"] = call.value
    if capacity is not None and capacity != before.capacity:
        if capacity < 1:
            raise StaffActionError(f"capacity must be at least 1, found {capacity}")
        taken = call_summary(state, before, now).taken
        if capacity < taken:
            notes.append(f"{taken} places are already taken: nobody loses theirs; "
                         f"new candidates wait until fewer than {capacity} hold a place")
        override["capacity"] = capacity
    if closes_at != "keep":
        assert closes_at is None or isinstance(closes_at, datetime)
        override["closes_at"] = closes_at.isoformat() if closes_at else None
    moved = (starts_at is not None and starts_at != before.first_meeting.starts_at) or (
        place is not None and place != before.first_meeting.place)
    if moved:
        if starts_at is not None and starts_at <= now:
            raise StaffActionError(f"the first meeting must be in the future, found {starts_at}")
        override["meeting_starts_at"] = (starts_at or before.first_meeting.starts_at).isoformat()
        override["meeting_place"] = place or before.first_meeting.place
        override["meeting_sequence"] = before.first_meeting.sequence + 1
    groups = apply_overrides(dict(state.groups), {group_id: override})
    after = groups[group_id]
    new_state = replace(state, groups=groups)
    replies: list[Reply] = []
    if moved:
        replies += meeting_change_replies(new_state, after, after.first_meeting.sequence, now)
    new_state, promoted = promote(new_state, group_id, now)
    replies += promotion_replies(new_state, promoted, now)
    change = GroupChange(group_id, before, after, override, new_state, notes=notes)
    service.renderer.use_groups(new_state.groups)  # the mail tells the group as it will be
    change.messages = [(r.outcome.value, [r.to], service.renderer.render(r, now)) for r in replies]
    return change


def apply_group_change(service: Service, change: GroupChange) -> None:
    """Record the change, queue its mail, and send it: one commit, then delivery."""
    if not change.override:
        return
    before = service.state()
    service.store.set_group_override(change.group_id, change.override)
    service.store.save_state(before, change.state)
    for outcome, to, message in change.messages:
        service.enqueue(outcome, to, message, f"staff:{change.group_id}")
    service.store.record_history({
        "at": service.clock().isoformat(), "actor": actor(), "action": "group-change",
        "group": change.group_id, "changes": change.override,
        "sent": [f"{o} → {', '.join(t)}" for o, t, _ in change.messages],
    })
    service.check_filled(before, change.state)
    service.store.commit()
    log.info("group %s changed by %s: %s", change.group_id, actor(), change.override)
    service.deliver()
