"""Staff actions on groups: each is computed first (for --dry-run), then applied in one commit."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .core.calendar import meeting_change_replies
from .core.decide import apply, withdraw
from .core.groups import with_overrides as apply_overrides
from .core.places import call_summary, calls_open, position, promote, replay
from .core.replies import promotion_replies
from .errors import MailflowError
from .model import CallStatus, Candidature, Group, Outcome, Profile, Reply, State, Status
from .service import Outgoing, Service

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
    messages: list[Outgoing] = field(default_factory=list)
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
    change.messages = [service.outgoing(r, now) for r in replies]
    return change


def apply_group_change(service: Service, change: GroupChange) -> None:
    """Record the change, queue its mail, and send it: one commit, then delivery."""
    if not change.override:
        return
    before = service.state()
    service.store.set_group_override(change.group_id, change.override)
    service.store.save_state(before, change.state)
    for item in change.messages:
        service.enqueue(item, f"staff:{change.group_id}")
    service.store.record_history({
        "at": service.clock().isoformat(), "actor": actor(), "action": "group-change",
        "group": change.group_id, "changes": change.override,
        "sent": [f"{m.outcome} → {', '.join(m.to)}" for m in change.messages],
    })
    service.check_filled(before, change.state)
    service.store.commit()
    log.info("group %s changed by %s: %s", change.group_id, actor(), change.override)
    service.deliver()


# --- staff acting on one candidature ----------------------------------------------------------


@dataclass
class CandidateChange:
    """What a staff action on a candidature does: the state after, and the mail it sends."""

    action: str
    summary: str
    before: State
    state: State
    replies: list[Reply]
    messages: list[Outgoing] = field(default_factory=list)


def _find(state: State, candidature_id: str) -> Candidature:
    wanted = candidature_id.strip().upper()
    found = next((c for c in state.candidatures if c.id.upper() == wanted), None)
    if found is None:
        raise StaffActionError(f"unknown candidature {candidature_id!r}; "
                               "see `mailflow candidates list GROUP`")
    return found


def plan_candidate_action(service: Service, action: str, candidature_id: str, reason: str,
                          now: datetime) -> CandidateChange:
    """Withdraw, refuse or promote one candidature: who is told what, without applying it."""
    state = service.state()
    cand = _find(state, candidature_id)
    if action in ("withdraw", "refuse") and not cand.status.active:
        raise StaffActionError(f"{cand.id} is {cand.status.value}: nothing to {action}")
    if action == "withdraw":
        decision = withdraw(state, cand, now, f"retrait par l’équipe : {reason}")
        after, replies = apply(state, decision), list(decision.replies)
    elif action == "refuse":
        refused = replace(cand, status=Status.REFUSED, reason=reason, updated_at=now)
        after = _replace_candidature(state, refused)
        promoted: list[Candidature] = []
        if cand.status.holds_place:
            after, promoted = promote(after, cand.group_id, now)
        replies = [Reply(outcome=Outcome.REFUSED, to=cand.email, to_name=cand.name,
                         template="refused", group_id=cand.group_id, candidature_id=cand.id,
                         reason=reason, in_reply_to=cand.message_id, subject=cand.subject,
                         calls=calls_open(after, now)),
                   *promotion_replies(after, promoted, now)]
    elif action == "promote":
        if cand.status is not Status.WAITLISTED:
            raise StaffActionError(f"{cand.id} is {cand.status.value}: only the waiting list is promoted")
        moved = replace(cand, status=Status.CONFIRMED, reason="", forced=True, updated_at=now)
        after = _replace_candidature(state, moved)
        replies = list(promotion_replies(after, [moved], now))
    else:
        raise StaffActionError(f"unknown action {action!r}")
    return _finish(service, action, f"{action} {cand.id} ({cand.email}, {cand.group_id})", state,
                   after, replies, now)


def plan_add(service: Service, group_id: str, *, email: str, name: str, department: str,
             structure: str | None, role: str | None, received_at: datetime,
             now: datetime) -> CandidateChange:
    """A candidature taken in person: placed in the queue by its time, displacing later ones."""
    state = service.state()
    if group_id not in state.groups:
        raise StaffActionError(f"unknown group {group_id!r}; known groups: {', '.join(state.groups)}")
    if department not in state.departments:
        raise StaffActionError(f"unknown department {department!r}; use a code such as "
                               f"{', '.join(sorted(state.departments)[:4])}…")
    address = email.strip().lower()
    if "@" not in address or any(c.isspace() for c in address) or not address.isascii():
        raise StaffActionError(f"not an email address: {email!r}")
    if received_at > now:
        raise StaffActionError(f"--received-at is in the future: {received_at.isoformat()}")
    if any(c.email == address and c.group_id == group_id and c.status.active
           for c in state.candidatures):
        raise StaffActionError(f"{address} already has a candidature in {group_id}")
    group = state.groups[group_id]
    profile = Profile(name=name, structure=structure, role_text=role, department=department)
    cand = Candidature(
        id=f"C{state.next_seq:04d}", group_id=group_id, email=address, name=name, profile=profile,
        status=Status.WAITLISTED, seq=state.next_seq, received_at=received_at,
        message_key="staff", subject=f"Candidature – groupe « {group.title} »", in_person=True,
    )
    before = state
    state = replace(state, candidatures=(*state.candidatures, cand), next_seq=state.next_seq + 1)
    after, up, down = replay(state, group_id, now)
    placed = next(c for c in after.candidatures if c.id == cand.id)
    if placed.status is Status.WAITLISTED and placed not in down:
        down = [placed, *down]
    up = [c for c in up if c.id != cand.id]
    first = Reply(outcome=Outcome(placed.status.value), to=address, to_name=name,
                  template="confirmed" if placed.status is Status.CONFIRMED else "waitlisted",
                  group_id=group_id, candidature_id=placed.id,
                  position=position(after, placed), reason=placed.reason,
                  subject=placed.subject,
                  calendar_sequence=group.first_meeting.sequence)
    # Who held a confirmed place had an invitation: the waiting-list reply cancels it.
    displaced = [Reply(outcome=Outcome.WAITLISTED, to=c.email, to_name=c.name,
                       template="waitlisted", group_id=group_id, candidature_id=c.id,
                       position=position(after, c),
                       reason="une candidature reçue avant la vôtre, lors d’une réunion "
                              "départementale, a pris la dernière place",
                       in_reply_to=c.message_id, subject=c.subject, cancels_invitation=True,
                       calendar_sequence=group.first_meeting.sequence)
                 for c in down if c.id != cand.id]
    replies = [first, *displaced, *promotion_replies(after, up, now)]
    return _finish(service, "add", f"add {placed.id} ({address}, {group_id}): {placed.status.value}",
                   before, after, replies, now)


def _replace_candidature(state: State, cand: Candidature) -> State:
    return replace(state, candidatures=tuple(cand if c.id == cand.id else c
                                             for c in state.candidatures))


def _finish(service: Service, action: str, summary: str, before: State, after: State,
            replies: list[Reply], now: datetime) -> CandidateChange:
    change = CandidateChange(action, summary, before, after, replies)
    change.messages = [service.outgoing(r, now) for r in replies]
    return change


def apply_candidate_change(service: Service, change: CandidateChange, reason: str) -> None:
    """Record the change, queue its mail, write the history, commit once, then send."""
    service.store.save_state(change.before, change.state)
    if change.action != "promote":  # staff's own promotion needs no alert to staff
        service.tell_staff_of_promotions(change.state, change.replies)
    for item in change.messages:
        service.enqueue(item, f"staff:{change.action}")
    service.store.record_history({
        "at": service.clock().isoformat(), "actor": actor(), "action": f"candidate-{change.action}",
        "summary": change.summary, "reason": reason,
        "sent": [f"{m.outcome} → {', '.join(m.to)}" for m in change.messages],
    })
    service.check_filled(change.before, change.state)
    service.store.commit()
    log.info("%s by %s: %s", change.action, actor(), change.summary)
    service.deliver()
