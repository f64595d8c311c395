"""Ideas for new working groups: their states, transitions, replies and drafted groups, all pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ...model.enums import Template
from ...model.values import (
    CallStatus,
    CaseKind,
    Criteria,
    Decision,
    Group,
    Idea,
    IdeaStatus,
    Inbound,
    Intent,
    Meeting,
    Outcome,
    Reply,
    State,
)
from ..french import IDEA_STATUS, format_date_fr, plural
from ..read.classify import IDEA, IDEA_ATTACHMENT
from ..read.text import fold
from .places import calls

#: The path of an idea, one step at a time; `declined` is reachable from every non-final state.
NEXT: Mapping[IdeaStatus, IdeaStatus] = {
    IdeaStatus.RECEIVED: IdeaStatus.DISCUSSION,
    IdeaStatus.DISCUSSION: IdeaStatus.NOTE_RECEIVED,
    IdeaStatus.NOTE_RECEIVED: IdeaStatus.VALIDATED,
    IdeaStatus.VALIDATED: IdeaStatus.DRAFTED,
}
#: Every allowed transition, as data: the next step or `declined`; and a note d'intention may
#: come by email before any discussion (received → note-received).
TRANSITIONS: Mapping[IdeaStatus, frozenset[IdeaStatus]] = {
    status: frozenset({NEXT[status], IdeaStatus.DECLINED}
                      | ({IdeaStatus.NOTE_RECEIVED} if status is IdeaStatus.RECEIVED else set()))
    if not status.final else frozenset()
    for status in IdeaStatus
}
#: States in which a note d'intention sent by email is taken as this idea's note.
AWAITING_NOTE = frozenset({IdeaStatus.RECEIVED, IdeaStatus.DISCUSSION})
#: …and in which a later one completes it (the status stays).
TAKES_NOTE = AWAITING_NOTE | {IdeaStatus.NOTE_RECEIVED}
#: The steps `advance` takes; the others need their own command (and its data).
ADVANCED_BY_HAND = frozenset({IdeaStatus.RECEIVED, IdeaStatus.DISCUSSION})
#: The MONA team co-animates at most this many groups a calendar year.
CO_ANIMATED_PER_YEAR = 5


#: What a drafted group starts with until staff set it (`mailflow groups set`).
DRAFT_CAPACITY = 12
DRAFT_MEETING_DELAY = timedelta(days=90)
DRAFT_MEETING_TIME = time(9, 30)
DRAFT_PLACE = "lieu à préciser"
DRAFT_REQUIRED = ("name", "structure", "role", "department")
DRAFT_PARTICIPANTS = "Ouvert aux membres du réseau de la MONA."
DRAFT_COMMITMENT = ("suivre les deux journées en présentiel et au moins deux réunions à distance ; "
                    "les frais de déplacement sont à la charge de la structure participante")
DRAFT_PLACEHOLDERS = ("capacity", "first_meeting.starts_at", "first_meeting.place")


class IdeaError(ValueError):
    """A change to an idea that the rules do not allow; the message says why, for staff at the
    command line, and `by_email` for staff who act by email (the message itself by default)."""

    def __init__(self, message: str, *, by_email: str = "") -> None:
        super().__init__(message)
        self.by_email = by_email or message


class UnknownIdeaError(IdeaError):
    """No idea has this id."""


class CoAnimationLimitError(IdeaError):
    """Validating this idea would make one co-animated group too many in the board's year."""

    def __init__(self, message: str, validated: tuple[Idea, ...], *, by_email: str = "") -> None:
        super().__init__(message, by_email=by_email)
        self.validated = validated


@dataclass(frozen=True)
class IdeaChange:
    """What a staff action does to an idea: the idea after, the member's mail, a drafted group."""

    before: Idea
    after: Idea
    reply: Reply | None = None
    group: Group | None = None
    notes: tuple[str, ...] = ()  # for staff at the command line…
    email_notes: tuple[str, ...] | None = None  # …and by email (None: the same)


# --- reading the state ---------------------------------------------------------------------------


def current(state: State) -> dict[str, Idea]:
    """Each idea's latest version by id (within a batch the state may hold an older one too)."""
    latest: dict[str, Idea] = {}
    for idea in state.ideas:
        latest[idea.id] = idea
    return dict(sorted(latest.items(), key=lambda item: item[1].seq))


