"""A candidature a member makes for a colleague (« j'inscris ma collègue… »): it is hers, under
her own address, in the queue at the time of that message, and she confirms it herself with a code
sent to her; the sender is told, and never given the place."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from ...model.enums import Template
from ...model.values import (
    Applicant,
    Candidature,
    Decision,
    Intent,
    Outcome,
    PendingAction,
    Reply,
    State,
    Status,
)
from ..french import STATUS
from ..read.conversation import token_hash
from .places import active, closed_reason, place
from .replies import answer, candidature_reply


def _named(name: str | None, email: str | None) -> str:
    """« Julie Martin <julie.martin@…> », as a letter names the other person."""
    if name and email:
        return f"{name} <{email}>"
    return name or email or ""


def _her_name(intent: Intent) -> str | None:
    """The colleague's name: as this message writes it, else as the thread's first one did."""
    return (intent.applicant.name if intent.applicant else None) or intent.profile.name


def _to_sender(state: State, intent: Intent, outcome: Outcome, now: datetime, **fields: object) -> Reply:
    applicant = intent.applicant
    assert applicant is not None
    return answer(state, intent, outcome, now, template=Template.COLLEAGUE_REGISTERED,
                  colleague=_named(_her_name(intent), applicant.email), **fields)


def _cannot(state: State, intent: Intent, now: datetime, why: str, summary: str,
            group_id: str | None = None) -> Decision:
    """Nothing registered: the sender is told why (an address to give, a call closed…)."""
    reply = _to_sender(state, intent, Outcome.HELP, now, reason=why, group_id=group_id)
    return Decision(Outcome.HELP, summary, replies=(reply,), group_id=group_id)


def _hours(state: State, group_id: str) -> float:
    """How long she has to confirm: the group's double opt-in delay, else a code's life."""
    return state.groups[group_id].confirm_within_hours or state.token_hours


def _new(state: State, intent: Intent, applicant: Applicant, group_id: str, now: datetime) -> Candidature:
    assert applicant.email is not None
    title = state.groups[group_id].title
    cand = Candidature(
        id=state.new_id("C"), group_id=group_id, email=applicant.email, name=_her_name(intent),
        profile=intent.profile, status=Status.NEEDS_INFO, seq=state.next_seq,
        received_at=intent.message.arrived(now),  # her rank: when the message that applied arrived
        message_key=intent.message.key, subject=f"Candidature – groupe « {title} »",
        registered_by=intent.sender)
    status, reason, missing = place(state, cand)
    # A place given is held until she says she wants it.
    return replace(cand, status=Status.TO_CONFIRM if status is Status.CONFIRMED else status,
                   reason=reason, missing=missing)


def _placed(state: State, intent: Intent, cand: Candidature, now: datetime, token: str) -> Decision:
    """The candidature recorded; a code to her (unless refused: nothing to confirm), the sender
    told what became of it."""
    after = state.with_candidatures(cand)
    # In the thread of her candidature: what the sender writes next is read as about hers.
    to_sender = _to_sender(state, intent, Outcome.COLLEAGUE_REGISTERED, now, group_id=cand.group_id,
                           candidature_id=cand.id, standing=cand.status, reason=cand.reason)
    summary = (f"candidature de {cand.email} au groupe {cand.group_id} transmise par {intent.sender} : "
               f"{STATUS[cand.status]}")
    if cand.status is Status.REFUSED:
        return Decision(Outcome.COLLEAGUE_REGISTERED, f"{summary} ({cand.reason})", candidatures=(cand,),
                        replies=(to_sender,), group_id=cand.group_id)
    expires = now + timedelta(hours=_hours(state, cand.group_id))
    action = PendingAction(token_hash(token), "commit", cand.id, cand.email, now, expires)
    # Her first letter from us: a thread of its own (« Groupe de travail « … » [code] »).
    to_her = candidature_reply(after, cand, now, to=None, outcome=Outcome.TO_CONFIRM,
                               template=Template.CONFIRM_REGISTRATION, token=token, expires_at=expires,
                               in_reply_to=None, subject="", colleague=_named(intent.name, intent.sender),
                               standing=cand.status)
    return Decision(Outcome.COLLEAGUE_REGISTERED, f"{summary}, à confirmer par elle", candidatures=(cand,),
                    replies=(to_her, to_sender), group_id=cand.group_id, pending=(action,))


def registered(state: State, intent: Intent, now: datetime, token: str) -> Decision:
    """A member applies for a colleague (`intent.applicant`): her candidature, or why not."""
    applicant = intent.applicant
    assert applicant is not None
    who = _her_name(intent) or "votre collègue"
    if applicant.email is None:
        return _cannot(state, intent, now,
                       f"pour inscrire {who}, il nous faut son adresse électronique : c’est à elle que nous "
                       "écrirons, pour qu’elle confirme elle-même sa candidature",
                       f"candidature pour {who} transmise par {intent.sender} : adresse manquante",
                       intent.group_id)
    if intent.group_id is None:
        return _cannot(state, intent, now, f"pour inscrire {who}, dites-nous à quel groupe de travail",
                       f"candidature pour {applicant.email} transmise par {intent.sender} sans groupe")
    group_id = intent.group_id
    existing = active(state, applicant.email, group_id)
    if existing:
        return _cannot(state, intent, now, f"{who} est déjà candidate à ce groupe "
                       f"({STATUS[existing[0].status]})",
                       f"candidature en double pour {applicant.email} au groupe {group_id}", group_id)
    closed = closed_reason(state.groups[group_id], intent.message.arrived(now))
    if closed:
        return _cannot(state, intent, now, closed,
                       f"appel clos : candidature pour {applicant.email} au groupe {group_id}", group_id)
    if not token:
        raise ValueError("a candidature made for a colleague needs a confirmation token")
    return _placed(state, intent, _new(state, intent, applicant, group_id, now), now, token)


def her_confirmation(state: State, cand: Candidature, action: PendingAction, intent: Intent,
                     now: datetime) -> Decision:
    """She confirms the candidature made for her: a place held becomes hers, a waiting one keeps
    its rank, now confirmed."""
    used = replace(action, used_at=now)
    confirmed = replace(cand, status=Status.CONFIRMED if cand.status is Status.TO_CONFIRM else cand.status,
                        updated_at=now)
    reply = candidature_reply(state.with_candidatures(confirmed), confirmed, now, to=intent)
    return Decision(OUTCOME_OF[confirmed.status],
                    f"candidature de {cand.email} au groupe {cand.group_id} confirmée par elle : "
                    f"{STATUS[confirmed.status]}",
                    candidatures=(confirmed,), replies=(reply,), group_id=cand.group_id, pending=(used,))


OUTCOME_OF = {Status.CONFIRMED: Outcome.CONFIRMED, Status.WAITLISTED: Outcome.WAITLISTED,
              Status.NEEDS_INFO: Outcome.NEEDS_INFO}
