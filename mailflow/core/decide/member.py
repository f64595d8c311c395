"""A member's message decided: state + intent + time → a decision (a candidature placed, a
withdrawal, a code confirmed, where things stand, an idea or a question handed on); the held
places that expire; and the state after a decision. Staff's messages are `staff_answers`'."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from ...model.enums import Occasion, Template
from ...model.values import (
    Candidature,
    CaseKind,
    Decision,
    Intent,
    IntentKind,
    Outcome,
    PendingAction,
    Reply,
    State,
    Status,
)
from ..french import OUTCOME, STATUS, plural
from ..read.conversation import pending_for, strip_prefixes, token_hash
from ..read.text import fold
from .colleague import her_confirmation, registered
from .ideas import idea_decision, idea_status_decision, ideas_of
from .places import (
    active,
    awaiting_her,
    calls_open,
    closed_reason,
    held,
    place,
    promote,
)
from .questions import question_decision, with_question
from .replies import (
    STATUS_OUTCOME,
    TEMPLATES,
    answer,
    candidature_reply,
    describe_place,
    promotion_replies,
)

T = TypeVar("T")


def _settle(state: State, cand: Candidature, intent: Intent, now: datetime,
            outcome_text: str) -> Decision:
    """Record a candidature's new place, answer it, and pass on any place it freed."""
    freed = held(state, cand) and not cand.status.holds_place
    state = state.with_candidatures(cand)
    cand = state.candidature(cand.id) or cand  # with its place, when it holds one
    promoted: list[Candidature] = []
    if freed:
        state, promoted = promote(state, cand.group_id, now)
    replies = [candidature_reply(state, cand, now, to=intent)]
    replies += [candidature_reply(state, p, now, to=None, promoted=True) for p in promoted]
    outcome = STATUS_OUTCOME[cand.status]
    return Decision(
        outcome=outcome,
        summary=f"{outcome_text} de {cand.email} au groupe {cand.group_id} : {OUTCOME[outcome]}"
        + (f" ({cand.reason})" if cand.reason else ""),
        candidatures=(cand, *promoted),
        replies=tuple(replies),
        group_id=cand.group_id,
    )


def _ask_commitment(state: State, decision: Decision, now: datetime, token: str) -> Decision:
    """Double opt-in: a place just given is held until its member confirms, by a code."""
    cand = decision.candidatures[0] if decision.candidatures else None
    group = state.groups[decision.group_id] if decision.group_id else None
    if (cand is None or group is None or group.confirm_within_hours is None or not token
            or cand.status is not Status.CONFIRMED):
        return decision
    expires = now + timedelta(hours=group.confirm_within_hours)
    held = replace(cand, status=Status.TO_CONFIRM)
    first = replace(decision.replies[0], outcome=Outcome.TO_CONFIRM, template=Template.CONFIRM_COMMITMENT,
                    token=token, expires_at=expires)
    action = PendingAction(token_hash(token), "commit", cand.id, cand.email, now, expires)
    return replace(decision, outcome=Outcome.TO_CONFIRM,
                   summary=decision.summary.replace(OUTCOME[Outcome.CONFIRMED],
                                                    OUTCOME[Outcome.TO_CONFIRM]),
                   candidatures=(held, *decision.candidatures[1:]),
                   replies=(first, *decision.replies[1:]), pending=(action,))