def find(state: State, idea_id: str) -> Idea:
    """The idea with this id (case-insensitive), or UnknownIdeaError naming the known ones."""
    found = state.idea(idea_id)
    if found is not None:
        return found
    known = ", ".join(current(state)) or "aucune pour l’instant"
    raise UnknownIdeaError(f"idée inconnue « {idea_id} » ; idées connues : {known}")


def co_animated_in(state: State, year: int, *, besides: str = "") -> tuple[Idea, ...]:
    """Ideas validated as co-animated groups by the board in that calendar year."""
    return tuple(
        i for i in current(state).values()
        if i.id != besides and i.co_animated and i.validated_on is not None
        and i.validated_on.year == year
        and i.status in (IdeaStatus.VALIDATED, IdeaStatus.DRAFTED)
    )


def _at(idea: Idea, source: IdeaStatus) -> str:
    """« l’idée I0003 en est à l’étape « reçue » », to begin a refusal with."""
    return f"l’idée {idea.id} en est à l’étape « {IDEA_STATUS[source]} »"


def can_move(source: IdeaStatus, target: IdeaStatus) -> bool:
    """Whether the idea may go from `source` to `target` in one step."""
    return target in TRANSITIONS[source]


def _moved(idea: Idea, target: IdeaStatus, now: datetime, actor: str, what: str = "",
           **fields: Any) -> Idea:
    source = idea.status
    if not can_move(source, target):
        raise IdeaError(f"{_at(idea, source)} : elle ne peut pas passer à « {IDEA_STATUS[target]} »")
    event = (now.isoformat(), what or target.value, actor)
    return replace(idea, status=target, history=(*idea.history, event), updated_at=now,
                   **fields)


# --- mail from members ---------------------------------------------------------------------------


def brings_note(message: Inbound) -> bool:
    """Whether the message brings a note d'intention: said in the subject or text, or a file so named."""
    texts = [fold(f"{message.subject}\n{message.new_text}"),
             *(fold(a.filename) for a in message.attachments)]
    return any(m.group(0).startswith("note")
               for text in texts for m in IDEA_ATTACHMENT.finditer(text))


def _awaiting_note(state: State, intent: Intent) -> Idea | None:
    """The sender's open idea this note is for: the one the message answers, else the latest."""
    sender = intent.sender.lower()
    mine = [i for i in current(state).values()
            if i.email.lower() == sender and i.status in TAKES_NOTE]
    thread = {intent.message.in_reply_to, *intent.message.references} - {None}
    case = intent.case.id if intent.case is not None and intent.case.kind is CaseKind.IDEA else None
    linked = [i for i in mine if i.message_id in thread or i.id == case]
    return (linked or mine)[-1] if mine else None


def ideas_of(state: State, email: str, idea_id: str | None = None) -> list[Idea]:
    """The sender's ideas (just this one when the message answers its thread), oldest first."""
    sender = email.lower()
    return [i for i in current(state).values()
            if i.email.lower() == sender and (idea_id is None or i.id == idea_id)]


def idea_status_decision(state: State, intent: Intent, now: datetime,
                         ideas: list[Idea]) -> Decision:
    """« Où en est ma proposition ? »: each idea's stage and what comes next; nothing changes."""
    replies = tuple(replace(_answer(state, intent, Outcome.STATUS, Template.IDEA_STATUS, now), idea=i)
                    for i in ideas)
    return Decision(Outcome.STATUS, f"point sur {plural(len(ideas), 'idée')} demandé par {intent.sender}",
                    replies=replies)


def _answer(state: State, intent: Intent, outcome: Outcome, template: Template, now: datetime) -> Reply:
    message = intent.message
    return Reply(outcome=outcome, to=intent.sender, to_name=intent.name, template=template,
                 in_reply_to=message.message_id, references=message.references,
                 subject=message.subject,
                 calls=tuple(c for c in calls(state, now) if c.accepting), profile=intent.profile)


def _filenames(message: Inbound) -> tuple[str, ...]:
    return tuple(a.filename for a in message.attachments if a.filename)


