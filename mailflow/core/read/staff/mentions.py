"""What a staff member's words point at: groups by every name people give them, candidatures by
number, name, address or office, ideas and questions by their authors and subjects."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz

from ....model.values import Candidature, Group, Idea, Question, QuestionStatus, State
from ..dates import find_dates
from ..facts.communes import find_communes
from ..text import fold, fold_aligned

#: Words that name no group by themselves (articles, the network's common nouns).
STOP = frozenset((
    "de", "des", "du", "la", "le", "les", "l", "d", "sur", "et", "a", "au", "aux", "en", "pour", "office",
    "offices", "tourisme", "touristique", "ot", "oti", "otis", "groupe", "groupes", "gt", "travail", "un",
    "une", "dans", "par", "avec", "ou", "the", "pp",
))
#: What introduces a group's name: « les ruraux », « le groupe rural », « GT porteurs ».
_INTRODUCED = re.compile(r"(?:\b(?:groupe|groupes|gt|les|des|le|la|pour|du|l|com|sur|aux|au)\s)$")


@dataclass(frozen=True)
class Mention:
    """Something the text points at, with how surely (1 a guess, 2 and more: it is named)."""

    kind: str  # group, candidature, idea, question
    id: str
    score: float
    at: int  # where in the plain text it is first named


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text).replace("'", " ").replace("-", " "))


def _forms(word: str) -> set[str]:
    """A key word's forms: « rural » / « ruraux » / « rurale(s) », « porteur(s) »."""
    found = {word}
    for plural, singular in (("aux", "al"), ("aux", "ale"), ("s", ""), ("x", ""), ("es", "e")):
        if word.endswith(plural) and len(word) > len(plural) + 2:
            found.add(word[: -len(plural)] + singular)
        if singular and word.endswith(singular):
            found.add(word[: -len(singular)] + plural)
        elif not singular:
            found.add(word + plural)
    return found


def group_keys(groups: Mapping[str, Group]) -> dict[str, dict[str, str]]:
    """For each group, its key words (in all their forms) → the word as named."""
    keys: dict[str, dict[str, str]] = {}
    for gid, group in groups.items():
        names = [gid.replace("-", " "), group.title, *group.aliases]
        found: dict[str, str] = {}
        for name in names:
            for word in _words(name):
                if word not in STOP and len(word) > 2 and not word.isdigit():
                    for form in _forms(word):
                        found[form] = word
        keys[gid] = found
    shared = [w for gid in keys for w in keys[gid] if sum(w in keys[other] for other in keys) > 1]
    return {gid: {w: k for w, k in found.items() if w not in shared} for gid, found in keys.items()}


def _hits(words: list[str], keys: Mapping[str, str]) -> list[tuple[int, str]]:
    """(position, key) of the words of the text that are the group's key words, or a long
    enough start of one (« communication » for « communiquer », « com » before another key)."""
    found = []
    for i, word in enumerate(words):
        if word in keys:
            found.append((i, keys[word]))
            continue
        for key, named in keys.items():
            common = len(_common_start(word, key))
            if common >= 6 and min(len(word), len(key)) >= 6:
                found.append((i, named))
                break
            if 3 <= len(word) <= 4 and key.startswith(word) and len(key) >= 6:
                found.append((i, f"~{named}"))  # an abbreviation: weak alone
                break
    return found


def _named_in_full(joined: str, group: Group) -> int:
    """Where the text writes one of the group's names in full (its title, an alias, its id), as
    words (« rôle de l'OT », « Offices de Tourisme ruraux »), or -1."""
    for name in (group.title, *group.aliases, group.id.replace("-", " ")):
        words = _words(name)
        if len(words) >= 2 or (words and len(words[0]) >= 6):
            at = joined.find(f" {' '.join(words)} ")
            if at >= 0:
                return len(joined[:at].split())
    return -1


