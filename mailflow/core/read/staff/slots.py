"""The figures, dates and places a staff request gives: a group's new number of places, a new
date or place for its first meeting, the date its call closes, the board's date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ....model.values import Group
from ..dates import Found, find_dates, find_times
from ..facts.communes import find_communes
from ..text import fold_aligned

# --- places of a group ------------------------------------------------------------------------------

_NUMBER = r"(\d{1,4}|une|un)"
_UNIT = r"(?: \w+)?? (?:places?|participants?|personnes?|inscrits?|membres?|sieges?|chaises?|fauteuils?)"
_MORE = re.compile(
    r"\ben (?:rajout|ajout|ouvr|donn|remet|met|rajoute)\w* (\d{1,4})\b(?! ?h\b)|"
    rf"(?:^|\s)\+ ?(\d{{1,4}})\b|(?<!au moins )\b{_NUMBER}(?:{_UNIT})? (?:de plus|en plus|supplementaires?"
    rf"|additionnel\w*)\b"
    rf"|\b(?:ajout\w*|rajout\w*|augment\w*|ouvr\w*|financ\w*|elarg\w*|donn\w*) (?:de "
    rf"|encore )?{_NUMBER}{_UNIT}")
_LESS = re.compile(
    rf"(?:^|\s)- ?(\d{{1,4}}) {_UNIT.strip()}|\b{_NUMBER}(?:{_UNIT})? (?:de moins|en moins)\b"
    rf"|(?<!au )\bmoins (\d{{1,4}}){_UNIT}"
    rf"|\b(?:redui\w*|diminu\w*|baiss\w*|retir\w*|enlev\w*|supprim\w*) (?:de )?{_NUMBER}{_UNIT}")
_TOTAL = re.compile(
    rf"\b(\d{{1,4}}){_UNIT} (?:au total|en tout|maximum|max|au maximum)\b"
    rf"|\b(?:a|jusqu a|total de|de|que|limite a|capacite de|jauge de|accueillir|recevoir|financer|prendre) "
    rf"(?:jusqu a )?(\d{{1,4}}){_UNIT}"
    rf"|\b(?:passe\w*|mont\w*|port\w*|fix\w*|redui\w*|limit\w*|plafonn\w*|ramen\w*|augment\w*|descend\w*"
    rf"|aller|va|ira"
    rf"|pousser|etendre)\b(?: \w+){{0,6}}"
    rf" (?:a|jusqu a) (\d{{1,4}})\b(?! ?h\b| ?h\d| heures?)"
    rf"|\b(?:capacite|jauge|nombre de places)(?: \w+){{0,3}}(?: (?:a|de|:|=) ?|\s*\n\s*)(\d{{1,4}})\b"
    rf"|(?:->|=>|→) ?(\d{{1,4}})\b(?![/.]\d| ?h\b)"
    rf"|\bmax(?:imum)? (?:de )?(\d{{1,4}})\b(?! ?h\b)"
    rf"|\b(?:va pour|ok pour|on part sur|partons sur|d accord pour) (\d{{1,4}})\b(?! ?h\b)(?![/.]\d)"
    rf"|\b(?:valid\w*|accord\w*|autoris\w*|mets|met|mettre|prevoi\w*|prevu\w*) (?:\w+ )?(\d{{1,4}}){_UNIT}")
_INSTEAD = re.compile(r"\bau lieu de (?:\w+ )?(\d{1,4})\b")
_DOUBLE = re.compile(r"\bdoubl(?:er|e|es|ez|ons|ee|ees|ement)\b")
#: « augmenter de 5 places », « réduire de 3 »: a change by that many, never a total.
_BY = re.compile(rf"\b(?P<verb>augment\w*|ajout\w*|rajout\w*|elarg\w*|redui\w*|diminu\w*|baiss\w*|retir\w*)"
                 rf"\b(?: \w+){{0,6}}? de (?P<n>\d{{1,4}})(?:{_UNIT})?\b(?! ?(?:a|->|→) ?\d)")
_DOWN = ("redui", "diminu", "baiss", "retir")
_ALONE = re.compile(rf"\b(\d{{1,4}}){_UNIT}\b")  # « 16 places », said with nothing else: the new total


def _value(text: str | None) -> int:
    return 1 if text in ("un", "une") or text is None else int(text)


def new_capacity(text: str, current: int) -> int | None:
    """The number of places a request sets: a total (« on passe à 25 », « trente participants au
    total »), or the current number changed (« +5 », « 2 places de plus », « réduire de 3 »)."""
    instead = {int(m.group(1)) for m in _INSTEAD.finditer(text)}
    by = _BY.search(text)
    if by is not None:
        change = int(by["n"])
        return current - change if by["verb"].startswith(_DOWN) else current + change
    totals = [_value(next(g for g in m.groups() if g)) for m in _TOTAL.finditer(text)]
    totals = [t for t in totals if t not in instead and 0 < t < 1000]
    if totals:
        return totals[-1]  # « de 20 à 25 »: the last is the new one
    more = [_value(next((g for g in m.groups() if g), None)) for m in _MORE.finditer(text)]
    less = [_value(next((g for g in m.groups() if g), None)) for m in _LESS.finditer(text)]
    if more and not less:
        return current + more[0]
    if less and not more:
        return current - less[0]
    if _DOUBLE.search(text):
        return current * 2
    alone = [int(m.group(1)) for m in _ALONE.finditer(text) if int(m.group(1)) not in instead]
    return alone[-1] if len(set(alone)) == 1 else None


# --- dates ------------------------------------------------------------------------------------------

_OLD_BEFORE = re.compile(r"(?:au lieu d[ue]s?|initialement|prevue? (?:le|initialement|au)|ancienne date|"
                         r"plutot que|et non (?:plus )?le|remplace|du|le)\s*\Z")
_OLD_BEFORE_TIME = re.compile(r"(?:au lieu d[ue]s?|initialement|prevue? (?:le|initialement|a)|plutot qu|"
                              r"et non (?:plus )?a?|et pas|non pas|pas a)[^.\n]{0,20}\Z")
SAME_TIME = re.compile(r"\b(?:meme heure|meme horaire|a la meme heure|meme creneau|heure inchangee|"
                        r"horaire inchange|comme prevu)\b")


_MONTH_END = re.compile(r"(?:fin|mi)\b")
_BOARD = re.compile(r"\b(?:ca|c\.a\.|conseil|administrateurs|seance|bureau)\b")
_WAS = re.compile(r"(?:au lieu d[ue]s?|initialement|ancienne date|et non)\W*\Z")


@dataclass(frozen=True)
class When:
    """A date a request gives, with its time when one is said, and where it ends in the text."""

    day: date
    clock: time | None
    end: int = 0


def _local(found: Found, tz: ZoneInfo) -> When:
    value = found.value
    if isinstance(value, datetime):
        local = value.astimezone(tz)
        return When(local.date(), local.time().replace(second=0, microsecond=0), found.end)
    return When(value, None, found.end)


def new_dates(text: str, now: datetime, tz: ZoneInfo, old: set[date], *, past: bool = False,
              near: re.Pattern[str] | None = None, month_ends: bool = False) -> list[When]:
    """The dates `text` gives that are no old one (« au lieu du 6 avril », a date it already has);
    with `near`, those of the sentences that say it first (the date a call closes, not a lunch's);
    « fin juillet » only with `month_ends` (a call's last day, never a meeting's)."""
    folded = fold_aligned(text)
    found = []
    dates = find_dates(text, now, tz, past=past)
    if near is not None:
        said = [d for d in dates if near.search(_sentence(folded, d.start))]
        dates = said + [d for d in dates if d not in said]
    written = [d for d in dates if d.exact and not _MONTH_END.match(folded, d.start)]
    if written:  # « fin février : mets le 26 février »: the day written wins over the month's end
        month_ends = False
    for item in dates:
        if not item.exact or (not month_ends and _MONTH_END.match(folded, item.start)):
            continue  # « mardi », « hier »: a day too vague to move a meeting or a call to
        when = _local(item, tz)
        before = folded[max(0, item.start - 24):item.start]
        if when.day in old or _WAS.search(before):
            continue
        found.append(when)
    return found


def _sentence(folded: str, at: int) -> str:
    start = max(folded.rfind(c, 0, at) for c in ".!?\n")
    ends = [e for e in (folded.find(c, at) for c in ".!?\n") if e != -1]
    return folded[start + 1:min(ends) if ends else len(folded)]


def meeting_time(text: str, when: When, current: time) -> tuple[time, str]:
    """The time of a moved meeting: written with its date, or alone (« Horaire : 10h00 »), or
    the same as before (said so, or not said: « same » then)."""
    if when.clock is not None:
        return when.clock, "given"
    folded = fold_aligned(text)
    times = [(t, start) for t, start, _end in find_times(text)
             if not _OLD_BEFORE_TIME.search(folded[max(0, start - 30):start])]
    after = [t for t, start in times if start >= when.end]
    if after or times:
        return (after or [t for t, _ in times])[0], "given"
    return current, "same" if SAME_TIME.search(folded) else "unsaid"


def new_time(text: str, current: time) -> time | None:
    """A new time alone (« on commence à 14 h au lieu du matin »), when it is not the current one."""
    folded = fold_aligned(text)
    for clock, start, _end in find_times(text):
        if clock != current and not _OLD_BEFORE_TIME.search(folded[max(0, start - 30):start]):
            return clock
    return None


def closing_at(when: When, tz: ZoneInfo) -> datetime:
    """When a call closes on a day: at the time said, else at the end of that day."""
    clock = when.clock or time(23, 59)
    return datetime.combine(when.day, clock, tzinfo=tz)


def board_date(text: str, now: datetime, tz: ZoneInfo) -> date | None:
    """The board's (CA) date: the date written near « CA », « conseil » (to come, it is said
    so by the plan), else the first past one."""
    folded = fold_aligned(text)
    dates = find_dates(text, now, tz, past=True)
    for item in dates:
        if _BOARD.search(folded[max(0, item.start - 40):item.end]):
            return _local(item, tz).day
    past = [d for d in dates if _local(d, tz).day <= now.astimezone(tz).date()]
    return _local(past[0], tz).day if past else None


# --- places -----------------------------------------------------------------------------------------

_LABEL = re.compile(r"(?:nouveau |nouvelle )?(?:lieu|salle|adresse|endroit)\s*:\s*(?P<place>[^\n;]+)", re.I)


#: « on la fait à Cadillac », « elle aura lieu à Saint-Émilion »: a place said after its verb.
_AT_PLACE = re.compile(r"\b(?:on la (?:fait|fera|tient|tiendra|met|organise)|ce sera|aura lieu|se tiendra"
                       r"|se fera|"
                       r"se d[ée]roulera|rendez-vous|rdv)\s+(?:à|a|au|chez)\s+"
                       r"(?P<place>[A-ZÉÈ][\w'’-]+(?:[ -](?:[A-ZÉÈ]|sur\b|en\b|de\b|d')[\w'’-]*)*)")
_SAME_PLACE = re.compile(r"\bm[eê]me (?:lieu|endroit|salle|adresse)\b|\blieu inchang", re.I)


_FROM = re.compile(r"\b(?:collegues?|ceux|celles?|gens|office|ot|oti|bureau|equipe|mairie|ville) d[e']? ?\Z"
                   r"|\bdepuis ?\Z|\bviennent d[e']? ?\Z")


#: Unless that office or town lends its room: « l'office de Rochefort nous prête sa salle ».
_HOSTS = re.compile(r"\W*(?:nous |vous )?(?:prete\w*|accueill\w*|recoi\w*|reco\w*|heberg\w*|propos\w*)\b")


def at_place(text: str) -> str | None:
    """A place said after « on la fait à », « aura lieu à »…, as written."""
    found = _AT_PLACE.search(text)
    return found["place"].strip() if found else None


def new_place(text: str, group: Group, departments: dict[str, str]) -> str | None:
    """A new place for the first meeting: as labelled (« nouveau lieu : Cadillac, salle des
    fêtes »), or the town the text names that the meeting is not in yet (« on part sur
    Rochefort »), written « Rochefort (Charente-Maritime) »."""
    if _SAME_PLACE.search(text):
        return None  # « même heure, même endroit »: the town named is something else's
    labelled = _LABEL.search(text)
    if labelled is not None:
        place = labelled.group("place").strip().rstrip(".").strip()
        folded = fold_aligned(place)
        if place and not re.match(r"(?:inchange|le meme|la meme|meme lieu|idem|sans changement)", folded):
            return place
    current = fold_aligned(group.first_meeting.place)
    said = at_place(text)
    if said is not None and fold_aligned(said) not in current:
        towns = [c for _s, _e, c in find_communes(said)]
        department = departments.get(towns[0].department) if towns else None
        return f"{said} ({department})" if department and department not in said else said
    folded = fold_aligned(text)
    for start, end, commune in find_communes(text):
        names = (fold_aligned(commune.name), fold_aligned(commune.name.split("-")[0]))
        if _FROM.search(folded[max(0, start - 24):start]) and not _HOSTS.match(folded, end):
            continue  # « les collègues de Nontron », « l'OT de Sarlat »: someone's town, not the place
        if all(name not in current for name in names):
            department = departments.get(commune.department)
            return f"{commune.name} ({department})" if department else commune.name
    return None

