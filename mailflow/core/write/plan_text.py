"""Staff's changes told in French: a plan (what it changes and which mail goes, for a command or an
email), and a setting where staff's change overrides the groups file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from ...model.network import Divergence
from ...model.values import CallStatus, Candidature, Group, IdeaStatus, State, Status
from ..decide.overrides import GROUPS_FILE
from ..decide.places import position
from ..decide.staff_plans import Plan
from ..french import (
    CALL,
    IDEA_STATUS,
    QUESTION_STATUS,
    STATUS,
    format_date_fr,
    french_typography,
    outcome_words,
    plural,
)

#: (outcome value, recipients, subject) of one message the plan sends.
Send = tuple[str, Sequence[str], str]


def plan_lines(plan: Plan, sends: Sequence[Send], *, applied: bool,
               tz: ZoneInfo | None = None, by_email: bool = False) -> list[str]:
    """What the plan changes and the mail it sends (will send, or sent once `applied`), in French.

    Only what changes is told: a group's settings before → after, each candidature whose place
    changes, ideas and questions moved on, what staff should know; never the store's fields.
    Dates are in `tz`, by default the zone the groups' dates are written in (the network's);
    `by_email`, the notes are those for a staff member who has no command line.
    """
    zone = tz or _zone(plan.after)
    changes = [*_groups(plan, zone), *_candidatures(plan), *_ideas(plan.before, plan.after, zone),
               *_questions(plan.before, plan.after), *_review(plan)]
    lines = [plan.summary, *(changes or ["  rien ne change"])]
    notes = plan.email_notes if by_email and plan.email_notes is not None else plan.notes
    lines += [f"À savoir : {note}" for note in notes]
    lines += _sends(sends, applied)
    return [french_typography(line) for line in lines]


def _review(plan: Plan) -> list[str]:
    """An outcome whose replies staff stop (or start again) reading before they go."""
    if plan.review is None:
        return []
    outcome, on = plan.review
    said = "attendront la relecture de l’équipe" if on else "partiront sans relecture"
    return [f"  réponses « {outcome_words(outcome)} » : {said}"]


def _zone(state: State) -> ZoneInfo:
    zones = (g.first_meeting.starts_at.tzinfo for g in state.groups.values())
    return next((z for z in zones if isinstance(z, ZoneInfo)), ZoneInfo("UTC"))


def _when(value: datetime | None, tz: ZoneInfo) -> str:
    return "aucune" if value is None else format_date_fr(value, tz)


# --- groups --------------------------------------------------------------------------------------


def _groups(plan: Plan, tz: ZoneInfo) -> list[str]:
    out: list[str] = []
    placeholders = set(plan.drafted[1].get("placeholders", ())) if plan.drafted else set()
    for group_id, after in plan.after.groups.items():
        before = plan.before.groups.get(group_id)
        if before is None:
            out.append(_drafted(after, placeholders, tz))
        elif before != after:
            diffs = _group_diffs(before, after, tz)
            if diffs and group_id == plan.group_id:  # the group the summary names
                out += [f"  {diff}" for diff in diffs]
            elif diffs:
                out.append(f"  Groupe « {after.title} » ({group_id}) :")
                out += [f"    {diff}" for diff in diffs]
    return out


def _group_diffs(before: Group, after: Group, tz: ZoneInfo) -> list[str]:
    out: list[str] = []
    if before.call is not after.call:
        out.append(f"appel : {CALL[before.call]} → {CALL[after.call]}")
    if before.capacity != after.capacity:
        out.append(f"places : {before.capacity} → {after.capacity}")
    if before.closes_at != after.closes_at:
        out.append(f"clôture de l’appel : {_when(before.closes_at, tz)} → {_when(after.closes_at, tz)}")
    old, new = before.first_meeting, after.first_meeting
    if old.starts_at != new.starts_at:
        out.append(f"première rencontre : {_when(old.starts_at, tz)} → {_when(new.starts_at, tz)}")
    if old.place != new.place:
        out.append(f"lieu de la première rencontre : {old.place} → {new.place}")
    return out


def _drafted(group: Group, placeholders: set[str], tz: ZoneInfo) -> str:
    def mark(key: str) -> str:
        return " (provisoire)" if key in placeholders else ""

    return (f"  Nouveau groupe « {group.title} » ({group.id}) : appel {CALL[group.call]}, "
            f"{plural(group.capacity, 'place')}{mark('capacity')}, première rencontre le "
            f"{_when(group.first_meeting.starts_at, tz)}{mark('first_meeting.starts_at')}, "
            f"{group.first_meeting.place}{mark('first_meeting.place')}")


# --- candidatures --------------------------------------------------------------------------------


def _candidatures(plan: Plan) -> list[str]:
    before = {c.id: c for c in plan.before.candidatures}
    changed = [c for c in plan.after.candidatures
               if c.id not in before or before[c.id].status is not c.status]
    first = plan.history.get("candidature")
    changed.sort(key=lambda c: c.id != first)  # the candidature acted on, then who it moves
    out = []
    for cand in changed:
        who = f"{cand.name} <{cand.email}>" if cand.name else cand.email
        what = _moved(plan.after, before.get(cand.id), cand)
        out.append(f"  {cand.id} {who} ({cand.group_id}) : {what}")
    return out


def _where(state: State, cand: Candidature) -> str:
    if cand.status is Status.CONFIRMED:
        return f"place {position(state, cand)} sur {state.groups[cand.group_id].capacity}"
    if cand.status is Status.WAITLISTED:
        return f"position {position(state, cand)}"
    return ""


def _moved(state: State, old: Candidature | None, new: Candidature) -> str:
    where = _where(state, new)
    reason = f" ({new.reason})" if new.reason else ""
    if old is None:
        return f"nouvelle candidature, {STATUS[new.status]}" + (f", {where}" if where else reason)
    if old.status is Status.WAITLISTED and new.status is Status.CONFIRMED:
        how = "place donnée par l’équipe" if new.forced else "sortie de la liste d’attente"
        return f"{how}, {where}"
    if old.status.holds_place and new.status is Status.WAITLISTED:
        return f"passée en liste d’attente, {where}"
    return f"{STATUS[old.status]} → {STATUS[new.status]}" + (f", {where}" if where else reason)


# --- ideas and questions -------------------------------------------------------------------------


def _ideas(before: State, after: State, tz: ZoneInfo) -> list[str]:
    old = {i.id: i for i in before.ideas}
    out = []
    for idea in after.ideas:
        was = old.get(idea.id)
        if was is not None and was.status == idea.status:
            continue
        status = idea.status
        moved = (f"{IDEA_STATUS[was.status]} → " if was is not None else "")
        detail = ""
        if status is IdeaStatus.VALIDATED and idea.validated_on is not None:
            who = ("co-animé par l’équipe de la MONA" if idea.co_animated
                   else "sans co-animation de l’équipe de la MONA")
            detail = f" (séance du CA du {format_date_fr(idea.validated_on, tz)}, {who})"
        elif status is IdeaStatus.DECLINED:
            detail = f" (motif : {idea.declined_reason})"
        elif status is IdeaStatus.DRAFTED and idea.group_id:
            detail = f" (groupe {idea.group_id})"
        out.append(f"  Idée {idea.id} « {idea.subject} » : {moved}{IDEA_STATUS[status]}{detail}")
    return out


def _questions(before: State, after: State) -> list[str]:
    old = {q.id: q for q in before.questions}
    out = []
    for question in after.questions:
        was = old.get(question.id)
        if was is None or was.status is question.status:
            continue
        out.append(f"  Question {question.id} « {question.subject or '(sans objet)'} » de "
                   f"{question.email} : {QUESTION_STATUS[was.status]} → "
                   f"{QUESTION_STATUS[question.status]}")
    return out


# --- mail ----------------------------------------------------------------------------------------


def _sends(sends: Sequence[Send], applied: bool) -> list[str]:
    if not sends:
        return ["Aucun message envoyé." if applied else "Aucun message ne sera envoyé."]
    count = len(sends)
    if applied:
        head = f"{plural(count, 'message envoyé', 'messages envoyés')} :"
    else:
        head = f"{plural(count, 'message')} {'sera envoyé' if count == 1 else 'seront envoyés'} :"
    return [head, *(f"  {outcome_words(outcome)} → {', '.join(to)} : « {subject} »"
                    for outcome, to, subject in sends)]


def value_words(value: object, tz: ZoneInfo) -> str:
    """A setting's value as people read it: a call in French, a date in words, a place quoted."""
    if isinstance(value, CallStatus):
        return CALL[value]
    if isinstance(value, datetime):
        return format_date_fr(value, tz)
    if value is None:
        return "aucune"
    return f"« {value} »" if isinstance(value, str) else str(value)


def divergence_line(item: Divergence, tz: ZoneInfo, file_name: str = GROUPS_FILE) -> str:
    """« capacity : groups.toml dit 30 ; l’équipe a fixé 25 le … par … : c’est 25 qui vaut ; … »."""
    said, kept = value_words(item.in_file, tz), value_words(item.in_force, tz)
    when = (f"le {format_date_fr(item.at.astimezone(tz).date(), tz)}" if item.at is not None
            else "(date inconnue)")
    who = f" par {item.by}" if item.by else ""
    return (f"{item.key} : {file_name} dit {said} ; l’équipe a fixé {kept} {when}{who} : "
            f"c’est {kept} qui vaut ; pour revenir à la valeur du fichier : {item.reset_command}")