def _candidature(state: State, intent: Intent, now: datetime, token: str = "") -> Decision:
    """A member's candidature: the answer completing one held for it, a duplicate, a call closed,
    or a new one placed in arrival order."""
    pending = [c for c in active(state, intent.sender) if c.status is Status.NEEDS_INFO]
    group_id = intent.group_id
    if group_id is None and len(pending) == 1 and not intent.ambiguous_groups:
        group_id = pending[0].group_id  # the answer to our question
    if group_id is None:
        return Decision(
            Outcome.NEEDS_INFO,
            f"candidature de {intent.sender} sans groupe nommé",
            replies=(answer(state, intent, Outcome.NEEDS_INFO, now, missing=("group",)),),
        )
    existing = active(state, intent.sender, group_id)
    if existing and existing[0].status is Status.NEEDS_INFO:
        old = existing[0]
        cand = replace(old, profile=old.profile.merged(intent.profile), name=old.name or intent.name,
                       updated_at=now)
        status, reason, missing = place(state, cand)
        cand = replace(cand, status=status, reason=reason, missing=missing)
        return _ask_commitment(state, _settle(state, cand, intent, now, "candidature complétée"), now, token)
    if existing:
        return _duplicate(state, intent, existing[0], now)
    refused = _refused_by_the_rules(state, intent, group_id)
    if refused is not None:  # « on est 4 salariés, pas 47 »: the same candidature, at its first rank
        cand = replace(refused, profile=refused.profile.merged(intent.profile), reason="",
                       name=refused.name or intent.name, updated_at=now)
        status, reason, missing = place(state, cand)
        cand = replace(cand, status=status, reason=reason, missing=missing)
        return _ask_commitment(state, _settle(state, cand, intent, now, "candidature réexaminée"), now, token)
    arrived = intent.message.arrived(now)  # first come, and deadlines, by the mailbox's time
    reason = closed_reason(state.groups[group_id], arrived)
    if reason:
        return Decision(
            Outcome.CLOSED,
            f"appel clos : candidature de {intent.sender} au groupe {group_id}",
            replies=(answer(state, intent, Outcome.CLOSED, now, group_id=group_id, reason=reason),),
            group_id=group_id,
        )
    cand = _new(state, intent, group_id, arrived)
    status, reason, missing = place(state, cand)
    cand = replace(cand, status=status, reason=reason, missing=missing)
    return _ask_commitment(state, _settle(state, cand, intent, now, "nouvelle candidature"), now, token)


def _refused_by_the_rules(state: State, intent: Intent, group_id: str) -> Candidature | None:
    """Her candidature refused by the rules, answered in its own thread with what we misread or
    she left out: examined again at its first rank (the team's refusals are the team's)."""
    case = intent.case
    refused = state.candidature(case.id) if case is not None else None
    if (refused is None or refused.status is not Status.REFUSED or refused.forced
            or refused.group_id != group_id or refused.email != intent.sender
            or not intent.profile.tells_something):
        return None
    return refused


def _duplicate(state: State, intent: Intent, old: Candidature, now: datetime) -> Decision:
    return Decision(
        Outcome.DUPLICATE,
        f"candidature en double de {intent.sender} au groupe {old.group_id} (déjà {STATUS[old.status]})",
        replies=(answer(state, intent, Outcome.DUPLICATE, now, group_id=old.group_id,
                        candidature_id=old.id, reason=describe_place(state, old)),),
        group_id=old.group_id,
    )


def _new(state: State, intent: Intent, group_id: str, arrived: datetime) -> Candidature:
    """A new candidature of the sender's, not placed yet; an answer to our refusal (or to a place
    that went on) keeps the facts given then."""
    case = intent.case
    previous = state.candidature(case.id) if case is not None else None
    if previous is not None and not (previous.group_id != group_id
                                     or previous.status in (Status.REFUSED, Status.EXPIRED)):
        previous = None
    return Candidature(
        id=state.new_id("C"),
        group_id=group_id,
        email=intent.sender,
        name=intent.name or (previous.name if previous else None),
        profile=previous.profile.merged(intent.profile) if previous else intent.profile,
        status=Status.NEEDS_INFO,
        seq=state.next_seq,
        received_at=arrived,
        message_key=intent.message.key,
        message_id=intent.message.message_id,
        subject=intent.message.subject,
    )


def _withdrawal(state: State, intent: Intent, now: datetime, token: str) -> Decision:
    """A withdrawal asked by email: confirmed by the registered address before it counts."""
    mine = active(state, intent.sender, intent.group_id)
    if len(mine) != 1:
        why = (
            "nous n’avons trouvé aucune candidature en cours à votre adresse"
            if not mine
            else "vous avez une candidature en cours dans plusieurs groupes : précisez lequel"
        )
        return Decision(
            Outcome.HELP,
            f"désistement de {intent.sender} : {len(mine)} candidatures possibles",
            replies=(answer(state, intent, Outcome.HELP, now, reason=why),),
        )
    if not token:
        raise ValueError("a withdrawal by email needs a confirmation token")
    cand = mine[0]
    expires = now + timedelta(hours=state.token_hours)
    action = PendingAction(token_hash(token), "withdraw", cand.id, cand.email, now, expires)
    # Sent to the registered address, whatever the From said: a forged From learns nothing.
    reply = replace(answer(state, intent, Outcome.CONFIRM_WITHDRAWAL, now, group_id=cand.group_id,
                           candidature_id=cand.id, token=token, expires_at=expires),
                    to=cand.email, to_name=cand.name)
    return Decision(
        Outcome.CONFIRM_WITHDRAWAL,
        f"désistement de {cand.email} du groupe {cand.group_id} à confirmer",
        replies=(reply,),
        group_id=cand.group_id,
        pending=(action,),
    )


