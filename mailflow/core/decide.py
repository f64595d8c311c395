"""The one pure function that decides: state + intent + time → a decision; and how it applies."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..model import (
    CallStatus,
    CallSummary,
    Candidature,
    Decision,
    Group,
    Intent,
    IntentKind,
    Outcome,
    PendingAction,
    Reply,
    State,
    Status,
)
from .rules import department_label, evaluate

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


def closed_reason(group: Group, now: datetime) -> str:
    """Why the group's call takes no candidature now, or "" when it is open."""
    if group.call is CallStatus.DRAFT:
        return "l’appel à candidatures de ce groupe n’est pas encore ouvert"
    if group.call is CallStatus.CLOSED:
        return "l’appel à candidatures de ce groupe est clos"
    if group.closes_at is not None and now >= group.closes_at:
        return "la date limite de l’appel à candidatures est passée"
    return ""


def call_summary(state: State, group: Group, now: datetime) -> CallSummary:
    """Places taken, waiting list and whether the call takes candidatures."""
    mine = state.of_group(group.id)
    return CallSummary(
        group_id=group.id,
        capacity=group.capacity,
        taken=sum(c.status.holds_place for c in mine),
        waiting=sum(c.status is Status.WAITLISTED for c in mine),
        accepting=not closed_reason(group, now),
    )


def calls(state: State, now: datetime) -> tuple[CallSummary, ...]:
    """Every group's call, in configuration order."""
    return tuple(call_summary(state, g, now) for g in state.groups.values())


def calls_open(state: State, now: datetime) -> tuple[CallSummary, ...]:
    """The calls that take candidatures now (listed in help and refusal replies)."""
    return tuple(c for c in calls(state, now) if c.accepting)


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
            plural = "place" if quota == 1 else "places"
            return (
                Status.WAITLISTED,
                f"le quota de {quota} {plural} pour le département {label} est atteint",
                missing,
            )
    if len(holders) >= group.capacity:
        return Status.WAITLISTED, "le groupe est complet", missing
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
            state = _with(state, moved)
            if status is not cand.status:
                (up if status is Status.CONFIRMED else down).append(moved)
    return state, up, down


def position(state: State, cand: Candidature) -> int:
    """Place n in the group (confirmed) or position p on its waiting list."""
    same = [c for c in state.of_group(cand.group_id) if c.status is cand.status]
    return next((i for i, c in enumerate(same, 1) if c.id == cand.id), len(same) + 1)


def _with(state: State, *changed: Candidature) -> State:
    ids = {c.id for c in changed}
    return replace(state, candidatures=(*[c for c in state.candidatures if c.id not in ids],
                                        *changed))


def _reply(state: State, intent: Intent, outcome: Outcome, now: datetime, **fields: Any) -> Reply:
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