def idea_decision(state: State, intent: Intent, now: datetime) -> Decision:
    """A message classified as an idea: a new idea, or the note d'intention of an open one."""
    message = intent.message
    arrived = message.arrived(now)
    idea = _awaiting_note(state, intent) if brings_note(message) else None
    if idea is not None:
        files = (*idea.attachments, *_filenames(message))
        if idea.status is IdeaStatus.NOTE_RECEIVED:  # a second note completes the first
            event = (now.isoformat(), "note d’intention complétée par e-mail", intent.sender)
            note = f"{idea.note}\n\n{message.new_text}".strip()[:8000]
            noted = replace(idea, note=note, attachments=files, history=(*idea.history, event),
                            updated_at=now)
        else:
            noted = _moved(idea, IdeaStatus.NOTE_RECEIVED, now, intent.sender,
                           "note d’intention reçue par e-mail", note=message.new_text[:4000],
                           note_received_at=arrived, attachments=files)
        return Decision(
            Outcome.IDEA_NOTE_RECEIVED,
            f"note d’intention de l’idée {idea.id} reçue de {intent.sender}",
            ideas=(noted,),
            replies=(replace(_answer(state, intent, Outcome.IDEA_NOTE_RECEIVED,
                                     Template.IDEA_NOTE_RECEIVED, now), idea=noted),),
        )
    idea = Idea(
        id=state.new_id("I"),
        seq=state.next_seq,
        email=intent.sender,
        name=intent.name,
        subject=message.subject,
        summary=message.new_text[:2000],
        received_at=arrived,
        message_key=message.key,
        attachments=_filenames(message),
        status=IdeaStatus.RECEIVED,
        message_id=message.message_id,
        history=((arrived.isoformat(), IdeaStatus.RECEIVED.value, intent.sender),),
    )
    return Decision(
        Outcome.IDEA_RECEIVED,
        f"idée {idea.id} reçue de {intent.sender}",
        ideas=(idea,),
        replies=(replace(_answer(state, intent, Outcome.IDEA_RECEIVED, Template.IDEA_RECEIVED, now),
                         idea=idea),),
    )


# --- staff actions -------------------------------------------------------------------------------


def _tell(idea: Idea, outcome: Outcome, template: Template, reason: str = "") -> Reply:
    """A mail to the idea's author, in the thread of their first message."""
    return Reply(outcome=outcome, to=idea.email, to_name=idea.name, template=template,
                 in_reply_to=idea.message_id, subject=idea.subject, reason=reason, idea=idea)


def advance(idea: Idea, now: datetime, actor: str) -> IdeaChange:
    """One step by hand: received → discussion, discussion → note-received (the member is told)."""
    source = idea.status
    if source not in ADVANCED_BY_HAND:
        hint = {
            IdeaStatus.NOTE_RECEIVED: f"enregistrez la décision du CA avec « mailflow ideas validate "
                                      f"{idea.id} --board-date AAAA-MM-JJ »",
            IdeaStatus.VALIDATED: f"préparez son groupe avec « mailflow ideas draft {idea.id} »",
        }.get(source, "aucune étape ne suit")
        written = {  # the same, as staff write it to the mailbox
            IdeaStatus.NOTE_RECEIVED: f"pour enregistrer la décision du CA, écrivez « Valider "
                                      f"l’idée {idea.id} (CA du …) » avec la date de la séance",
            IdeaStatus.VALIDATED: f"pour préparer son groupe, écrivez « Préparer le groupe de l’idée "
                                  f"{idea.id} »",
        }.get(source, hint)
        raise IdeaError(f"{_at(idea, source)} : {hint}", by_email=f"{_at(idea, source)} : {written}")
    target = NEXT[source]
    if target is IdeaStatus.NOTE_RECEIVED:
        after = _moved(idea, target, now, actor, "note d’intention enregistrée par l’équipe",
                       note_received_at=now)
        reply = _tell(after, Outcome.IDEA_NOTE_RECEIVED, Template.IDEA_NOTE_RECEIVED)
        return IdeaChange(idea, after, reply)
    return IdeaChange(idea, _moved(idea, target, now, actor))


def _day(day: date) -> str:
    """A day in words: « mardi 1er décembre 2026 »."""
    return format_date_fr(day, ZoneInfo("UTC"))


def validated_text(board_date: date, co_animated: bool) -> str:
    """What the validation mail says of the board's decision and of the co-animation."""
    day = format_date_fr(datetime.combine(board_date, time()), ZoneInfo("UTC"))
    text = (f"le Conseil d’administration de la MONA a validé votre proposition de groupe de "
            f"travail lors de sa séance du {day}. ")
    if co_animated:
        return text + "L’équipe de la MONA co-animera ce groupe avec vous"
    return text + ("Ce groupe ne fera pas partie de ceux que l’équipe de la MONA co-anime cette "
                   "année : vous en assurerez l’animation, et l’équipe vous apportera son "
                   "assistance technique")


