"""What the message's figures, dates and places tell of the action asked, beside its words: a new
date for a group's first meeting, a new town for it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ....model.values import StaffVerb, Status
from ..facts.communes import find_communes
from ..text import fold_aligned
from .actions import SHIFT, Context, _group
from .lexicon import MEETING, MOVE, alt
from .mentions import find_candidatures, find_ideas, find_questions
from .person import named_person, new_person
from .slots import at_place, new_dates, new_time

_MEETING = re.compile(MEETING)
#: Meetings that are not a group's first one (a departmental meeting where a member applied).
_OTHER_MEETING = re.compile(r"\b(?:reunion|rencontre)s? (?:departementale|d equipe|de service|du bureau"
                            r"|du ca|"
                            r"du conseil|de direction|mensuelle|hebdo\w*)\b")
_MOVING = re.compile(alt(MOVE))
#: A sentence about the call (« on clôt l'appel le 15 janvier, avant la réunion d'avril »): its
#: date is the call's, not the meeting's.
_CALL_WORDS = re.compile(r"\b(?:clo\w*|ferm\w*|inscriptions?|candidatures?|appel|jusqu|date limite"
                         r"|prolong\w*)\b")
_AT = re.compile(r"\b(?:a|au|sur|vers|en) $")
_WHERE = re.compile(r"\b(?:lieu|salle|locaux|endroit|a la place|au lieu de|plutot qu|se tiendra|contre|"
                    r"aura lieu|se fera|se deroulera|accueil\w*|chez)\b")


def evidence(ctx: Context, said: Mapping[str, float]) -> dict[str, float]:
    """More weight for « meeting » when a meeting is spoken of with a new date (or time), for
    « place » when with a town it is not in yet, for « add » when someone new is brought to a
    group (their mail forwarded, or their address and the group written), and for the action an
    object's state says (« idée vélo : non », « C0003 → confirmée », « question Aubert : réglée »).
    `said`: what the words ask already; an action asked surely is not overruled."""
    found = _meeting_evidence(ctx)
    other = max((score for action, score in said.items() if action != "add"), default=0.0)
    forwarded = ctx.words.forwarded
    if other < 2 and new_person(ctx):
        brought = forwarded is not None and _APPLYING.search(fold_aligned(forwarded.text))
        to_group = any(m.score >= 2 for m in ctx.found.groups) and named_person(ctx)
        if brought or to_group:
            found["add"] = found.get("add", 0.0) + 2.0
    question = ctx.found.questions[0].score >= 2 if ctx.found.questions else False
    if question and not ctx.found.groups and said.get("close", 0.0) >= 1:
        # « la question de Sandrine…, je l'ai eue au téléphone. Tu peux la clore. »
        found["question_done"] = found.get("question_done", 0.0) + 1.5
    for action, more in _states(ctx).items():
        found[action] = found.get(action, 0.0) + more
    return found


_YES = re.compile(r"\b(?:ok|oui|valide\w*|accord|d accord|feu vert|favorable|go|banco|c est bon|c est oui|"
                  r"acceptee?s?|approuvee?s?|dedans|retenue?s?|confirmee?s?)\b")
_NO = re.compile(r"\b(?:non|refusee?s?|declinee?s?|pas retenue?s?|c est non|defavorable|recalee?s?|niet)\b")
_DONE = re.compile(r"\b(?:reglee?|traitee?|fait|ok|repondu|close|clos|terminee?|c est bon|resolue?)\b")
#: How many words a statement of an object's state may have (« idée vélo : non. JM »).
_SHORT = 14


def _states(ctx: Context) -> dict[str, float]:
    """The action a short statement of an object's state says: an idea with yes or no, a
    question with done, a waiting candidature with yes or no."""
    body = ctx.words.plain.partition("\n")[2]
    units = [s for s in re.split(r"[.!?;\n]+", body) if s.strip()]
    if len(body.split()) <= _SHORT:
        units.append(ctx.words.plain.replace("\n", " "))  # the subject names it, the body says it
    found: dict[str, float] = {}
    for unit in units:
        if len(unit.split()) > 2 * _SHORT:
            continue
        yes, no = bool(_YES.search(unit)), bool(_NO.search(unit))
        if find_ideas(unit, ctx.state) and yes != no:
            found["idea_validate" if yes else "idea_decline"] = 2.0
        whole = unit == ctx.words.plain.replace("\n", " ")
        question = find_questions(unit, ctx.state) or (whole and ctx.found.questions)
        if question and _DONE.search(unit) and not no:
            found["question_done"] = 2.0
        waiting = [m for m in find_candidatures(unit, unit, ctx.state) if m.score >= 2 and (
            c := ctx.state.candidature(m.id)) is not None and c.status is Status.WAITLISTED]
        if waiting and yes and not no:
            found["promote"] = 2.0
        elif waiting and no and not yes:  # « Hélène Roux : non. »
            found["refuse"] = 2.0
    return found


_APPLYING = re.compile(r"\b(?:candidat\w*|inscri\w*|rejoindre|participer|integrer|faire partie|postul\w*)\b")


def _meeting_evidence(ctx: Context) -> dict[str, float]:
    said = _OTHER_MEETING.sub(" ", ctx.words.plain)
    group = _group(ctx, StaffVerb.MEETING)
    if not isinstance(group, str):
        return {}
    starts = ctx.state.groups[group].first_meeting.starts_at.astimezone(ctx.tz)
    on_its_day = any(d.day == starts.date() for d in new_dates(ctx.words.plain, ctx.now, ctx.tz, set()))
    same = bool(re.search(r"\bmeme (?:jour|heure|date|horaire|creneau)\b", said))
    if not (_MEETING.search(said) or on_its_day or same):  # « porteurs le 30/08 : on commence à 14 h »
        return {}
    found: dict[str, float] = {}
    subject, _, body = ctx.words.plain.partition("\n")
    in_subject = bool(_MEETING.search(subject)) and not _MEETING.search(_OTHER_MEETING.sub(" ", body))
    sentences = [s for s in re.split(r"(?<=[.!?;])\s+|\n+", ctx.words.plain)
                 if (_MEETING.search(_OTHER_MEETING.sub(" ", fold_aligned(s)))
                     or _MOVING.search(fold_aligned(s))
                     or on_its_day or in_subject) and not _CALL_WORDS.search(fold_aligned(s))]
    if any(new_dates(s, ctx.now, ctx.tz, {starts.date()}) for s in sentences) or SHIFT.search(said):
        found["meeting"] = 2.0  # a new day, or the day moved by so much (« une semaine plus tard »)
    elif any(new_time(s, starts.time()) is not None for s in sentences):
        found["meeting"] = 1.5
    place = fold_aligned(ctx.state.groups[group].first_meeting.place)
    top = fold_aligned(ctx.words.top)
    towns = [s for s, _e, c in find_communes(ctx.words.top) if fold_aligned(c.name) not in place]
    # « on part sur Rochefort », « à Brantôme »: the town itself said as where (never « il n'a personne »)
    at_town = any(_AT.search(top[max(0, s - 8):s]) for s in towns)
    if (towns and (_WHERE.search(said) or at_town)) or at_place(ctx.words.top):
        found["place"] = 2.0
    return found