def _candidature_reply(state: State, cand: Candidature, now: datetime, *, to: Intent | None,
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
                state = _with(state, replace(cand, reason=reason, updated_at=now))
            continue
        moved = replace(cand, status=status, reason=reason, missing=missing, updated_at=now)
        state = _with(state, moved)
        promoted.append(moved)
    return state, promoted


def promotion_replies(state: State, promoted: list[Candidature], now: datetime) -> tuple[Reply, ...]:
    """The replies telling each promoted member their new place (or what is still missing)."""
    return tuple(_candidature_reply(state, c, now, to=None, promoted=True) for c in promoted)


def _describe(state: State, cand: Candidature) -> str:
    if cand.status is Status.CONFIRMED:
        capacity = state.groups[cand.group_id].capacity
        return f"vous êtes inscrit ou inscrite (place {position(state, cand)} sur {capacity})"
    if cand.status is Status.WAITLISTED:
        return f"vous êtes sur la liste d’attente, en position {position(state, cand)}"
    if cand.status is Status.TO_CONFIRM:
        return "une place vous est réservée en attendant la confirmation de votre engagement"
    return "votre candidature attend les informations demandées"


def _settle(state: State, cand: Candidature, intent: Intent, now: datetime,
            outcome_text: str) -> Decision:
    """Record a candidature's new place, answer it, and pass on any place it freed."""
    freed = _held(state, cand) and not cand.status.holds_place
    state = _with(state, cand)
    promoted: list[Candidature] = []
    if freed:
        state, promoted = promote(state, cand.group_id, now)
    replies = [_candidature_reply(state, cand, now, to=intent)]
    replies += [_candidature_reply(state, p, now, to=None, promoted=True) for p in promoted]
    outcome = STATUS_OUTCOME[cand.status]
    return Decision(
        outcome=outcome,
        summary=f"{outcome_text} {cand.email} → {cand.group_id}: {outcome.value}"
        + (f" ({cand.reason})" if cand.reason else ""),
        candidatures=(cand, *promoted),
        replies=tuple(replies),
        group_id=cand.group_id,
    )


def _held(state: State, cand: Candidature) -> bool:
    """Whether this candidature held a place before the change."""
    old = next((c for c in state.candidatures if c.id == cand.id), None)
    return old is not None and old.status.holds_place


def _active(state: State, email: str, group_id: str | None = None) -> list[Candidature]:
    return [
        c for c in state.candidatures
        if c.email == email and c.status.active and (group_id is None or c.group_id == group_id)
    ]


def _ask_commitment(state: State, decision: Decision, now: datetime, token: str) -> Decision:
    """Double opt-in: a place just given is held until its member confirms, by a code."""
    cand = decision.candidatures[0] if decision.candidatures else None
    group = state.groups[decision.group_id] if decision.group_id else None
    if (cand is None or group is None or group.confirm_within_hours is None or not token
            or cand.status is not Status.CONFIRMED):
        return decision
    expires = now + timedelta(hours=group.confirm_within_hours)
    held = replace(cand, status=Status.TO_CONFIRM)
    first = replace(decision.replies[0], outcome=Outcome.TO_CONFIRM, template="confirm_commitment",
                    token=token, expires_at=expires)
    action = PendingAction(token_hash(token), "commit", cand.id, cand.email, now, expires)
    return replace(decision, outcome=Outcome.TO_CONFIRM,
                   summary=decision.summary.replace("confirmed", "to-confirm"),
                   candidatures=(held, *decision.candidatures[1:]),
                   replies=(first, *decision.replies[1:]), pending=(action,))


def _candidature(state: State, intent: Intent, now: datetime, token: str = "") -> Decision:
    pending = [c for c in _active(state, intent.sender) if c.status is Status.NEEDS_INFO]
    group_id = intent.group_id
    if group_id is None and len(pending) == 1 and not intent.ambiguous_groups:
        group_id = pending[0].group_id  # the answer to our question
    if group_id is None:
        return Decision(
            Outcome.NEEDS_INFO,
            f"candidature from {intent.sender} names no group",
            replies=(_reply(state, intent, Outcome.NEEDS_INFO, now, missing=("group",)),),
        )
    group = state.groups[group_id]
    existing = _active(state, intent.sender, group_id)
    if existing and existing[0].status is Status.NEEDS_INFO:
        old = existing[0]
        profile = old.profile.merged(intent.profile)
        cand = replace(old, profile=profile, name=old.name or intent.name, updated_at=now)
        status, reason, missing = place(state, cand)
        cand = replace(cand, status=status, reason=reason, missing=missing)
        return _ask_commitment(state, _settle(state, cand, intent, now, "completed"), now, token)
    if existing:
        old = existing[0]
        return Decision(
            Outcome.DUPLICATE,
            f"duplicate {intent.sender} → {group_id} ({old.status.value})",
            replies=(_reply(state, intent, Outcome.DUPLICATE, now, group_id=group_id,
                            candidature_id=old.id, reason=_describe(state, old)),),
            group_id=group_id,
        )
    reason = closed_reason(group, now)
    if reason:
        return Decision(
            Outcome.CLOSED,
            f"call closed {intent.sender} → {group_id}",
            replies=(_reply(state, intent, Outcome.CLOSED, now, group_id=group_id, reason=reason),),
            group_id=group_id,
        )
    cand = Candidature(
        id=f"C{state.next_seq:04d}",
        group_id=group_id,
        email=intent.sender,
        name=intent.name,
        profile=intent.profile,
        status=Status.NEEDS_INFO,
        seq=state.next_seq,
        received_at=now,
        message_key=intent.message.key,
        message_id=intent.message.message_id,
        subject=intent.message.subject,
    )
    status, reason, missing = place(state, cand)
    cand = replace(cand, status=status, reason=reason, missing=missing)
    return _ask_commitment(state, _settle(state, cand, intent, now, "new"), now, token)


def token_hash(token: str) -> str:
    """What the store keeps of a confirmation code: its hash, never the code."""
    return hashlib.sha256(token.strip().upper().encode()).hexdigest()


def _withdrawal(state: State, intent: Intent, now: datetime, token: str) -> Decision:
    """A withdrawal asked by email: confirmed by the registered address before it counts."""
    active = _active(state, intent.sender, intent.group_id)
    if len(active) != 1:
        why = (
            "nous n’avons trouvé aucune candidature en cours à votre adresse"
            if not active
            else "vous êtes candidat ou candidate à plusieurs groupes : précisez lequel"
        )
        return Decision(
            Outcome.HELP,
            f"withdrawal from {intent.sender} matches {len(active)} candidatures",
            replies=(_reply(state, intent, Outcome.HELP, now, reason=why),),
        )
    if not token:
        raise ValueError("a withdrawal by email needs a confirmation token")
    cand = active[0]
    expires = now + timedelta(hours=state.token_hours)
    action = PendingAction(token_hash(token), "withdraw", cand.id, cand.email, now, expires)
    # Sent to the registered address, whatever the From said: a forged From learns nothing.
    reply = replace(_reply(state, intent, Outcome.CONFIRM_WITHDRAWAL, now, group_id=cand.group_id,
                           candidature_id=cand.id, token=token, expires_at=expires),
                    to=cand.email, to_name=cand.name)
    return Decision(
        Outcome.CONFIRM_WITHDRAWAL,
        f"withdrawal of {cand.email} from {cand.group_id} waits for confirmation",
        replies=(reply,),
        group_id=cand.group_id,
        pending=(action,),
    )


def withdraw(state: State, cand: Candidature, now: datetime, reason: str,
             intent: Intent | None = None) -> Decision:
    """Withdraw a candidature, pass its place on, and tell everyone concerned."""
    withdrawn = replace(cand, status=Status.WITHDRAWN, reason=reason, updated_at=now)
    after = _with(state, withdrawn)
    promoted: list[Candidature] = []
    if cand.status.holds_place:
        after, promoted = promote(after, cand.group_id, now)
    # A confirmed member received an invitation: the reply cancels it (SEQUENCE above the last).
    cancels = cand.status is Status.CONFIRMED
    base = Reply(outcome=Outcome.WITHDRAWN, to=cand.email, to_name=cand.name,
                 template=TEMPLATES[Outcome.WITHDRAWN], group_id=cand.group_id,
                 candidature_id=cand.id, in_reply_to=cand.message_id, subject=cand.subject,
                 cancels_invitation=cancels,
                 calendar_sequence=state.groups[cand.group_id].first_meeting.sequence if cancels else 0)
    if intent is not None:
        base = replace(base, in_reply_to=intent.message.message_id,
                       references=intent.message.references, subject=intent.message.subject)
    replies = [base, *promotion_replies(after, promoted, now)]
    return Decision(
        Outcome.WITHDRAWN,
        f"withdrawn {cand.email} ← {cand.group_id}; promoted {len(promoted)}",
        candidatures=(withdrawn, *promoted),
        replies=tuple(replies),
        group_id=cand.group_id,
    )


def _confirmation(state: State, intent: Intent, now: datetime) -> Decision | None:
    """A message quoting a confirmation code we sent to this very address."""
    for token in intent.tokens:
        digest = token_hash(token)
        action = next((p for p in state.pending if p.token_hash == digest), None)
        if action is None or action.email != intent.sender:
            continue  # not ours, or someone else's code: it confirms nothing
        cand = next((c for c in state.candidatures if c.id == action.candidature_id), None)
        stale = action.used_at is not None or now >= action.expires_at
        expected = (Status.TO_CONFIRM,) if action.kind == "commit" else tuple(
            s for s in Status if s.active)
        if stale or cand is None or cand.status not in expected:
            if intent.kind in (IntentKind.WITHDRAWAL, IntentKind.STATUS, IntentKind.IDEA):
                continue  # an old code quoted in the thread: the message's own request counts
            why = ("ce code de confirmation a expiré ou a déjà servi : pour vous désister, "
                   "écrivez-nous de nouveau « je me désiste » et confirmez avec le nouveau code"
                   if action.kind == "withdraw" else
                   "ce code de confirmation a expiré ou a déjà servi : si la place vous a été "
                   "gardée, votre engagement est déjà enregistré ; sinon, candidatez de nouveau")
            return Decision(Outcome.TOKEN_INVALID, f"stale confirmation code from {intent.sender}",
                            replies=(_reply(state, intent, Outcome.HELP, now, reason=why),),
                            pending=(replace(action, used_at=action.used_at or now),))
        used = replace(action, used_at=now)
        if action.kind == "commit":
            confirmed = replace(cand, status=Status.CONFIRMED, updated_at=now)
            reply = _candidature_reply(_with(state, confirmed), confirmed, now, to=intent)
            return Decision(Outcome.CONFIRMED, f"commitment confirmed {cand.email} → {cand.group_id}",
                            candidatures=(confirmed,), replies=(reply,), group_id=cand.group_id,
                            pending=(used,))
        decision = withdraw(state, cand, now, "désistement confirmé par le membre", intent)
        return replace(decision, pending=(used,))
    return None


def _idea(state: State, intent: Intent, now: datetime) -> Decision:
    from .ideas import idea_decision  # ideas builds on this module: imported when first needed

    return idea_decision(state, intent, now)


def _status(state: State, intent: Intent, now: datetime) -> Decision:
    """Where the sender's candidatures stand, one reply each; help when there is none."""
    active = _active(state, intent.sender, intent.group_id) or _active(state, intent.sender)
    if not active:
        why = "nous n’avons trouvé aucune candidature en cours à votre adresse"
        return Decision(Outcome.HELP, f"status asked by {intent.sender}: no candidature",
                        replies=(_reply(state, intent, Outcome.HELP, now, reason=why),))
    replies = tuple(
        _reply(state, intent, Outcome.STATUS, now, group_id=c.group_id, candidature_id=c.id,
               reason=_describe(state, c),
               missing=c.missing if c.status is Status.NEEDS_INFO else ())
        for c in active
    )
    return Decision(Outcome.STATUS, f"status of {intent.sender}: {len(active)} candidature(s)",
                    replies=replies, group_id=active[0].group_id)


def expire_unanswered(state: State, now: datetime, days: float) -> tuple[State, list[Decision]]:
    """Places held for an answer (needs-info) that did not come within `days`: they go on."""
    decisions = []
    limit = timedelta(days=days)
    # A code used late (refused) still expires its hold; one used in time moved it to confirmed.
    commitments = {p.candidature_id: p for p in state.pending if p.kind == "commit"}
    for cand in [c for c in state.candidatures if c.status in (Status.NEEDS_INFO, Status.TO_CONFIRM)
                 and c.group_id in state.groups]:  # a group removed from the files: left alone
        if cand.status is Status.TO_CONFIRM:
            action = commitments.get(cand.id)
            if action is None or now < action.expires_at:
                continue
            why = "votre engagement n’a pas été confirmé dans le délai"
        elif now - (cand.updated_at or cand.received_at) < limit:
            continue
        else:
            why = "sans réponse de votre part dans le délai, la place a été proposée à la personne suivante"
        expired = replace(cand, status=Status.EXPIRED, updated_at=now, reason=why)
        after, promoted = promote(_with(state, expired), cand.group_id, now)
        reply = Reply(outcome=Outcome.HOLD_EXPIRED, to=cand.email, to_name=cand.name,
                      template="hold_expired", group_id=cand.group_id, candidature_id=cand.id,
                      reason=expired.reason, missing=cand.missing, in_reply_to=cand.message_id,
                      subject=cand.subject, calls=calls_open(after, now))
        decisions.append(Decision(Outcome.HOLD_EXPIRED,
                                  f"hold of {cand.email} in {cand.group_id} expired; promoted "
                                  f"{len(promoted)}", candidatures=(expired, *promoted),
                                  replies=(reply, *promotion_replies(after, promoted, now)),
                                  group_id=cand.group_id))
        state = after
    return state, decisions


def decide(state: State, intent: Intent, now: datetime, token: str = "") -> Decision:
    """Decide one message: never touches disk or clock; `now` is the time of arrival.

    `token` is a fresh confirmation code, used when the message asks for an action that its
    sender's address must confirm (a withdrawal); the caller draws it at random.
    """
    if intent.kind is IntentKind.ROBOT:
        return Decision(Outcome.NO_REPLY, f"no reply to {intent.sender}: {intent.reason}")
    confirmed = _confirmation(state, intent, now)
    if confirmed is not None:
        return confirmed
    if intent.kind is IntentKind.WITHDRAWAL:
        return _withdrawal(state, intent, now, token)
    if intent.kind is IntentKind.STATUS:
        return _status(state, intent, now)
    if intent.kind is IntentKind.IDEA:
        return _idea(state, intent, now)
    pending = any(c.status is Status.NEEDS_INFO for c in _active(state, intent.sender))
    if intent.kind is IntentKind.CANDIDATURE or (pending and intent.group_id is None):
        return _candidature(state, intent, now, token)
    return Decision(
        Outcome.HELP,
        f"help for {intent.sender}",
        replies=(_reply(state, intent, Outcome.HELP, now, group_id=intent.group_id),),
        group_id=intent.group_id,
    )


def apply(state: State, decision: Decision) -> State:
    """The state after a decision: candidatures and ideas upserted, the sequence moved on."""
    seqs = [c.seq + 1 for c in decision.candidatures] + [i.seq + 1 for i in decision.ideas]
    changed = {p.token_hash for p in decision.pending}
    return replace(
        _with(state, *decision.candidatures),
        ideas=(*[i for i in state.ideas if i.id not in {d.id for d in decision.ideas}],
               *decision.ideas),
        next_seq=max([state.next_seq, *seqs]),
        pending=(*[p for p in state.pending if p.token_hash not in changed], *decision.pending),
    )