def validate(state: State, idea_id: str, board_date: date, co_animated: bool, now: datetime,
             actor: str) -> IdeaChange:
    """Record the board's validation; at most 5 co-animated groups per calendar year."""
    idea = find(state, idea_id)
    source = idea.status
    if source is not IdeaStatus.NOTE_RECEIVED:
        hint = (f" ; si elle est arrivée par un autre chemin : « mailflow ideas advance {idea.id} »"
                if source in ADVANCED_BY_HAND else "")
        written = (f" ; si elle est arrivée par un autre chemin, écrivez « Avancer l’idée {idea.id} »"
                   if hint else "")
        why = f"{_at(idea, source)} : le CA valide une idée une fois sa note d’intention reçue"
        raise IdeaError(why + hint, by_email=why + written)
    if board_date > (now + timedelta(days=1)).date():
        why = f"la séance du CA du {_day(board_date)} est à venir"
        raise IdeaError(f"--board-date : {why}", by_email=why)
    if board_date < (idea.received_at - timedelta(days=1)).date():
        why = (f"la séance du CA du {_day(board_date)} précède l’arrivée de l’idée (le "
               f"{_day(idea.received_at.date())})")
        raise IdeaError(f"--board-date : {why}", by_email=why)
    if co_animated:
        already = co_animated_in(state, board_date.year, besides=idea.id)
        if len(already) >= CO_ANIMATED_PER_YEAR:
            listed = " ; ".join(f"{i.id} « {i.subject} » (CA du {_day(i.validated_on)})"
                                for i in already if i.validated_on is not None)
            why = (f"l’équipe de la MONA co-anime au plus {CO_ANIMATED_PER_YEAR} groupes par an, et "
                   f"{len(already)} sont déjà validés pour {board_date.year} : {listed}. Ajoutez ")
            raise CoAnimationLimitError(
                f"{why}--not-co-animated si l’équipe ne co-anime pas celui-ci", already,
                by_email=f"{why}« sans co-animation » à votre message si l’équipe ne co-anime pas celui-ci")
    how = "co-animé" if co_animated else "sans co-animation"
    after = _moved(idea, IdeaStatus.VALIDATED, now, actor,
                   f"validée par le CA le {_day(board_date)} ({how})",
                   validated_on=board_date, co_animated=co_animated)
    reply = _tell(after, Outcome.IDEA_VALIDATED, Template.IDEA_VALIDATED,
                  validated_text(board_date, co_animated))
    return IdeaChange(idea, after, reply)


def decline(idea: Idea, reason: str, now: datetime, actor: str) -> IdeaChange:
    """Decline an idea that is not final; the member is told the reason, when there is one (the
    command line asks for one; staff by email may give none, and are told what the member reads)."""
    reason = " ".join(reason.split())
    after = _moved(idea, IdeaStatus.DECLINED, now, actor, f"déclinée : {reason}" if reason else "déclinée",
                   declined_reason=reason)
    return IdeaChange(idea, after, _tell(after, Outcome.IDEA_DECLINED, Template.IDEA_DECLINED, reason))


# --- the group drafted from an idea --------------------------------------------------------------

