"""Where candidatures stand in their group: calls, places and the quotas per department, positions,
the waiting list moving up."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ...model.seats import free_seat, seats
from ...model.values import CallStatus, CallSummary, Candidature, Group, Profile, State, Status
from ..french import reasons
from .rules import department_label, eligible, evaluate


def closed_reason(group: Group, now: datetime) -> str:
    """Why the group's call takes no candidature at `now` (a message's arrival), or ""."""
    if group.call is CallStatus.DRAFT:
        return reasons.CALL_DRAFT
    if group.call is CallStatus.CLOSED:
        return reasons.CALL_CLOSED
    if group.closes_at is not None and now >= group.closes_at:
        return reasons.CALL_PAST
    if group.opened_at is not None and now < group.opened_at:
        return reasons.CALL_NOT_YET
    return ""


def call_summary(state: State, group: Group, now: datetime) -> CallSummary:
    """Places taken, waiting list and whether the call takes candidatures."""
    taken, waiting = state.counts(group.id)
    return CallSummary(group_id=group.id, capacity=group.capacity, taken=taken, waiting=waiting,
                       accepting=not closed_reason(group, now))


def calls(state: State, now: datetime) -> tuple[CallSummary, ...]:
    """Every group's call, in configuration order."""
    return tuple(call_summary(state, g, now) for g in state.groups.values())


def calls_open(state: State, now: datetime) -> tuple[CallSummary, ...]:
    """The calls that take candidatures now (listed in help and refusal replies)."""
    return tuple(c for c in calls(state, now) if c.accepting)


def calls_for(state: State, profile: Profile, now: datetime,
              besides: str | None = None) -> tuple[CallSummary, ...]:
    """The open calls this member can join as far as we know them (never `besides`, the group
    that just refused them): what replies offer as alternatives."""
    return tuple(c for c in calls_open(state, now)
                 if c.group_id != besides and eligible(state.groups[c.group_id], profile))


def place(state: State, cand: Candidature,
          holders: list[Candidature] | None = None) -> tuple[Status, str, tuple[str, ...]]:
    """Where a candidature goes now, the others standing as they are: the rules in order.

    `holders` are the candidatures that hold a place before it (default: all that hold one now).
    """
    group = state.groups[cand.group_id]
    # Staff checked an in-person candidature's profile themselves: only the hard rules apply.
    refusal, missing = ("", ()) if cand.in_person else evaluate(group, cand.profile)
    if refusal:
        return Status.REFUSED, refusal, ()
    if holders is None:
        holders = [c for c in state.of_group(group.id) if c.status.holds_place and c.id != cand.id]
    department = state.departments.get(cand.profile.department or "")
    if department is not None:
        quota = group.quota_for(department)
        same = sum(c.profile.department == department.code for c in holders)
        if quota is not None and same >= quota:
            label = department_label(state.departments, department.code)
            return Status.WAITLISTED, reasons.quota_reached(quota, label), missing
    if len(holders) >= group.capacity:
        return Status.WAITLISTED, reasons.GROUP_FULL, missing
    if missing:
        return Status.NEEDS_INFO, "", missing
    return Status.CONFIRMED, "", ()


def replay(state: State, group_id: str, now: datetime) -> tuple[State, list[Candidature],
                                                                list[Candidature]]:
    """Place the group's confirmed and waiting candidatures again, in arrival order.

    Used when a candidature slots in by its time (taken at a departmental meeting): who it
    displaces goes back to the waiting list. Held places (needs-info) and staff's forced places
    stay as they are. Returns the new state, who moved up and who moved down.
    """
    holders: list[Candidature] = []
    up: list[Candidature] = []
    down: list[Candidature] = []
    for cand in state.of_group(group_id):
        if cand.status in (Status.NEEDS_INFO, Status.TO_CONFIRM) or (
                cand.status is Status.CONFIRMED and cand.forced):
            holders.append(cand)
            continue
        if cand.status not in (Status.CONFIRMED, Status.WAITLISTED):
            continue
        status, reason, _missing = place(state, cand, holders)
        if status is Status.REFUSED:  # profile unchanged since it was placed: keep it as it is
            status, reason = cand.status, cand.reason
        if status is Status.NEEDS_INFO:
            status, reason = Status.CONFIRMED, ""  # it was complete when placed
        if status is Status.CONFIRMED:
            holders.append(cand)
        if status is not cand.status or reason != cand.reason:
            moved = replace(cand, status=status, reason=reason, updated_at=now)
            state = state.with_candidatures(moved)
            if status is not cand.status:
                (up if status is Status.CONFIRMED else down).append(moved)
    # Who came back in took a place before the one displaced gave theirs: within the capacity again.
    capacity = state.groups[group_id].capacity
    over = [c for c in state.of_group(group_id) if c.status.holds_place and (c.seat or 0) > capacity]
    if over:
        state = state.with_candidatures(*(replace(c, seat=None) for c in over))
        up = [state.candidature(c.id) or c for c in up]
    return state, up, down


def position(state: State, cand: Candidature) -> int:
    """Its place in the group while it holds one (it keeps it: see `Candidature.seat`), or its
    position on the waiting list, in arrival order (it moves up as places are freed)."""
    if cand.status.holds_place:
        if cand.seat is not None:
            return cand.seat
        return seats(state.of_group, cand.group_id).get(cand.id) or free_seat(state.of_group, cand.group_id)
    same = [c for c in state.of_group(cand.group_id) if c.status is cand.status]
    return next((i for i, c in enumerate(same, 1) if c.id == cand.id), len(same) + 1)


def promote(state: State, group_id: str, now: datetime) -> tuple[State, list[Candidature]]:
    """Give freed places to the waiting list, in arrival order, skipping who is not eligible now."""
    group = state.groups[group_id]
    if closed_reason(group, now) or now >= group.first_meeting.starts_at:
        return state, []
    promoted: list[Candidature] = []
    for cand in [c for c in state.of_group(group_id) if c.status is Status.WAITLISTED]:
        status, reason, missing = place(state, cand)
        if status is Status.WAITLISTED:
            if reason != cand.reason:
                state = state.with_candidatures(replace(cand, reason=reason, updated_at=now))
            continue
        if status is Status.CONFIRMED and awaiting_her(state, cand):
            status = Status.TO_CONFIRM  # made for her by a colleague: hers once she says yes
        moved = replace(cand, status=status, reason=reason, missing=missing, updated_at=now)
        state = state.with_candidatures(moved)
        promoted.append(state.candidature(moved.id) or moved)  # with the place it now holds
    return state, promoted


def held(state: State, cand: Candidature) -> bool:
    """Whether this candidature held a place before the change."""
    old = state.candidature(cand.id)
    return old is not None and old.status.holds_place


def active(state: State, email: str, group_id: str | None = None) -> list[Candidature]:
    return [c for c in state.of_email(email)
            if c.status.active and (group_id is None or c.group_id == group_id)]


def awaiting_her(state: State, cand: Candidature) -> bool:
    """Whether a candidature a colleague made for her still waits for her own yes (a code sent
    to her address and not yet used)."""
    return bool(cand.registered_by) and any(
        p.kind == "commit" and p.target == cand.id and p.used_at is None for p in state.pending)