def withdraw(state: State, cand: Candidature, now: datetime, reason: str,
             intent: Intent | None = None, occasion: Occasion = Occasion.ANSWER) -> Decision:
    """Withdraw a candidature, pass its place on, and tell everyone concerned."""
    withdrawn = replace(cand, status=Status.WITHDRAWN, reason=reason, updated_at=now)
    after = state.with_candidatures(withdrawn)
    promoted: list[Candidature] = []
    if cand.status.holds_place:
        after, promoted = promote(after, cand.group_id, now)
    # A confirmed member received an invitation: the reply cancels it (SEQUENCE above the last).
    cancels = cand.status is Status.CONFIRMED
    base = Reply(outcome=Outcome.WITHDRAWN, to=cand.email, to_name=cand.name,
                 template=TEMPLATES[Outcome.WITHDRAWN], group_id=cand.group_id,
                 candidature_id=cand.id, in_reply_to=cand.message_id, subject=cand.subject,
                 cancels_invitation=cancels, passed_on=bool(promoted), occasion=occasion,
                 calendar_sequence=state.groups[cand.group_id].first_meeting.sequence if cancels else 0)
    if intent is not None:
        base = replace(base, in_reply_to=intent.message.message_id,
                       references=intent.message.references, subject=intent.message.subject)
    replies = [base, *promotion_replies(after, promoted, now)]
    return Decision(
        Outcome.WITHDRAWN,
        f"désistement de {cand.email} du groupe {cand.group_id} ; promotions : {len(promoted)}",
        candidatures=(withdrawn, *promoted),
        replies=tuple(replies),
        group_id=cand.group_id,
    )


def _confirmation(state: State, intent: Intent, now: datetime) -> Decision | None:
    """A message quoting a confirmation code we sent to this very address."""
    for token in intent.tokens:
        action = pending_for(state, token)
        if action is None or action.email != intent.sender:
            continue  # not ours, or someone else's code: it confirms nothing
        cand = state.candidature(action.target)
        stale = action.used_at is not None or now >= action.expires_at
        expected = (Status.TO_CONFIRM,) if action.kind == "commit" else tuple(
            s for s in Status if s.active)
        if cand is not None and cand.registered_by and action.kind == "commit":
            expected = (Status.TO_CONFIRM, Status.WAITLISTED, Status.NEEDS_INFO)  # she says yes
        if stale or cand is None or cand.status not in expected:
            if intent.kind in (IntentKind.WITHDRAWAL, IntentKind.STATUS, IntentKind.IDEA):
                continue  # an old code quoted in the thread: the message's own request counts
            why = ("ce code de confirmation a expiré ou a déjà servi : pour vous désister, "
                   "écrivez-nous de nouveau « je me désiste » et confirmez avec le nouveau code"
                   if action.kind == "withdraw" else
                   "ce code de confirmation a expiré ou a déjà servi : si la place vous a été "
                   "gardée, votre engagement est déjà enregistré ; sinon, candidatez de nouveau")
            return Decision(Outcome.TOKEN_INVALID,
                            f"code de confirmation périmé ou inconnu de {intent.sender}",
                            replies=(answer(state, intent, Outcome.HELP, now, reason=why),),
                            pending=(replace(action, used_at=action.used_at or now),))
        used = replace(action, used_at=now)
        if action.kind == "commit" and cand.registered_by:
            return _her_yes(state, cand, action, intent, now)
        if action.kind == "commit":
            confirmed = replace(cand, status=Status.CONFIRMED, updated_at=now)
            reply = candidature_reply(state.with_candidatures(confirmed), confirmed, now, to=intent)
            return Decision(Outcome.CONFIRMED,
                            f"engagement confirmé de {cand.email} au groupe {cand.group_id}",
                            candidatures=(confirmed,), replies=(reply,), group_id=cand.group_id,
                            pending=(used,))
        decision = withdraw(state, cand, now, "désistement confirmé par le membre", intent)
        return replace(decision, pending=(used,))
    return None


