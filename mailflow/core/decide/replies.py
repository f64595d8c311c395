"""Replies to members before rendering: the letter for each outcome, an answer in a message's
thread, what a member is told of a candidature (a place, a reason, what is missing and until when
the place is held, the open calls), promotions, an updated meeting."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ...model.values import Candidature, Group, Intent, Occasion, Outcome, Reply, State, Status, Template
from ..french.reasons import beyond_quota
from .places import calls_for, position
from .rules import department_label, unclear

TEMPLATES = {
    Outcome.STATUS: Template.STATUS,
    Outcome.TO_CONFIRM: Template.CONFIRM_COMMITMENT,
    Outcome.CONFIRM_WITHDRAWAL: Template.CONFIRM_WITHDRAWAL,
    Outcome.CONFIRMED: Template.CONFIRMED,
    Outcome.WAITLISTED: Template.WAITLISTED,
    Outcome.REFUSED: Template.REFUSED,
    Outcome.NEEDS_INFO: Template.NEEDS_INFO,
    Outcome.DUPLICATE: Template.DUPLICATE,
    Outcome.CLOSED: Template.CLOSED,
    Outcome.IDEA_RECEIVED: Template.IDEA_RECEIVED,
    Outcome.WITHDRAWN: Template.WITHDRAWN,
    Outcome.HELP: Template.HELP,
    Outcome.QUESTION_FORWARDED: Template.QUESTION_RECEIVED,
    Outcome.HOLD_EXPIRED: Template.HOLD_EXPIRED,
    Outcome.COLLEAGUE_REGISTERED: Template.COLLEAGUE_REGISTERED,
}
STATUS_OUTCOME = {
    Status.TO_CONFIRM: Outcome.TO_CONFIRM,
    Status.CONFIRMED: Outcome.CONFIRMED,
    Status.WAITLISTED: Outcome.WAITLISTED,
    Status.REFUSED: Outcome.REFUSED,
    Status.NEEDS_INFO: Outcome.NEEDS_INFO,
    Status.WITHDRAWN: Outcome.WITHDRAWN,
    Status.EXPIRED: Outcome.HOLD_EXPIRED,
}


def answer(state: State, intent: Intent, outcome: Outcome, now: datetime, **fields: Any) -> Reply:
    """A reply to the message behind `intent`, in its thread; the open calls it offers are those
    the member can join as far as the message tells (never the reply's own group)."""
    message = intent.message
    besides = fields.get("group_id")
    base = Reply(
        outcome=outcome,
        to=intent.sender,
        to_name=intent.name,
        template=TEMPLATES[outcome],
        in_reply_to=message.message_id,
        references=message.references,
        subject=message.subject,
        calls=calls_for(state, intent.profile, now, besides),
        profile=intent.profile,
    )
    return replace(base, **fields)


def held_until(state: State, cand: Candidature) -> datetime:
    """Until when a place held for an answer (needs-info) stays held."""
    return (cand.updated_at or cand.received_at) + timedelta(days=state.answer_days)


def candidature_reply(state: State, cand: Candidature, now: datetime, *, to: Intent | None,
                      promoted: bool = False, **fields: Any) -> Reply:
    """What a member is told of their candidature as it stands now (answering `to`, or in the
    thread of their first message): place n of N, waiting list position p, what is missing and
    until when the place is held, why not; and the open calls they could join instead.

    `fields` set what the occasion says otherwise (a cancelled invitation, the reason given).
    """
    outcome = STATUS_OUTCOME[cand.status]
    template = Template.PROMOTED if promoted and cand.status is Status.CONFIRMED else TEMPLATES[outcome]
    if cand.registered_by and cand.status is Status.TO_CONFIRM:  # made for her: she says yes herself
        template = Template.CONFIRM_REGISTRATION
        fields = {"standing": cand.status, "colleague": cand.registered_by, **fields}
    asking = cand.status is Status.NEEDS_INFO
    group = state.groups.get(cand.group_id)
    reply = Reply(
        outcome=outcome,
        to=cand.email,
        to_name=cand.name,
        template=template,
        group_id=cand.group_id,
        candidature_id=cand.id,
        position=position(state, cand) if cand.status in (Status.CONFIRMED, Status.WAITLISTED)
        else None,
        reason=cand.reason,
        missing=cand.missing if asking else (),
        in_reply_to=to.message.message_id if to else cand.message_id,
        references=to.message.references if to else (),
        # A letter in the thread of their own message; none when the team registered them.
        subject=to.message.subject if to else cand.subject if cand.message_id else "",
        calls=calls_for(state, cand.profile, now, besides=cand.group_id),
        expires_at=held_until(state, cand) if asking else None,
        unclear=unclear(group, cand.profile) if asking and group is not None else (),
        profile=cand.profile,
        calendar_sequence=group.first_meeting.sequence if group is not None else 0,
    )
    return replace(reply, **fields) if fields else reply


def promotion_replies(state: State, promoted: list[Candidature], now: datetime,
                      occasion: Occasion = Occasion.ANSWER) -> tuple[Reply, ...]:
    """The replies telling each promoted member their new place (or what is still missing): a
    place freed, or one of the places the team added (`Occasion.PLACES_ADDED`)."""
    return tuple(candidature_reply(state, c, now, to=None, promoted=True, occasion=occasion)
                 for c in promoted)


def team_place_reply(state: State, cand: Candidature, now: datetime) -> Reply:
    """The letter of a place the team gave from the waiting list: given by the team (beyond the
    department's quota, when it is), not freed."""
    reason = ""
    department = state.departments.get(cand.profile.department or "")
    group = state.groups[cand.group_id]
    quota = group.quota_for(department) if department is not None else None
    if department is not None and quota is not None:
        same = sum(c.profile.department == department.code for c in state.of_group(group.id)
                   if c.status.holds_place)
        if same > quota:
            reason = beyond_quota(quota, department_label(state.departments, department.code))
    return candidature_reply(state, cand, now, to=None, promoted=True, occasion=Occasion.TEAM_PLACE,
                             reason=reason)


def describe_place(state: State, cand: Candidature) -> str:
    if cand.status is Status.CONFIRMED:
        capacity = state.groups[cand.group_id].capacity
        return f"votre place est confirmée (place {position(state, cand)} sur {capacity})"
    if cand.status is Status.WAITLISTED:
        return f"vous êtes sur la liste d’attente, en position {position(state, cand)}"
    if cand.status is Status.TO_CONFIRM:
        return "une place vous est réservée en attendant la confirmation de votre engagement"
    if cand.status is Status.REFUSED:
        return "votre candidature n’a pas été retenue" + (f" : {cand.reason}" if cand.reason else "")
    if cand.status is Status.WITHDRAWN:
        return "votre candidature a été retirée"
    if cand.status is Status.EXPIRED:
        return ("faute de réponse dans le délai, votre place a été proposée à la personne "
                "suivante ; vous pouvez candidater de nouveau si l’appel est ouvert")
    return "votre candidature attend les informations demandées"


def meeting_change_replies(state: State, group: Group, sequence: int, now: datetime) -> tuple[Reply, ...]:
    """One `meeting_changed` reply per confirmed member of `group`, carrying the updated meeting.

    `group` is the group as it is now (new date or place); `sequence` is the next SEQUENCE of
    its invitations, higher than any sent so far (staff then record it as
    `group.first_meeting.sequence`). A meeting moved into the past is a mistake: ValueError.
    """
    if sequence < 1:
        raise ValueError(f"an update needs a SEQUENCE above the first invitation's 0, found {sequence}")
    if now >= group.first_meeting.starts_at:
        raise ValueError(f"{group.id}: the new first meeting is not in the future")
    return tuple(
        Reply(
            outcome=Outcome.MEETING_CHANGED,
            to=cand.email,
            to_name=cand.name,
            template=Template.MEETING_CHANGED,
            group_id=group.id,
            candidature_id=cand.id,
            in_reply_to=cand.message_id,
            calendar_sequence=sequence,
        )
        for cand in state.of_group(group.id)
        if cand.status is Status.CONFIRMED
    )