def _common_start(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def find_groups(text: str, groups: Mapping[str, Group], *, subject: bool = False) -> list[Mention]:
    """The groups `text` names, surest first. A group is named by two of its key words, or one
    introduced as names are (« les ruraux », « groupe rural »), or in a subject of few words."""
    words = _words(text)
    joined = f" {' '.join(words)} "
    keys = group_keys(groups)
    found = []
    for gid, group_keys_ in keys.items():
        named = _named_in_full(joined, groups[gid])
        if named >= 0:
            found.append(Mention("group", gid, 3.0, named))
            continue
        hits = _hits(words, group_keys_)
        strong = {k for _, k in hits if not k.startswith("~")}
        weak = {k[1:] for _, k in hits if k.startswith("~")}
        # « les ruraux », « groupe com », or the message's first word (« porteurs : on décale… »)
        introduced = any(i == 0 or _INTRODUCED.search(" ".join(words[max(0, i - 2):i]) + " ")
                         for i, _k in hits)
        score = len(strong) + 0.5 * len(weak - strong)
        if score >= 2 or ((strong or weak) and (introduced or (subject and len(words) <= 8))):
            found.append(Mention("group", gid, score + introduced, hits[0][0]))
    return sorted(found, key=lambda m: (-m.score, m.at))


def groups_by_meeting_date(text: str, state: State, now: datetime, tz: ZoneInfo) -> list[Mention]:
    """The group whose first meeting is on a date the text writes (« la réunion du 19 septembre »,
    « le 19 » in its month): one group only."""
    folded = fold_aligned(text)
    days = {d.value.date() if isinstance(d.value, datetime) else d.value
            for d in find_dates(text, now, tz, past=False) if d.exact}
    numbers = {int(n) for n in re.findall(r"\ble (\d{1,2})\b", folded)}
    found = [gid for gid, group in state.groups.items()
             if (start := group.first_meeting.starts_at.astimezone(tz).date()) in days
             or (start.day in numbers
                 and start.month == now.astimezone(tz).month + (start.year - now.year) * 12)
             or start.day in numbers]
    return [Mention("group", found[0], 1.5, 0)] if len(found) == 1 else []


def groups_by_meeting_place(text: str, state: State) -> list[Mention]:
    """The group whose first meeting is in a town the text names (« je rentre du repérage à La
    Rochelle »): one group only."""
    towns = {fold(c.name) for _s, _e, c in find_communes(text)}
    found = [gid for gid, group in state.groups.items()
             if any(town in fold(group.first_meeting.place) for town in towns)]
    return [Mention("group", found[0], PLACE_ONLY, 0)] if len(found) == 1 else []


#: How surely a town names the group that meets there: enough to act on when an action is asked,
#: too little to make a colleague's chat about that town a request (« le devis pour Montignac ? »).
PLACE_ONLY = 1.25


# --- candidatures -----------------------------------------------------------------------------------

Hit = Callable[[str, float, int], None]  # (candidature id, how surely, where)
# « la 3 » is a candidature; « le 5 » is a day more often than not (« c'est le lundi de Pâques le 5 »)
_ID = re.compile(r"\b(?:c|candidature|candidat|candidate|dossier|inscription|demande|numero|no|n|la)"
                 r" ?(?:numero |no |n )?0*(\d{1,5})\b(?! ?(?:(?:h|heures?|places?|personnes?|participants?"
                 r"|avril|mai|"
                 r"juin|juillet|aout|septembre|octobre|novembre|decembre|janvier|fevrier|mars)\b|[/.:]\d))")
_CIVILITY = re.compile(r"\b(?:mme|madame|m|mr|monsieur|mlle|mademoiselle)$")


def _person_words(name: str | None) -> list[str]:
    return [w for w in _words(name or "") if len(w) > 1]


def find_candidatures(text: str, original: str, state: State) -> list[Mention]:
    """The candidatures `text` (plain) names: by number in any spelling, by address, by the
    person's name (in full, or the family name, or a first name nobody else has), by office."""
    words = _words(text)
    joined = " ".join(words)
    scores: dict[str, float] = {}
    at: dict[str, int] = {}

    def hit(cid: str, score: float, where: int) -> None:
        scores[cid] = scores.get(cid, 0) + score
        at.setdefault(cid, where)

    for match in _ID.finditer(joined):
        cid = f"C{int(match.group(1)):04d}"
        if state.candidature(cid) is not None:
            hit(cid, 4, match.start())
    low = fold(original)
    firsts: dict[str, list[str]] = {}
    lasts: dict[str, list[str]] = {}
    for cand in state.candidatures:
        parts = _person_words(cand.name)
        if parts:
            firsts.setdefault(parts[0], []).append(cand.id)
            lasts.setdefault(parts[-1], []).append(cand.id)
    for cand in state.candidatures:
        if cand.email and cand.email in low:
            hit(cand.id, 3, low.index(cand.email))
        _name_hits(cand, words, firsts, lasts, original, hit)
        _office_hits(cand, words, hit)
    return sorted((Mention("candidature", c, s, at[c]) for c, s in scores.items()),
                  key=lambda m: (-m.score, m.at))


def _name_hits(cand: Candidature, words: list[str], firsts: Mapping[str, list[str]],
               lasts: Mapping[str, list[str]], original: str, record: Hit) -> None:
    parts = _person_words(cand.name)
    if not parts:
        return
    first, last = parts[0], parts[-1]
    for i, word in enumerate(words):
        if _same_name(word, last):
            before = words[i - 1] if i else ""
            if before and _same_name(before, first):
                record(cand.id, 3, i)
            elif _CIVILITY.search(" ".join(words[max(0, i - 1):i])) or len(lasts.get(last, [])) == 1:
                record(cand.id, 2 if len(lasts.get(last, [])) == 1 else 1, i)
        elif _same_name(word, first) and len(parts) > 1 and (i + 1 >= len(words) or not _same_name(
                words[i + 1], last)) and len(firsts.get(first, [])) == 1 and _capitalised(original, word):
            record(cand.id, 1.5, i)


def _same_name(word: str, name: str) -> bool:
    return word == name or (len(name) >= 5 and len(word) >= 4 and fuzz.ratio(word, name) >= 85)


def _capitalised(original: str, folded_word: str) -> bool:
    """Whether the word is written with a capital in the original (« Hélène », not « hélène »)."""
    aligned = fold_aligned(original)
    for match in re.finditer(rf"\b{re.escape(folded_word)}\b", aligned):
        if original[match.start()].isupper():
            return True
    return False


def _office_hits(cand: Candidature, words: list[str], hit: Hit) -> None:
    """« Paul de Cognac », « Cognac se retire »: the office's own name (not its common words)."""
    structure = cand.profile.structure or ""
    own = [w for w in _words(structure) if w not in STOP and len(w) >= 5 and w not in (
        "perigord", "pays", "communaute", "communes", "intercommunal", "vallee", "grand", "destination")]
    for word in own:
        if word in words:
            hit(cand.id, 1, words.index(word))
            return


# --- ideas and questions ----------------------------------------------------------------------------

_IDEA_ID = re.compile(r"\b(?:i|idee) ?0*(\d{1,5})\b")
_QUESTION_ID = re.compile(r"\b(?:q|question) ?0*(\d{1,5})\b")
_IDEA_WORDS = re.compile(r"\b(?:idee|idees|proposition|propositions|propal|projet de groupe|note d intention|"
                         r"suggestion|thematique|theme)\b")
_QUESTION_WORDS = re.compile(r"\b(?:question|questions|demande|demandes|interrogation|sa reponse|une reponse"
                             r"|repondre)\b")
_COMMON = frozenset(("groupe", "idee", "travail", "proposition", "nouveau", "nouvelle", "pour", "avec",
                     "reunion", "departementale", "prochaine", "charente"))


def _named(kind: str, record: Idea | Question, text_words: tuple[list[str], str], ids: re.Pattern[str],
           kind_words: re.Pattern[str], said: str, shortest: int) -> Mention | None:
    """How surely the text names one idea or question: its number (3), its author's names, its
    author's office, the words of what it says (`said`, words of at least `shortest` letters),
    and one more when the text speaks of ideas (or questions) at all."""
    words, joined = text_words
    number = int(record.id[1:]) if record.id[1:].isdigit() else -1
    score = 3.0 if any(int(m.group(1)) == number for m in ids.finditer(joined)) else 0.0
    own = {w for w in _words(said) if len(w) >= shortest} - _COMMON - STOP
    score += _author(record.name, words) + 0.5 * len(own & set(words)) + _office(record.email, words)
    if score and kind_words.search(joined):
        score += 1
    return Mention(kind, record.id, score, 0) if score else None


def find_ideas(text: str, state: State) -> list[Mention]:
    """The ideas `text` names: by number, by their author, by the words of their subject."""
    words = _words(text)
    found = [_named("idea", idea, (words, " ".join(words)), _IDEA_ID, _IDEA_WORDS,
                    f"{idea.subject} {idea.summary[:200]}", 4) for idea in state.ideas]
    return sorted((m for m in found if m is not None), key=lambda m: -m.score)


def _office(email: str, words: list[str]) -> float:
    """« Oléron » for r.lamarque@ot-oleron.example: the office its author writes from."""
    domain = email.rpartition("@")[2].split(".")[0]
    own = [w for w in re.split(r"[-_]", domain) if len(w) >= 5 and w not in ("tourisme", "office")]
    return 0.5 if any(_same_place(office, word) for office in own for word in words) else 0.0


def _same_place(office: str, word: str) -> bool:
    """« confolens » for the office of the « confolentais »: a town and its country share their
    first seven letters."""
    return word == office or (len(word) >= 7 and len(_common_start(office, word)) >= 7)


def _author(name: str | None, words: list[str]) -> float:
    parts = _person_words(name)
    return sum(1.0 for p in parts if len(p) > 2 and any(_same_name(w, p) for w in words))


def find_questions(text: str, state: State) -> list[Mention]:
    """The questions `text` names: by number, by who asked, by their subject; an answered one
    less surely than an open one."""
    words = _words(text)
    found = []
    for question in state.questions:
        mention = _named("question", question, (words, " ".join(words)), _QUESTION_ID, _QUESTION_WORDS,
                         f"{question.subject} {question.text[:200]}", 5)
        if mention is not None and question.status is not QuestionStatus.OPEN:
            mention = replace(mention, score=mention.score - 0.5)
        if mention is not None and mention.score:
            found.append(mention)
    return sorted(found, key=lambda m: -m.score)