_PREFIXES = re.compile(r"^(?:\s*(?:re|r[ée]f|tr|fwd?|aw|wg)\s*[:\u00a0\u202f]\s*)+", re.IGNORECASE)
_ELIDED = re.compile(r"\b[cdjlmnst]'")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_GREETING = re.compile(r"^(bonjour|bonsoir|hello|madame|monsieur|cher|chere|chers|cheres)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def draft_title(idea: Idea) -> str:
    """A title from the idea's subject: without « Re : » nor « Idée de groupe… : »."""
    subject = _PREFIXES.sub("", " ".join(idea.subject.split())).strip()
    head, colon, tail = subject.rpartition(":")
    if colon and len(tail.strip()) >= 3 and IDEA.search(fold(head)):
        subject = tail.strip()
    subject = subject.strip(" .:;-–")
    return subject[:1].upper() + subject[1:] if subject else f"Groupe issu de l’idée {idea.id}"


def slug(text: str, taken: Mapping[str, object] | None = None) -> str:
    """A group id from a title: lower-case ASCII words joined by dashes, unique among `taken`."""
    words = _NOT_SLUG.sub("-", _ELIDED.sub("", fold(text))).strip("-")
    if len(words) > 40:
        words = words[:41].rpartition("-")[0] or words[:40]
    base = words.strip("-") or "groupe"
    result, n = base, 2
    while taken is not None and result in taken:
        result, n = f"{base}-{n}", n + 1
    return result


def draft_context(idea: Idea, limit: int = 800) -> str:
    """The idea's text as a group's context: one paragraph, without the greeting."""
    lines = [line.strip() for line in idea.summary.splitlines()]
    kept = [line for line in lines if line and not _GREETING.match(fold(line))]
    text = " ".join(" ".join(kept).split())
    if len(text) > limit:
        cut = [m.start() for m in _SENTENCE_END.finditer(text) if m.start() <= limit]
        text = text[:cut[-1]] if cut else text[:limit].rpartition(" ")[0] + " …"
    return text or idea.subject


def draft_group(state: State, idea_id: str, now: datetime, actor: str, tz: tzinfo, *,
                group_id: str | None = None, title: str | None = None,
                context: str | None = None) -> IdeaChange:
    """A draft group from a validated idea: staff complete it, then open its call.

    Capacity and first meeting are placeholders (12 places; the board date + 90 days at 9:30,
    or today + 90 days when that is already past; place to be given) until `groups set`.
    """
    idea = find(state, idea_id)
    source = idea.status
    if source is not IdeaStatus.VALIDATED:
        raise IdeaError(f"{_at(idea, source)} : seule une idée validée reçoit un groupe")
    assert idea.validated_on is not None
    title = " ".join((title or draft_title(idea)).split())
    if group_id is not None:
        # Only the command line names the group's id (by email, it comes from the title).
        if not SLUG.match(group_id):
            why = f"« {group_id} » : lettres minuscules sans accent, chiffres et tirets seulement"
            raise IdeaError(f"--group-id {why}", by_email=f"l’identifiant de groupe {why}")
        if group_id in state.groups:
            why = f"le groupe « {group_id} » existe déjà"
            raise IdeaError(f"--group-id : {why}", by_email=why)
    else:
        group_id = slug(title, state.groups)
    day = idea.validated_on + DRAFT_MEETING_DELAY
    if day <= now.date():
        day = now.date() + DRAFT_MEETING_DELAY
    starts = datetime.combine(day, DRAFT_MEETING_TIME, tzinfo=tz)
    group = Group(
        id=group_id, title=title, aliases=(), context=" ".join((context or draft_context(idea)).split()),
        objectives=(), participants=DRAFT_PARTICIPANTS, capacity=DRAFT_CAPACITY,
        quota_coastal=None, quota_inland=None, criteria=Criteria(), required=DRAFT_REQUIRED,
        first_meeting=Meeting(starts, DRAFT_PLACE), commitment=DRAFT_COMMITMENT,
        call=CallStatus.DRAFT,
    )
    after = _moved(idea, IdeaStatus.DRAFTED, now, actor, f"groupe {group_id} préparé",
                   group_id=group_id)
    fix = (f"à fixer avant l’ouverture : {DRAFT_CAPACITY} places et la première rencontre le "
           f"{format_date_fr(starts, tz)} ({DRAFT_PLACE}) sont provisoires ; ")
    notes = (f"{fix}« mailflow groups set {group_id} --capacity N --meeting-date … --place … », "
             f"puis « mailflow groups open {group_id} »",)
    written = (f"{fix}écrivez par exemple « Passer le groupe « {title} » à 15 places », « Déplacer la "
               f"première rencontre du groupe « {title} » au … à …, lieu : … », puis « Ouvrir l’appel "
               f"du groupe « {title} » »",)
    return IdeaChange(idea, after, group=group, notes=notes, email_notes=written)


def drafted_extra(idea: Idea, now: datetime) -> dict[str, Any]:
    """What the store keeps beside a drafted group's values: its idea and its placeholders."""
    return {"from_idea": idea.id, "drafted_at": now.isoformat(),
            "placeholders": list(DRAFT_PLACEHOLDERS),
            "note": "capacity and first meeting are placeholders until set with "
                    "`mailflow groups set`"}
