"""The one builder of member replies about candidatures: what a reply says, before rendering."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from ..model import Candidature, Intent, Outcome, Reply, State, Status
from .places import calls_open, position

TEMPLATES = {
    Outcome.STATUS: "status",
    Outcome.TO_CONFIRM: "confirm_commitment",
    Outcome.CONFIRM_WITHDRAWAL: "confirm_withdrawal",
    Outcome.CONFIRMED: "confirmed",
    Outcome.WAITLISTED: "waitlisted",
    Outcome.REFUSED: "refused",
    Outcome.NEEDS_INFO: "needs_info",
    Outcome.DUPLICATE: "duplicate",
    Outcome.CLOSED: "closed",
    Outcome.IDEA_RECEIVED: "idea_received",
    Outcome.WITHDRAWN: "withdrawn",
    Outcome.HELP: "help",
}
STATUS_OUTCOME = {
    Status.TO_CONFIRM: Outcome.TO_CONFIRM,
    Status.CONFIRMED: Outcome.CONFIRMED,
    Status.WAITLISTED: Outcome.WAITLISTED,
    Status.REFUSED: Outcome.REFUSED,
    Status.NEEDS_INFO: Outcome.NEEDS_INFO,
}


def answer(state: State, intent: Intent, outcome: Outcome, now: datetime, **fields: Any) -> Reply:
    message = intent.message
    base = Reply(
        outcome=outcome,
        to=intent.sender,
        to_name=intent.name,
        template=TEMPLATES[outcome],
        in_reply_to=message.message_id,
        references=message.references,
        subject=message.subject,
        calls=calls_open(state, now),
    )
    return replace(base, **fields)


def candidature_reply(state: State, cand: Candidature, now: datetime, *, to: Intent | None,
                       promoted: bool = False) -> Reply:
    outcome = STATUS_OUTCOME[cand.status]
    template = "promoted" if promoted and cand.status is Status.CONFIRMED else TEMPLATES[outcome]
    return Reply(
        outcome=outcome,
        to=cand.email,
        to_name=cand.name,
        template=template,
        group_id=cand.group_id,
        candidature_id=cand.id,
        position=position(state, cand) if cand.status in (Status.CONFIRMED, Status.WAITLISTED)
        else None,
        reason=cand.reason,
        missing=cand.missing if cand.status is Status.NEEDS_INFO else (),
        in_reply_to=to.message.message_id if to else cand.message_id,
        references=to.message.references if to else (),
        subject=to.message.subject if to else cand.subject,
        calls=calls_open(state, now),
    )


def promotion_replies(state: State, promoted: list[Candidature], now: datetime) -> tuple[Reply, ...]:
    """The replies telling each promoted member their new place (or what is still missing)."""
    return tuple(candidature_reply(state, c, now, to=None, promoted=True) for c in promoted)


def describe_place(state: State, cand: Candidature) -> str:
    if cand.status is Status.CONFIRMED:
        capacity = state.groups[cand.group_id].capacity
        return f"vous êtes inscrit ou inscrite (place {position(state, cand)} sur {capacity})"
    if cand.status is Status.WAITLISTED:
        return f"vous êtes sur la liste d’attente, en position {position(state, cand)}"
    if cand.status is Status.TO_CONFIRM:
        return "une place vous est réservée en attendant la confirmation de votre engagement"
    return "votre candidature attend les informations demandées"