def _her_yes(state: State, cand: Candidature, action: PendingAction, intent: Intent,
             now: datetime) -> Decision:
    """A colleague confirms the candidature made for her; the facts her answer gives complete it."""
    decision = her_confirmation(state, cand, action, intent, now)
    if cand.status is not Status.NEEDS_INFO or not intent.profile.tells_something:
        return decision
    completed = _candidature(state_after(state, decision), intent, now)
    return replace(completed, pending=decision.pending)


_ABOUT_IDEA = re.compile(r"propos|idee|projet|note")


def _status(state: State, intent: Intent, now: datetime) -> Decision:
    """Where the sender's candidatures (or ideas) stand, one reply each; help when none."""
    case = intent.case
    asks_idea = (case is not None and case.kind is CaseKind.IDEA) or (
        _ABOUT_IDEA.search(fold(intent.message.new_text)) is not None)
    if case is not None and case.kind is CaseKind.CANDIDATURE:
        mine = [c for c in [state.candidature(case.id)] if c is not None]
    else:
        mine = active(state, intent.sender, intent.group_id) or active(state, intent.sender)
    if not mine:  # nothing running: her last word from us, refused or withdrawn as it may be
        latest = {c.group_id: c for c in state.of_email(intent.sender)}
        mine = list(latest.values())
    ideas = ideas_of(state, intent.sender, case.id if case is not None
                     and case.kind is CaseKind.IDEA else None)
    if ideas and (asks_idea or not mine):
        return idea_status_decision(state, intent, now, ideas)
    if not mine:
        why = "nous n’avons trouvé aucune candidature ni proposition en cours à votre adresse"
        return Decision(Outcome.HELP, f"point demandé par {intent.sender} : aucune candidature",
                        replies=(answer(state, intent, Outcome.HELP, now, reason=why),))
    replies = tuple(
        replace(candidature_reply(state, c, now, to=intent), outcome=Outcome.STATUS,
                template=TEMPLATES[Outcome.STATUS], reason=describe_place(state, c))
        for c in mine
    )
    return Decision(Outcome.STATUS, f"point demandé par {intent.sender} : {plural(len(mine), 'candidature')}",
                    replies=replies, group_id=mine[0].group_id)


def expire_unanswered(state: State, now: datetime, days: float) -> tuple[State, list[Decision]]:
    """Places held for an answer (needs-info) that did not come within `days`: they go on."""
    decisions = []
    limit = timedelta(days=days)
    # A code used late (refused) still expires its hold; one used in time moved it to confirmed.
    commitments = {p.target: p for p in state.pending if p.kind == "commit"}
    for cand in [c for c in state.candidatures if c.group_id in state.groups and (  # a group removed
                 c.status in (Status.NEEDS_INFO, Status.TO_CONFIRM) or awaiting_her(state, c))]:
        if cand.status is Status.TO_CONFIRM or awaiting_her(state, cand):
            action = commitments.get(cand.id)
            if action is None or now < action.expires_at:
                continue
            why = "votre engagement n’a pas été confirmé dans le délai"
        elif now - (cand.updated_at or cand.received_at) < limit:
            continue
        else:
            why = "sans réponse de votre part dans le délai, la place a été proposée à la personne suivante"
        expired = replace(cand, status=Status.EXPIRED, updated_at=now, reason=why)
        after, promoted = promote(state.with_candidatures(expired), cand.group_id, now)
        reply = Reply(outcome=Outcome.HOLD_EXPIRED, to=cand.email, to_name=cand.name,
                      template=Template.HOLD_EXPIRED, group_id=cand.group_id, candidature_id=cand.id,
                      reason=expired.reason, missing=cand.missing, in_reply_to=cand.message_id,
                      subject=cand.subject, calls=calls_open(after, now))
        decisions.append(Decision(Outcome.HOLD_EXPIRED,
                                  f"place gardée de {cand.email} dans le groupe {cand.group_id} "
                                  f"passée (sans réponse) ; promotions : {len(promoted)}",
                                  candidatures=(expired, *promoted),
                                  replies=(reply, *promotion_replies(after, promoted, now)),
                                  group_id=cand.group_id))
        state = after
    return state, decisions


