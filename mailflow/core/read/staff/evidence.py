"""What the message's figures, dates and places tell of the action asked, beside its words: a new
date for a group's first meeting, a new town for it."""

from __future__ import annotations

import re

from ....model.values import StaffVerb
from ..facts.communes import find_communes
from ..text import fold_aligned
from .actions import Context, _group
from .lexicon import MEETING, MOVE, alt
from .person import new_person
from .slots import new_dates, new_time

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
_WHERE = re.compile(r"\b(?:lieu|salle|locaux|endroit|a la place|au lieu de|plutot qu|se tiendra|"
                    r"aura lieu|se fera|se deroulera|accueil\w*|chez)\b")


def evidence(ctx: Context) -> dict[str, float]:
    """More weight for « meeting » when a meeting is spoken of with a new date (or time), for
    « place » when with a town it is not in yet, for « add » when a member's mail asking to join
    is forwarded."""
    found = _meeting_evidence(ctx)
    forwarded = ctx.words.forwarded
    if forwarded is not None and new_person(ctx) and _APPLYING.search(fold_aligned(forwarded.text)):
        found["add"] = found.get("add", 0.0) + 2.0
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
    sentences = [s for s in re.split(r"(?<=[.!?;])\s+|\n+", ctx.words.plain)
                 if (_MEETING.search(_OTHER_MEETING.sub(" ", fold_aligned(s)))
                     or _MOVING.search(fold_aligned(s))
                     or on_its_day) and not _CALL_WORDS.search(fold_aligned(s))]
    if any(new_dates(s, ctx.now, ctx.tz, {starts.date()}) for s in sentences):
        found["meeting"] = 2.0
    elif any(new_time(s, starts.time()) is not None for s in sentences):
        found["meeting"] = 1.5
    place = fold_aligned(ctx.state.groups[group].first_meeting.place)
    towns = [c for _s, _e, c in find_communes(ctx.words.top) if fold_aligned(c.name) not in place]
    if towns and (_WHERE.search(said) or re.search(r"\b(?:a|sur) [a-z]", said)):
        found["place"] = 2.0
    return found
