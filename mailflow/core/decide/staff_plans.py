"""Staff actions planned before anything is written: what changes, who is told, what history says.

Each `plan_*` returns a `Plan` from the current state alone; the application shows it (a dry
run, or the confirmation staff are asked for by email) and applies it in one commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ...errors import StaffActionError
from ...model.values import (
    CallStatus,
    Candidature,
    Group,
    Meeting,
    Occasion,
    Profile,
    Question,
    QuestionStatus,
    Reply,
    State,
    Status,
)
from ..french import ACTION, STATUS, format_date_fr
from ..french.reasons import DISPLACED
from .ideas import IdeaChange, drafted_extra
from .member import state_after, withdraw
from .places import call_summary, promote, replay
from .questions import close, find
from .replies import candidature_reply, meeting_change_replies, promotion_replies, team_place_reply


@dataclass
class Plan:
    """A staff change worked out, not yet applied."""

    action: str  # the history's name for it: group-change, candidate-refuse, idea-validate…
    summary: str  # one line for the command's output and the log
    before: State
    after: State
    replies: list[Reply] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)  # what the history event records
    notes: list[str] = field(default_factory=list)  # what staff should know before confirming
    email_notes: list[str] | None = None  # the same for staff by email, when it names a command
    key: str = "staff"  # the message key its mail is filed under
    group_id: str | None = None
    override: dict[str, Any] = field(default_factory=dict)  # staff's change to a group's settings
    reset: tuple[str, ...] = ()  # staff's changes to the group dropped: the file's values again
    drafted: tuple[Group, dict[str, Any]] | None = None  # a group drafted from an idea
    alert_promotions: bool = True  # staff hear of promotions they did not ask for themselves
    lists_sent: bool = True  # the history event lists the mail sent
    #: An outcome whose replies staff stop reviewing (False) or review again (True): see [review].
    review: tuple[str, bool] | None = None

    @property
    def empty(self) -> bool:
        """Nothing would change."""
        return (self.before == self.after and not self.override and not self.reset
                and self.drafted is None and self.review is None)


#: How each action on one candidature is named in its summary.
ACTS = {"withdraw": "Retrait de la candidature", "refuse": "Refus de la candidature",
        "promote": "Place donnée à la candidature"}


def unknown_group(state: State, group_id: str) -> str:
    """The error for a group id nobody knows, naming the known ones."""
    return f"groupe inconnu « {group_id} » ; groupes connus : {', '.join(state.groups)}"


def find_group(state: State, group_id: str) -> str:
    """The id of the group staff typed, in any case (« OT-Ruraux » is ot-ruraux)."""
    wanted = group_id.strip().casefold()
    found = next((g for g in state.groups if g.casefold() == wanted), None)
    if found is None:
        raise StaffActionError(unknown_group(state, group_id))
    return found


def _zone(value: datetime) -> ZoneInfo:
    return value.tzinfo if isinstance(value.tzinfo, ZoneInfo) else ZoneInfo("UTC")


def _group(state: State, group_id: str) -> Group:
    return state.groups[find_group(state, group_id)]


# --- groups ------------------------------------------------------------------------------------


def plan_group_change(state: State, group_id: str, now: datetime, *, call: CallStatus | None = None,
                      capacity: int | None = None, starts_at: datetime | None = None,
                      place: str | None = None, closes_at: datetime | str | None = "keep") -> Plan:
    """A change to a group during its call: who is promoted, who gets an updated invitation."""
    before = _group(state, group_id)
    group_id = before.id
    override: dict[str, Any] = {}
    notes: list[str] = []
    if call is not None and call is not before.call:
        override["call"] = call.value
    if capacity is not None and capacity != before.capacity:
        if capacity < 1:
            raise StaffActionError(f"--capacity : au moins 1 place, et non {capacity}",
                                   by_email=f"un groupe a au moins 1 place, et non {capacity}")
        taken = call_summary(state, before, now).taken
        if capacity < taken:
            notes.append(f"{taken} places sont déjà prises : personne ne perd la sienne ; les "
                         f"nouvelles candidatures attendent qu’il en reste moins de {capacity}")
        override["capacity"] = capacity
    closes = before.closes_at
    if closes_at != "keep":
        assert closes_at is None or isinstance(closes_at, datetime)
        override["closes_at"] = closes_at.isoformat() if closes_at else None
        closes = closes_at
    meeting = before.first_meeting
    moved = (starts_at is not None and starts_at != meeting.starts_at) or (
        place is not None and place != meeting.place)
    if moved:
        if starts_at is not None and starts_at <= now:
            past = ("la première rencontre doit être à venir, et non le "
                    f"{format_date_fr(starts_at, _zone(starts_at))}")
            raise StaffActionError(f"--meeting-date : {past}", by_email=past)
        # Only what staff changed: the file stays in force for the rest of the meeting.
        if starts_at is not None and starts_at != meeting.starts_at:
            override["meeting_starts_at"] = starts_at.isoformat()
        if place is not None and place != meeting.place:
            override["meeting_place"] = place
        override["meeting_sequence"] = meeting.sequence + 1
    group = replace(
        before, call=call or before.call, capacity=override.get("capacity", before.capacity),
        closes_at=closes,
        first_meeting=Meeting(starts_at or meeting.starts_at, place or meeting.place,
                              meeting.sequence + 1) if moved else meeting)
    after = replace(state, groups={**state.groups, group_id: group})
    replies: list[Reply] = []
    if moved:
        replies += meeting_change_replies(after, group, group.first_meeting.sequence, now)
    after, promoted = promote(after, group_id, now)
    added = group.capacity > before.capacity  # the places are new, not freed
    replies += promotion_replies(after, promoted, now, Occasion.PLACES_ADDED if added else Occasion.ANSWER)
    return Plan("group-change", f"Modification du groupe « {before.title} » ({group_id})",
                state, after, replies,
                history={"group": group_id, "changes": override, "was": _was(before, override)},
                notes=notes,
                key=f"staff:{group_id}", group_id=group_id, override=override)


def _was(before: Group, override: dict[str, Any]) -> dict[str, Any]:
    """What each setting staff changed was before, as the override writes it (for the history)."""
    meeting = before.first_meeting
    old = {"call": before.call.value, "capacity": before.capacity,
           "closes_at": before.closes_at.isoformat() if before.closes_at else None,
           "meeting_starts_at": meeting.starts_at.isoformat(), "meeting_place": meeting.place}
    return {key: old[key] for key in override if key in old}


# --- one candidature ---------------------------------------------------------------------------


def find_candidature(state: State, candidature_id: str) -> Candidature:
    """The candidature with this id, in any case (« c0012 » is C0012)."""
    found = state.candidature(candidature_id)
    if found is None:
        raise StaffActionError(f"candidature inconnue « {candidature_id} » ; les candidatures "
                               "d’un groupe : mailflow candidates list GROUPE",
                               by_email=f"aucune candidature ne porte le numéro « {candidature_id} » ; "
                                        "nommez plutôt la personne, ou reprenez le numéro que donne "
                                        "le point du matin")
    return found


def plan_candidate_action(state: State, action: str, candidature_id: str, reason: str,
                          now: datetime) -> Plan:
    """Withdraw, refuse or promote one candidature: who is told what."""
    cand = find_candidature(state, candidature_id)
    if cand.group_id not in state.groups:  # removed from groups.toml since: no reply can be written
        raise StaffActionError(f"la candidature {cand.id} est au groupe « {cand.group_id} », qui "
                               f"n’est plus dans la configuration ; {unknown_group(state, cand.group_id)}")
    if action in ("withdraw", "refuse") and not cand.status.active:
        raise StaffActionError(f"la candidature {cand.id} a le statut « {STATUS[cand.status]} » : rien à "
                               f"{'retirer' if action == 'withdraw' else 'refuser'}")
    if action == "withdraw":
        decision = withdraw(state, cand, now, f"retrait par l’équipe : {reason}",
                            occasion=Occasion.TEAM_DECISION)
        after, replies = state_after(state, decision), list(decision.replies)
    elif action == "refuse":
        # forced: the team's decision, which the member's answer does not reopen (see member.py)
        refused = replace(cand, status=Status.REFUSED, reason=reason, updated_at=now, forced=True)
        after = state.with_candidatures(refused)
        promoted: list[Candidature] = []
        if cand.status.holds_place:
            after, promoted = promote(after, cand.group_id, now)
        # The team's decision, said so; a place held is freed, its invitation cancelled; other
        # groups offered only where she fits as far as we know her.
        cancels = cand.status is Status.CONFIRMED
        replies = [candidature_reply(after, refused, now, to=None, occasion=Occasion.TEAM_DECISION,
                                     cancels_invitation=cancels, passed_on=bool(promoted),
                                     calendar_sequence=state.groups[cand.group_id].first_meeting.sequence),
                   *promotion_replies(after, promoted, now)]
    elif action == "promote":
        if cand.status is not Status.WAITLISTED:
            raise StaffActionError(f"la candidature {cand.id} a le statut « {STATUS[cand.status]} » : "
                                   "seule une candidature en liste d’attente reçoit une place")
        moved = replace(cand, status=Status.CONFIRMED, reason="", forced=True, updated_at=now)
        after = state.with_candidatures(moved)
        moved = after.candidature(moved.id) or moved
        replies = [team_place_reply(after, moved, now)]
    else:
        raise StaffActionError(f"action inconnue « {action} »")
    summary = f"{ACTS[action]} {cand.id} ({cand.email}, groupe {cand.group_id})"
    return Plan(f"candidate-{action}", summary, state, after, replies,
                history={"summary": summary, "reason": reason, "group": cand.group_id,
                         "candidature": cand.id},
                key=f"staff:{action}", group_id=cand.group_id,
                alert_promotions=action != "promote")  # staff's own promotion needs no alert


def plan_add(state: State, group_id: str, now: datetime, *, email: str, name: str, department: str,
             structure: str | None, role: str | None, received_at: datetime) -> Plan:
    """A candidature taken in person: placed in the queue by its time, displacing later ones."""
    group = _group(state, group_id)
    group_id = group.id
    if department not in state.departments:
        raise StaffActionError(f"département inconnu « {department} » ; donnez son code, par "
                               f"exemple {', '.join(sorted(state.departments)[:4])}…")
    address = email.strip().lower()
    if "@" not in address or any(c.isspace() for c in address) or not address.isascii():
        raise StaffActionError(f"« {email} » n’est pas une adresse électronique")
    if received_at > now:
        future = f"est à venir ({format_date_fr(received_at, _zone(received_at))})"
        raise StaffActionError(f"--received-at : la date {future}", by_email=f"la date de réception {future}")
    if any(c.email == address and c.group_id == group_id and c.status.active
           for c in state.candidatures):
        raise StaffActionError(f"{address} a déjà une candidature en cours dans le groupe {group_id}")
    profile = Profile(name=name, structure=structure, role_text=role, department=department)
    cand = Candidature(
        id=state.new_id("C"), group_id=group_id, email=address, name=name, profile=profile,
        status=Status.WAITLISTED, seq=state.next_seq, received_at=received_at,
        message_key="staff", subject=f"Candidature – groupe « {group.title} »", in_person=True,
    )
    added = replace(state, candidatures=(*state.candidatures, cand), next_seq=state.next_seq + 1,
                    numbers=state.numbered(cand.id))
    after, up, down = replay(added, group_id, now)
    placed = next(c for c in after.candidatures if c.id == cand.id)
    # Who held a confirmed place had an invitation: the waiting-list reply cancels it.
    displaced = [candidature_reply(after, c, now, to=None, reason=DISPLACED, cancels_invitation=True,
                                   calls=())
                 for c in down if c.id != cand.id]
    replies = [candidature_reply(after, placed, now, to=None, calls=(), occasion=Occasion.TEAM_REGISTERED,
                                 received_at=placed.received_at),
               *displaced,
               *promotion_replies(after, [c for c in up if c.id != cand.id], now)]
    summary = (f"Ajout de la candidature {placed.id} ({address}) au groupe {group_id}, reçue en "
               f"personne : {STATUS[placed.status]}")
    return Plan("candidate-add", summary, state, after, replies,
                history={"summary": summary, "reason": "reçue en personne",
                         "received_at": received_at.isoformat(), "group": group_id,
                         "candidature": placed.id},
                key="staff:add", group_id=group_id)


# --- ideas and questions -----------------------------------------------------------------------


def plan_idea(state: State, change: IdeaChange, action: str, now: datetime) -> Plan:
    """An idea moved on (advanced, validated, declined, drafted into a group)."""
    idea = change.after
    after = replace(state, ideas=(*[i for i in state.ideas if i.id != idea.id], idea))
    drafted = None
    if change.group is not None:
        after = replace(after, groups={**after.groups, change.group.id: change.group})
        drafted = (change.group, drafted_extra(idea, now))
    changes = {"validated_on": idea.validated_on.isoformat() if idea.validated_on else None,
               "co_animated": idea.co_animated, "declined_reason": idea.declined_reason or None,
               "group": idea.group_id}
    what = ACTION.get(action, action)
    return Plan(action, f"{what[:1].upper()}{what[1:]} : {idea.id} « {idea.subject} »", state, after,
                [change.reply] if change.reply is not None else [],
                history={"idea": idea.id, "from": change.before.status.value, "to": idea.status.value,
                         "changes": {k: v for k, v in changes.items() if v is not None}},
                notes=list(change.notes), key=f"staff:{idea.id}", drafted=drafted,
                email_notes=list(change.email_notes) if change.email_notes is not None else None,
                group_id=change.group.id if change.group is not None else None)


def plan_question_done(state: State, question_id: str, actor: str, now: datetime) -> Plan:
    """A question answered outside the mailbox (by phone, from another address), closed."""
    question = find(state, question_id)
    if question is None:
        known = ", ".join(q.id for q in state.questions if q.status is QuestionStatus.OPEN)
        raise StaffActionError(f"question inconnue « {question_id} » ; questions en attente : "
                               f"{known or 'aucune'}")
    answered: Question = question
    if question.status is QuestionStatus.OPEN:
        answered = close(question, actor, now)
    after = replace(state, questions=tuple(answered if q.id == question.id else q
                                           for q in state.questions))
    return Plan("question-done", f"Question close : {question.id} de {question.email}", state, after,
                history={"question": question.id, "group": question.group_id,
                         "email": question.email},
                key=f"staff:{question.id}", group_id=question.group_id, lists_sent=False)