def said_nothing(intent: Intent) -> str:
    """Why a message gives nothing to read, or "": no words at all, or only attachments (which
    mailflow does not read) under a subject that asks nothing."""
    message = intent.message
    if re.search(r"\w", message.new_text) or intent.kind is IntentKind.IDEA:
        return ""  # an idea's files are kept for staff (a note d'intention sent as a PDF)
    names = ", ".join(f"« {a.filename} »" for a in message.attachments if a.filename)
    if message.attachments:
        files = "que des pièces jointes" if len(message.attachments) > 1 else "qu’une pièce jointe"
        return (f"il ne contient {files}{f' ({names})' if names else ''}, que nous ne lisons pas : "
                "écrivez votre demande dans le texte du message")
    if intent.kind is IntentKind.QUESTION and not re.search(r"\w", strip_prefixes(message.subject)):
        return "il ne contient aucun texte"
    return ""


def decide(state: State, intent: Intent, now: datetime, token: str = "") -> Decision:
    """Decide a member's message (a staff member's goes to `staff_answers.decide_staff_message`):
    never touches disk or clock; `now` is the time of arrival.

    `token` is a fresh confirmation code, used when the message asks for an action that its
    sender's address must confirm (a withdrawal); the caller draws it at random.
    """
    if intent.kind is IntentKind.ROBOT:
        return Decision(Outcome.NO_REPLY, f"pas de réponse à {intent.sender} : {intent.reason}")
    confirmed = _confirmation(state, intent, now)
    if confirmed is not None:
        return confirmed
    if intent.kind is IntentKind.THANKS:
        return Decision(Outcome.THANKS, f"remerciement de {intent.sender} : rien à répondre")
    nothing = said_nothing(intent)
    if nothing:  # no text to read: said so, never passed to staff as a question
        return Decision(Outcome.HELP, f"message sans texte de {intent.sender}",
                        replies=(answer(state, intent, Outcome.HELP, now, reason=nothing),))
    if intent.kind is IntentKind.WITHDRAWAL:
        return _withdrawal(state, intent, now, token)
    if intent.kind is IntentKind.STATUS:
        return _status(state, intent, now)
    if intent.kind is IntentKind.IDEA:
        return idea_decision(state, intent, now)
    pending = any(c.status is Status.NEEDS_INFO for c in active(state, intent.sender))
    # A new message from someone whose place is held for an answer: the answer, if it tells
    # facts or asks nothing; a question otherwise.
    answers_hold = (pending and intent.group_id is None and intent.case is None
                    and (intent.profile.tells_something or not intent.asks))
    if intent.kind is IntentKind.CANDIDATURE and intent.applicant is not None:
        return registered(state, intent, now, token)  # for a colleague: hers, she confirms it
    if intent.kind is IntentKind.CANDIDATURE or answers_hold:
        decision = _candidature(state, intent, now, token)
        if intent.asks and intent.case is not None and intent.profile.tells_something:
            return with_question(state, intent, decision, now)  # the facts, and a question
        return decision
    return question_decision(state, intent, now)


def state_after(state: State, decision: Decision) -> State:
    """The state after a decision: candidatures, ideas and questions upserted, the sequence on."""
    seqs = [c.seq + 1 for c in decision.candidatures] + [i.seq + 1 for i in decision.ideas] + [
        q.seq + 1 for q in decision.questions]
    changes: dict[str, object] = {"next_seq": max([state.next_seq, *seqs])}
    given = [*(c.id for c in decision.candidatures), *(i.id for i in decision.ideas),
             *(q.id for q in decision.questions)]
    if given:
        changes["numbers"] = state.numbered(*given)
    if decision.ideas:  # only what changed is copied: most decisions touch one table or none
        changes["ideas"] = _upserted(state.ideas, decision.ideas, lambda i: i.id)
    if decision.pending:
        changes["pending"] = _upserted(state.pending, decision.pending, lambda p: p.token_hash)
    if decision.questions:
        changes["questions"] = _upserted(state.questions, decision.questions, lambda q: q.id)
    after = state.with_candidatures(*decision.candidatures) if decision.candidatures else state
    return after.evolve(**changes)


def _upserted(records: tuple[T, ...], changed: tuple[T, ...], key: Callable[[T], str]) -> tuple[T, ...]:
    """The records with the changed ones at the end, in place of those with the same key."""
    keys = {key(r) for r in changed}
    return (*[r for r in records if key(r) not in keys], *changed)
