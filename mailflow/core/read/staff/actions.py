"""Each action a staff member may ask for, made from what the message says: its target, its
figures and dates; or what is missing for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ....model.values import CallStatus, IdeaStatus, QuestionStatus, StaffVerb, State, Status
from .lexicon import MOVE, OPEN, alt
from .request import Command, Mentions, Missing, Unclear, Words
from .slots import (
    SAME_TIME,
    board_date,
    closing_at,
    meeting_time,
    new_capacity,
    new_dates,
    new_place,
    new_time,
)

Made = Command | Unclear | tuple[Command, ...] | None  # None: the message names nothing it acts on


@dataclass(frozen=True)
class Context:
    """What every action is made from."""

    words: Words
    found: Mentions
    state: State
    now: datetime
    tz: ZoneInfo
    about: str | None  # the candidature, idea or question the message's thread is about
    own: tuple[str, ...] = ()  # the staff's and the mailbox's addresses: never a member's


# --- groups ------------------------------------------------------------------------------------------


def _group(ctx: Context, verb: StaffVerb) -> str | tuple[str, ...] | Unclear | None:
    """The group the message is about: named once, or the group of the candidature it names; a
    tie is a choice to offer."""
    groups = ctx.found.groups
    if not groups:
        cands = [ctx.state.candidature(m.id) for m in ctx.found.candidatures if m.score >= 2]
        owned = {c.group_id for c in cands if c is not None}
        if len(owned) == 1:
            return owned.pop()
        return None
    best = [m.id for m in groups if m.score == groups[0].score]
    return best[0] if len(best) == 1 else tuple(best)


def _each(ctx: Context, verb: StaffVerb, make: Callable[[str], Command | Unclear]) -> Made:
    """The command for the group named, one per group when several are named as surely; none
    named, the question of which (« Ouvrir l'appel »)."""
    target = _group(ctx, verb)
    if target is None and _named_objects(ctx):
        return None  # « on peut la clore » of a question, an idea, a candidature: not a group's call
    if target is None:
        return Unclear(Missing.GROUP, verb)
    if isinstance(target, Unclear):
        return target
    if isinstance(target, str):
        return make(target)
    made = [make(t) for t in target]
    commands = tuple(m for m in made if isinstance(m, Command))
    return commands or made[0]


def _named_objects(ctx: Context) -> tuple[str, ...]:
    found = ctx.found
    named = [*found.candidatures[:2], *found.ideas[:1], *found.questions[:1]]
    return tuple(m.id for m in named if m.score >= 1.5)


#: The call closed now, whatever date is named beside (« dès aujourd'hui, sans attendre le 1er septembre »).
_NOW = re.compile(r"\b(?:des aujourd hui|aujourd hui meme|des maintenant|des a present|immediatement"
                  r"|tout de suite"
                  r"|sans attendre|sur le champ|des ce soir|illico)\b")


def close(ctx: Context) -> Made:
    dates = new_dates(ctx.words.plain, ctx.now, ctx.tz, set(), near=_CLOSING, month_ends=True)
    if dates and dates[0].day > ctx.now.astimezone(ctx.tz).date() and not _NOW.search(ctx.words.plain):
        return deadline(ctx)  # « on ferme l'appel le 26 mars »: the date it closes
    return _each(ctx, StaffVerb.CLOSE, lambda g: Command(StaffVerb.CLOSE, g))


def open_(ctx: Context) -> Made:
    dates = new_dates(ctx.words.plain, ctx.now, ctx.tz, set(), near=_CLOSING, month_ends=True)
    if dates and dates[0].day > ctx.now.astimezone(ctx.tz).date():
        return deadline(ctx)  # « on relance l'appel, clôture le 31 janvier »: open until then
    return _each(ctx, StaffVerb.OPEN, lambda g: Command(StaffVerb.OPEN, g))


#: A room's count that holds those who run the group too: they take no member's place.
_HOSTS_INCLUDED = re.compile(r"\b(?:animat\w*|intervenant\w*|organisat\w*|equipe|nous"
                             r"|staff)(?: \w+)? compris\b"
                             r"|\by compris (?:les |nous|l )?"
                             r"(?:animat\w*|intervenant\w*|organisat\w*|equipe)")
_HOSTS_COUNT = re.compile(r"\b(?:on sera|nous serons|on est|nous sommes|serons) (?P<n>\d{1,2}) (?:a animer"
                          r"|animat\w*"
                          r"|pour animer|a l animation)|\b(?P<n2>\d{1,2}) animat\w*")


def capacity(ctx: Context) -> Made:
    def make(group_id: str) -> Command | Unclear:
        current = ctx.state.groups[group_id].capacity
        total = new_capacity(ctx.words.plain, current)
        if total is None and ctx.words.below_plain and (ctx.words.refers_below or ctx.words.forwarded):
            total = new_capacity(ctx.words.below_plain, current)
        if total is not None and _HOSTS_INCLUDED.search(ctx.words.plain):
            # « 22 personnes maximum, animateurs compris… on sera deux à animer »: 20 places
            hosts = _HOSTS_COUNT.search(ctx.words.plain)
            total = total - int(hosts["n"] or hosts["n2"]) if hosts else None
        if total is None or total < 1:
            return Unclear(Missing.NUMBER, StaffVerb.CAPACITY, (group_id,))
        return Command(StaffVerb.CAPACITY, group_id, "", {"capacity": str(total)})
    return _each(ctx, StaffVerb.CAPACITY, make)


#: A place said as such (« lieu : », « à la salle », « se tiendra à »): a town named otherwise is
#: someone's (« les collègues de Nontron »).
_PLACE_SAID = re.compile(r"\b(?:lieu|salle|endroit|adresse|locaux|se tiendra|aura lieu|se fera|se deroulera|"
                         r"on la fait|on part sur|on va a|chez|meme jour|meme date|accueilli\w*|recus?"
                         r"|plutot qu a"
                         r"|au lieu d a)\b"
                         r"|\bdeplac\w*(?: \w+){0,5} a [a-z]")


def meeting(ctx: Context, missing: Missing = Missing.DATE) -> Made:
    """A new date, time or place for the group's first meeting (any of them, or all)."""
    def make(group_id: str) -> Command | Unclear:
        starts = ctx.state.groups[group_id].first_meeting.starts_at.astimezone(ctx.tz)
        fields = (_moved(ctx, ctx.words.plain, starts) or _shifted(ctx, starts) or _retimed(ctx, starts)
                  or _moved(ctx, ctx.words.below_plain, starts) or _its_own_day(ctx, starts))
        unchanged = "when" not in fields or datetime.fromisoformat(fields["when"]) == starts
        # a day said as it is (« la réunion du 6 avril ») changes nothing: the change may be its town
        said = missing is Missing.PLACE or unchanged or _PLACE_SAID.search(ctx.words.plain)
        moved = _place_change(ctx, group_id) if said else None
        if moved is not None:  # « le mardi 13 avril à 10 h, lieu : Sarlat »: both at once
            fields = {**fields, **moved.fields}
        if not fields:
            return Unclear(missing, StaffVerb.MEETING, (group_id,))
        return Command(StaffVerb.MEETING, group_id, "", fields)
    return _each(ctx, StaffVerb.MEETING, make)


def _moved(ctx: Context, text: str, starts: datetime) -> dict[str, str]:
    """A new date for the meeting (with its time, or the time it keeps)."""
    dates = new_dates(text, ctx.now, ctx.tz, {starts.date()}) if text else []
    if not dates:
        return {}
    clock, how = meeting_time(text, dates[0], starts.time())
    return {"when": datetime.combine(dates[0].day, clock, tzinfo=ctx.tz).isoformat(), "time_said": how}


_MOVED = re.compile(alt(MOVE))
#: « repoussée d'une semaine », « avancée de deux jours », « le lendemain », « la veille ».
SHIFT = re.compile(r"\b(?P<verb>report|repouss|decal|recul|avanc|deplac|bouge|glisse)\w*(?: \w+){0,6}? "
                    r"d(?:e)? ?(?P<n>une|un|1|deux|2|trois|3|quinze|15|huit|8|\d) ?(?P<unit>semaines?"
                    r"|jours?)\b"
                    r"|\b(?P<next>le lendemain|le jour (?:d apres|suivant))\b|\b(?P<before>la veille)\b"
                    # « une semaine plus tard », « deux jours plus tôt », « la semaine d'après »
                    r"|\b(?P<n2>une|un|1|deux|2|trois|3|quinze|15|huit|8|\d) (?P<unit2>semaines?|jours?) "
                    r"(?P<way>plus tard|apres|plus tot|avant)\b"
                    r"|\b(?P<week>la semaine (?:suivante|d apres|qui suit|d ensuite))\b")
_COUNT = {"une": 1, "un": 1, "deux": 2, "trois": 3, "huit": 8, "quinze": 15}


def _shifted(ctx: Context, starts: datetime) -> dict[str, str]:
    """The meeting moved by some days or weeks from its day, its time kept unless said."""
    found = SHIFT.search(ctx.words.plain)
    if found is None:
        return {}
    if found["next"] or found["before"]:
        days = 1 if found["next"] else -1
    elif found["week"]:
        days = 7
    elif found["n2"]:
        days = int(_COUNT.get(found["n2"], found["n2"])) * (7 if found["unit2"].startswith("semaine") else 1)
        days = -days if found["way"] in ("plus tot", "avant") else days
    else:
        days = int(_COUNT.get(found["n"], found["n"])) * (7 if found["unit"].startswith("semaine") else 1)
        days = -days if found["verb"] == "avanc" else days
    day = starts.date() + timedelta(days=days)
    moved = new_time(ctx.words.plain, starts.time())
    clock = moved if moved is not None and _STARTS.search(ctx.words.plain) else starts.time()
    said = "given" if clock != starts.time() else ("same" if SAME_TIME.search(ctx.words.plain) else "unsaid")
    return {"when": datetime.combine(day, clock, tzinfo=ctx.tz).isoformat(), "time_said": said}


def _its_own_day(ctx: Context, starts: datetime) -> dict[str, str]:
    """The day it already has, said as the new one (« le mardi 6 avril à 9 h 30 »): that day and
    the time said, or kept; the plan then says what changes, if anything."""
    if not (_MOVED.search(ctx.words.plain) or _STARTS.search(ctx.words.plain)):
        return {}  # the meeting named by its day (« plateaux-repas pour la réunion du 6 avril »)
    days = [d for d in new_dates(ctx.words.plain, ctx.now, ctx.tz, set()) if d.day == starts.date()]
    if not days:
        return {}
    clock, how = meeting_time(ctx.words.plain, days[0], starts.time())
    return {"when": datetime.combine(days[0].day, clock, tzinfo=ctx.tz).isoformat(), "time_said": how}


def _retimed(ctx: Context, starts: datetime) -> dict[str, str]:
    """A new time only, the day kept (« on commence à 14 h au lieu du matin »)."""
    moved = new_time(ctx.words.plain, starts.time())
    if moved is None or not _STARTS.search(ctx.words.plain):
        return {}
    return {"when": datetime.combine(starts.date(), moved, tzinfo=ctx.tz).isoformat(), "time_said": "given"}


_STARTS = re.compile(r"\b(?:commence\w*|debut\w*|demarr\w*|horaire|heure|apres midi|matin|decal\w*|"
                     r"avanc\w*|report\w*|a \d+ ?h|et pas|et non|au lieu d\w*|plutot qu\w*)\b")


def _place_change(ctx: Context, group_id: str) -> Command | None:
    departments = {code: d.name for code, d in ctx.state.departments.items()}
    group = ctx.state.groups[group_id]
    for text in (ctx.words.top, ctx.words.below):
        place = new_place(text, group, departments) if text else None
        if place:
            return Command(StaffVerb.MEETING, group_id, "", {"place": place})
    return None


def place(ctx: Context) -> Made:
    return meeting(ctx, Missing.PLACE)


#: « rouvre les porteurs jusqu'au 15 janvier »: a closed call opened again, until that date.
_OPENING = re.compile(alt(w for w in OPEN if not w.startswith("relanc")) + r"|\brelanc\w* (?:l )?appel")

_CLOSING = re.compile(r"\b(?:clo\w*|ferm\w*|fin|limite|jusqu|prolong\w*|avanc\w*|repouss\w*|arret\w*|echeance"
                      r"|inscriptions?|candidatures?|appel)\b")


def deadline(ctx: Context) -> Made:
    def make(group_id: str) -> Command | Unclear:
        group = ctx.state.groups[group_id]
        old = {group.closes_at.astimezone(ctx.tz).date()} if group.closes_at else set()
        for text in (ctx.words.plain, ctx.words.below_plain):
            dates = new_dates(text, ctx.now, ctx.tz, old, near=_CLOSING, month_ends=True) if text else []
            if dates:
                closes = closing_at(dates[0], ctx.tz)
                fields = {"closes_at": closes.isoformat()}
                if group.call is not CallStatus.OPEN and _OPENING.search(ctx.words.plain):
                    fields["open"] = "yes"
                return Command(StaffVerb.DEADLINE, group_id, "", fields)
        return Unclear(Missing.DATE, StaffVerb.DEADLINE, (group_id,))

    if not new_dates(f"{ctx.words.plain}\n{ctx.words.below_plain}", ctx.now, ctx.tz, set(), month_ends=True):
        return None  # no date at all: the call closed now, if anything (see `close`)
    return _each(ctx, StaffVerb.DEADLINE, make)


# --- one candidature ------------------------------------------------------------------------------------

def _expected(verb: StaffVerb, status: Status) -> bool:
    """Whether a candidature in this status can take the action."""
    return status is Status.WAITLISTED if verb is StaffVerb.PROMOTE else status.active


_NUMBERED = re.compile(r"\bc ?0*[1-9]\d{0,4}\b")


def _candidature(ctx: Context, verb: StaffVerb) -> str | tuple[str, ...] | Unclear | None:
    """The candidature the message names (one that can take the action first); a tie is a choice."""
    found = ctx.found.candidatures
    if not found and _NUMBERED.search(ctx.words.plain):
        return Unclear(Missing.CANDIDATURE, verb)  # « C0007 »: a number no candidature has
    if not found and ctx.about and ctx.about.startswith("C"):
        return ctx.about
    if not found:
        return _only_fitting(ctx, verb)
    fits = [m for m in found if (c := ctx.state.candidature(m.id)) is not None and _expected(verb, c.status)]
    chosen = fits or found
    if chosen[0].score >= 4:  # numbers written: the first is the action's, the others an aside
        return min(chosen, key=lambda m: (-m.score, m.at)).id
    best = [m.id for m in chosen if m.score == chosen[0].score]
    return best[0] if len(best) == 1 else tuple(best)


_WAITING_LIST = re.compile(r"\bliste d attente\b|\ben attente\b")


def _only_fitting(ctx: Context, verb: StaffVerb) -> str | None:
    """No candidature named, but a group is, with one candidature only that the action fits
    (« Hélène peut rentrer » in the only waiting list): that one."""
    groups = [m.id for m in ctx.found.groups]
    if len(groups) != 1:
        return None
    waiting = verb is StaffVerb.PROMOTE or bool(_WAITING_LIST.search(ctx.words.plain))
    fits = [c.id for c in ctx.state.of_group(groups[0])
            if (c.status is Status.WAITLISTED if waiting else _expected(verb, c.status))]
    return fits[0] if len(fits) == 1 else None


def _one(ctx: Context, verb: StaffVerb) -> Made:
    target = _candidature(ctx, verb)
    if target is None or isinstance(target, Unclear):
        return target
    reason = reason_of(ctx.words.top, verb)
    if isinstance(target, tuple):
        return tuple(Command(verb, t, reason) for t in target)
    return Command(verb, target, reason)


def refuse(ctx: Context) -> Made:
    return _one(ctx, StaffVerb.REFUSE)


def withdraw(ctx: Context) -> Made:
    return _one(ctx, StaffVerb.WITHDRAW)


def promote(ctx: Context) -> Made:
    return _one(ctx, StaffVerb.PROMOTE)


_WHY = re.compile(r"(?:\bcar\b|\bparce qu\w*|\bpuisque\b|\b(?:raisons?|motifs?)(?: [^:\n]{0,30}?)? ?:"
                  r"|\bpour les raisons suivantes ?:"
                  r"|\bétant donné|\bvu qu\w*|\ben raison d\w*)", re.I)
_ASK_LINE = re.compile(r"\b(?:merci de|pourrais|pourriez|peux-tu|peux tu|pouvez-vous|tu peux|vous pouvez|"
                       r"je te laisse|il faut|s'il te pla|svp|stp|bonjour|bonne journée|cordialement)", re.I)
_SOFT_WHY = re.compile(r"\b(?:n'est pas|ne peut pas|pas éligible|déjà|réservé|n'a pas|trop|compte plus|"
                       r"hors profil|ne correspond|pas du tout|dépasse|plus de \d|au-delà|ne remplit|"
                       r"pas adhérent|pas retenu|couvert|insuffisant|peu d|incomplet|manque|même (?:OT"
                       r"|office)|"
                       r"un seul|doublon|hors (?:zone|territoire|région|département)|quota|pas (?:directeur|"
                       r"directrice|adhérent)|n'est plus)", re.I)
# « Refuser C0003 : votre office n'est pas classé rural », « refus stp, le CA n'a pas voulu »:
# the action, its target, then why
_SAID_AFTER = re.compile(r"\b(?:refus\w*|décline\w*|declin\w*|pas retenu\w*|non retenu\w*|écart\w*|"
                         r"retir\w*|désist\w*|abandon\w*|annul\w*|non\b|pas de suite|suite|retien\w* pas|"
                         r"pas (?:la|le|les) (?:retenir|garder|prendre))"
                         r"[^:,(\n]*(?:[:(]|,|\s[-–]\s)\s*(?P<why>\S[^)\n]+)", re.I)
#: Words that are only politeness, never a reason.
_POLITE = re.compile(r"^(?:merci\w*|stp|svp|s'il te plaît|s'il vous plaît|bonne journée|bises|cordialement|"
                     r"à plus|on en reparle\w*(?: \w+)?|finalement|du coup|\W)*$", re.I)


def reason_of(text: str, verb: StaffVerb) -> str:
    """Why, as the staff member wrote it, for the member to read: what follows « car », the
    action's « : » or « raisons : », else the sentence that explains."""
    text = text.replace("\u2019", "'")  # one apostrophe for the patterns; the words stay the writer's
    subject, _, body = text.partition("\n")
    return _reason_in(body) or _reason_in(subject)


def _reason_in(text: str) -> str:
    sentences = [s.strip(" -•\t") for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    candidates: list[str] = []
    for index, sentence in enumerate(sentences):
        found = _WHY.search(sentence)
        if found is not None:
            said = sentence[found.end():].strip(" :")
            if not said:  # « pour les raisons suivantes : » and a list below
                said = " ; ".join(s.rstrip(" ;.") for s in sentences[index + 1:index + 4]
                                  if not _ASK_LINE.search(s))
            candidates.append(said)
    for sentence in sentences:
        after = _SAID_AFTER.search(sentence)
        if after is not None:
            candidates.append(after["why"])
    for sentence in sentences:
        if _SOFT_WHY.search(sentence) and not _ASK_LINE.search(sentence):
            candidates.append(sentence.rsplit(" : ", 1)[-1])  # « C0002 ne peut être retenue : why »
    for candidate in candidates:
        why = _courtesy_off(candidate)
        if _reads_as_a_reason(why):
            return _typeset(why)
    return ""


#: What is said to the colleague, or the action said again: never the member's reason.
_NOT_A_REASON = re.compile(
    r"\b(?:tu|toi|te|t'|peux|pourrais|pourriez|merci|stp|svp|fais|faites|faire le (?:refus|nécessaire|mail"
    r"|point)|répondre|réponds|"
    r"explication|petit mot|dans ce sens|ci-dessous|c'est comme ça|nécessaire|refus\w*|retien\w*|"
    r"retenu\w*|ne prend\w* pas|enlever|retirer|passer sa|en reparle\w*|donner une place|promouvoir)\b", re.I)


def _reads_as_a_reason(said: str) -> bool:
    """Whether the words explain (two words or more that are no id, no name said alone, nothing
    addressed to the colleague)."""
    if _POLITE.match(said) or _NOT_A_REASON.search(said) or re.match(r"(?i)groupe\b", said):
        return False
    words = [w for w in re.findall(r"[\w'’-]+", said) if not re.fullmatch(r"[cCiIqQ]?\d+", w)]
    lower = [w for w in words if not w[:1].isupper()]
    return len(words) >= 2 and len(lower) >= 1


def _courtesy_off(said: str) -> str:
    """The reason without the politeness around it (« stp », « merci », « on en reparle demain »)."""
    parts = [p for p in re.split(r"\s*[,.;]\s*", said) if p and not _POLITE.match(p)]
    # « …, et je n'ai pas le courage de l'appeler moi-même »: the writer's own aside, not the network's
    return ", ".join(p for p in parts if not _ASIDE.search(p)) if len(parts) > 1 else ", ".join(parts)


_ASIDE = re.compile(r"(?i)(?<![\w'])(?:je|j'|moi|moi-même|m'|me)(?![\w'])")


#: The member's things written of her in the third person, to colleagues: « son office n'intervient pas… ».
_HERS = re.compile(r"(?i)\b(son|sa|ses)\s+(office|ot|oti|structure|territoire|commune|équipe|equipe"
                   r"|candidature"
                   r"|poste|fonction|profil|département|departement|dossier)s?\b")


def _typeset(said: str) -> str:
    """The reason as the member reads it: about her, to her (« votre office n'intervient pas »),
    French apostrophes, no closing full stop, its parenthesis closed."""
    said = _HERS.sub(lambda m: ("vos " if m[1].lower() == "ses" else "votre ") + m[0].split(None, 1)[1], said)
    said = said.strip().rstrip(". ")
    if said.count("(") > said.count(")"):
        said += ")"
    return said.replace("'", "\u2019")


# --- ideas and questions ------------------------------------------------------------------------------

_OPEN_IDEAS = (IdeaStatus.RECEIVED, IdeaStatus.DISCUSSION, IdeaStatus.NOTE_RECEIVED)


def _idea(ctx: Context, statuses: tuple[IdeaStatus, ...] = _OPEN_IDEAS) -> str | None:
    """The idea named, or the thread's, or the only one in these statuses when the message
    speaks of an idea."""
    if ctx.found.ideas:
        return ctx.found.ideas[0].id
    if ctx.about and ctx.about.startswith("I"):
        return ctx.about
    waiting = [i for i in ctx.state.ideas if i.status in statuses]
    if len(waiting) == 1 and re.search(r"\b(?:idee|proposition|note d intention)\b|\bprojet de groupe\b",
                                       ctx.words.plain):
        return waiting[0].id
    return None


def idea_validate(ctx: Context) -> Made:
    target = _idea(ctx)
    if target is None:
        return None
    board = board_date(ctx.words.plain, ctx.now, ctx.tz) or (
        board_date(ctx.words.below_plain, ctx.now, ctx.tz) if ctx.words.below else None)
    fields = {"board_date": (board or ctx.now.astimezone(ctx.tz).date()).isoformat()}
    if board is None:
        fields["board_said"] = "no"  # the plan says so: the message's day, unless staff say another
    if re.search(r"\b(?:sans co ?anima\w*|non co ?anime|pas co ?anime|sans la mona)\b", ctx.words.plain):
        fields["co_animated"] = "no"
    return Command(StaffVerb.IDEA_VALIDATE, target, "", fields)


def idea_advance(ctx: Context) -> Made:
    target = _idea(ctx, (IdeaStatus.RECEIVED, IdeaStatus.DISCUSSION))
    return Command(StaffVerb.IDEA_ADVANCE, target) if target is not None else None


def idea_draft(ctx: Context) -> Made:
    target = _idea(ctx, (IdeaStatus.VALIDATED,))
    return Command(StaffVerb.IDEA_DRAFT, target) if target is not None else None


def idea_decline(ctx: Context) -> Made:
    target = _idea(ctx)
    if target is None:
        return None
    reason = reason_of(ctx.words.top, StaffVerb.IDEA_DECLINE)
    if not reason and ctx.words.below and (ctx.words.refers_below or ctx.words.forwarded):
        reason = reason_of(ctx.words.below, StaffVerb.IDEA_DECLINE)  # the board's minutes forwarded
    return Command(StaffVerb.IDEA_DECLINE, target, reason)  # none: the plan says what its author reads


def question_done(ctx: Context) -> Made:
    if ctx.found.questions:
        return Command(StaffVerb.QUESTION_DONE, ctx.found.questions[0].id)
    if ctx.about and ctx.about.startswith("Q"):
        return Command(StaffVerb.QUESTION_DONE, ctx.about)
    waiting = [q for q in ctx.state.questions if q.status is QuestionStatus.OPEN]
    if len(waiting) == 1 and re.search(r"\b(?:question|demande|reponse|repondu)\b", ctx.words.plain):
        return Command(StaffVerb.QUESTION_DONE, waiting[0].id)
    return None

