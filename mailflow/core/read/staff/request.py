"""What a staff member's message asks of the mailbox: one action with what it needs, a choice
between readings, what is missing, or nothing (thanks, information, colleagues talking)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from ....model.values import QuestionStatus, StaffVerb, State
from ..conversation import strip_prefixes
from ..text import fold
from .forward import Forwarded
from .lexicon import ASKING, CUES, IN_COPY, TELLING, WORD_LISTS
from .mentions import (
    Mention,
    find_candidatures,
    find_groups,
    find_ideas,
    find_questions,
    group_keys,
    groups_by_meeting_date,
    groups_by_meeting_place,
)
from .plain import plain, vocabulary


@dataclass(frozen=True)
class Command:
    """A staff action as read from a message: enough to plan it again when it is confirmed."""

    verb: StaffVerb
    target: str = ""  # the group, candidature, idea or question id
    reason: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)  # capacity, when, place, email…

    def to_json(self) -> str:
        return json.dumps({"verb": self.verb.value, "target": self.target, "reason": self.reason,
                           "fields": dict(self.fields)}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Command:
        data = json.loads(text)
        return cls(StaffVerb(data["verb"]), str(data.get("target", "")), str(data.get("reason", "")),
                   {str(k): str(v) for k, v in dict(data.get("fields", {})).items()})


class Missing(StrEnum):
    """What keeps a request from being a plan (each has its words in core.french)."""

    GROUP = "group"  # which group
    CANDIDATURE = "candidature"  # whose candidature
    IDEA = "idea"
    QUESTION = "question"
    NUMBER = "number"  # how many places
    DATE = "date"  # a new date
    PLACE = "place"  # a new place
    PERSON = "person"  # who to register: name, address, department
    REASON = "reason"  # why (a refusal the member reads)
    BOARD_DATE = "board-date"  # the board's date
    SEVERAL = "several"  # several actions in one message
    ALREADY = "already"  # the person to add has a candidature in that group already
    ACTION = "action"  # nothing recognised as an action


@dataclass(frozen=True)
class Unclear:
    """A request mailflow could not make a plan of: what it recognised, what is missing, and the
    closest actions, ready to send."""

    missing: Missing
    verb: StaffVerb | None = None
    about: tuple[str, ...] = ()  # the groups, candidatures, ideas or questions recognised
    detail: tuple[str, ...] = ()  # what else to say (the person's missing facts, …)
    closest: tuple[Command, ...] = ()


@dataclass(frozen=True)
class Reading:
    """What a staff message asks: a plan (one command), a choice (several, one code each), what
    is missing (`unclear`), or nothing."""

    commands: tuple[Command, ...] = ()
    unclear: Unclear | None = None

    @property
    def asks(self) -> bool:
        return bool(self.commands) or self.unclear is not None


@dataclass
class Words:
    """A staff message as the reader looks at it: its own words, and what it forwards or quotes."""

    subject: str
    top: str  # subject and new text, as written
    plain: str  # the same, plain (see `plain`)
    below: str = ""  # a forwarded or quoted message, as written
    below_plain: str = ""
    forwarded: Forwarded | None = None
    refers_below: bool = False  # the new text points to what is below (« voir ci-dessous »)
    replying: bool = False  # its subject is a thread's (« RE : »): what it says was said before


_BELOW = re.compile(r"\b(?:ci dessous|en dessous|plus bas|voir|cf|leur proposition|sa demande|son message|"
                    r"le message|transfere|a traiter|merci de faire|fais le necessaire|"
                    r"faire le necessaire)\b")
_COLLEAGUE = re.compile(r"^\s*(?:(?i:bonjour|salut|hello|coucou|hi"
                        r"|bonsoir)\s+)?(?P<name>[A-ZÉÈ][a-zéèêëïîôç]+)"
                        r"\s*(?:,|!|\n|$)")
_AUTOMATIC = re.compile(r"(?i)\b(?:r[ée]ponse automatique|absence|absent|out of office|automatic reply|"
                        r"autoreply|auto-reply|message d'absence)\b")
_THANKS_FOR = re.compile(r"\bmerci (?:pour|beaucoup pour|bien pour|encore pour)\b")
_TO_A_MEMBER = re.compile(r"^\s*(?i:bonjour|bonsoir|cher|chère|chere)\s+(?i:madame|monsieur|mme"
                          r"|mr?\.?)\s+[A-ZÉÈ]")
_NOT_A_NAME = frozenset(("bonjour", "salut", "hello", "coucou", "merci", "madame", "monsieur", "tous",
                         "toutes", "equipe", "hi", "re", "bonsoir", "chers", "cheres", "mesdames",
                         "messieurs", "ok", "oui", "non"))


def words_of(subject: str, new_text: str, forwarded: Forwarded | None, quoted: str,
             state: State) -> Words:
    """The message's words, plain, with the words the reader knows (its lexicon, the groups'
    names, the people's names) to mend typos against."""
    known = _known(state)
    replying = bool(re.match(r"\s*(?:re|tr|fwd?|aw|wg)\s*:", fold(subject)))
    subject = strip_prefixes(subject)
    top = f"{subject}\n{new_text}"
    below = f"{forwarded.subject}\n{forwarded.text}" if forwarded else _without_headers(quoted)
    top_plain = plain(top, known)
    return Words(subject, top, top_plain, below, plain(below, known) if below else "", forwarded,
                 bool(_BELOW.search(top_plain)), replying)


_WROTE = re.compile(r"^-? ?(?:le|on) .*\d.*(?:a ecrit|wrote) ?:?$")
_HEADER_LINE = re.compile(r"^\s*>?\s*(?:de|from|date|envoye|sent|a|to|cc|objet|subject|sujet|pour)\s*:", re.I)


def _without_headers(quoted: str) -> str:
    """A quoted message without the header lines its client wrote, nor its « Le … a écrit : »
    (their dates are no one's)."""
    lines = [line.lstrip("> ") for line in quoted.split("\n") if not _HEADER_LINE.match(line)]
    return "\n".join(_who_wrote(line) if _WROTE.match(fold(line).strip()) else line for line in lines)


def _who_wrote(line: str) -> str:
    """« Le ven. 4 déc. 2026 à 11:02, Claudine Poulain <c.p@…> a écrit : » without its date."""
    found = re.search(r",\s*(?P<who>[^,]*?)\s+(?:a écrit|a ecrit|wrote)\s*:?\s*$", line)
    return found["who"] if found else ""


@functools.cache
def _known_cached(state_key: tuple[tuple[str, ...], tuple[str, ...]]) -> frozenset[str]:
    names, keys = state_key
    return vocabulary(*WORD_LISTS, names, keys)


def _known(state: State) -> frozenset[str]:
    names = tuple(c.name or "" for c in state.candidatures) + tuple(i.name or "" for i in state.ideas)
    names += tuple(q.name or "" for q in state.questions)
    keys = tuple(k for found in group_keys(state.groups).values() for k in found)
    return _known_cached((names, keys))


def said_nothing_to_do(words: Words, thanks: bool, state: State) -> bool:
    """Thanks, information only, colleagues talking with the mailbox in copy, or a letter to a
    member (« Bonjour Madame Roux », « Bonjour Rémi » to the author of an idea)."""
    if thanks:
        return True
    if TELLING.search(words.plain) and not _insists(words.plain):
        return True
    if _AUTOMATIC.search(words.subject) or (_THANKS_FOR.search(words.plain) and not asks(words)):
        return True  # an automatic reply; « Top, merci pour la mise à jour du groupe com »
    first = next((line for line in words.top.split("\n")[1:] if line.strip()), "")
    if _TO_A_MEMBER.match(first):
        return True  # « Bonjour Madame Roux, » : a letter to a member, the mailbox in copy
    colleague = _COLLEAGUE.match(first)
    named = colleague is not None and fold(colleague.group("name")) not in _NOT_A_NAME
    if named and colleague is not None and fold(colleague.group("name")) in _first_names(state):
        return True
    return named and bool(IN_COPY.search(words.plain))


def talks_to_a_colleague(words: Words) -> bool:
    """Whether the message opens on someone's first name (« Claire, », « Salut Romain ! »)."""
    first = next((line for line in words.top.split("\n")[1:] if line.strip()), "")
    colleague = _COLLEAGUE.match(first)
    return colleague is not None and fold(colleague.group("name")) not in _NOT_A_NAME


def _first_names(state: State) -> frozenset[str]:
    """The first names of the members the state knows (who asked, applied or proposed)."""
    names = [*(c.name for c in state.candidatures), *(i.name for i in state.ideas),
             *(q.name for q in state.questions)]
    return frozenset(fold(n.split()[0]) for n in names if n and n.split())


def _insists(text: str) -> bool:
    """« Pour info, et merci de clore l'appel »: a request after all."""
    told = TELLING.search(text)
    after = text[told.end():] if told is not None else ""
    return told is not None and bool(re.search(r"\b(?:merci de|peux tu|pouvez vous|il faut)\b", after))


def scores(words: Words) -> dict[str, float]:
    """How much the message asks for each action: its cues in its own words (a reply's subject,
    the thread's, at half weight), and in what it forwards when it points to it: at half weight,
    or fully when its own words ask nothing (« À traiter, merci »)."""
    subject, _sep, body = words.plain.partition("\n")
    own = cues_in([(subject, 0.5 if words.replying else 1.0), (body, 1.0)])
    if not (words.refers_below or words.forwarded) or not words.below_plain:
        return own
    weight = 0.5 if any(score >= 1.5 for score in own.values()) else 1.0
    below = cues_in([(words.below_plain, weight)])
    return {a: own.get(a, 0.0) + below.get(a, 0.0) for a in {*own, *below}}


def cues_in(texts: list[tuple[str, float]]) -> dict[str, float]:
    """Each action's strongest cue, and a quarter of each other one: saying it twice says it
    more surely, not twice as much."""
    heard: dict[str, list[float]] = {}
    for cue in CUES:
        best = max((weight for text, weight in texts if any(
            not _negated(text, m, cue.pattern.pattern) for m in cue.pattern.finditer(text))), default=0.0)
        if best:
            heard.setdefault(cue.action, []).append(cue.weight * best)
    return {action: max(w) + 0.25 * (sum(w) - max(w)) for action, w in heard.items()}


_NEGATED = re.compile(r"\b(?:ne|n)(?: \w+){0,2}\s*\Z")
_NEGATION_WORDS = ("ne ", "n ", "pas", "plus", "non")


_CONCEDED = re.compile(r"\b(?:malgre|meme si|bien qu\w*|quoique|alors que|rappel\w* qu\w*|sachant qu\w*|"
                       r"puisqu\w*|vu qu\w*|etant donne qu\w*|comme (?:l|le|la|les|il|elle|on|c|ils"
                       r"|elles))\b[^.,;:!?\n]{0,40}\Z")


def _negated(text: str, match: re.Match[str], pattern: str) -> bool:
    """« on ne ferme pas »: a cue denied, unless the cue itself is a denial (« ne plus accepter »);
    « malgré la clôture », « même si l'appel est fermé », « rappeler que l'appel est ouvert »: a
    state said, not asked."""
    if _CONCEDED.search(text[max(0, match.start() - 48):match.start()]):
        return True
    if any(word in pattern for word in _NEGATION_WORDS):
        return False
    before = text[max(0, match.start() - 16):match.start()]
    after = text[match.end():match.end() + 12]
    if _DENIED_BEFORE.search(text[max(0, match.start() - 32):match.start()]):
        return True  # « on ne veut pas changer de lieu »
    return bool(_NEGATED.search(before)) and bool(re.match(r"\s*(?:\w+ )?(?:pas|plus|jamais)\b", after))


_DENIED_BEFORE = re.compile(r"\b(?:ne|n) (?:\w+ ){1,2}(?:pas|plus|jamais) (?:\w+ )?(?:de |d )?\Z"
                            # « ce n'est pas qu'il se retire », « on n'aurait pas dû valider »
                            r"|\b(?:n est|c est) pas (?:qu|que) (?:\w+ )?\Z|\b(?:pas|jamais) du (?:\w+ )?\Z")


def asks(words: Words) -> bool:
    """Whether the words ask something of someone (« merci de », « peux-tu », a question…, or a
    sentence that opens on an action's verb: « Oui, rouvrez-le »)."""
    if ASKING.search(words.plain):
        return True
    known = _known_verbs()
    for sentence in re.split(r"[.!?;\n]+", words.plain):
        first = [w for w in sentence.replace(",", " ").split() if w not in _FILLERS]
        if first and first[0] in known:
            return True
    return False


_FILLERS = frozenset(("oui", "ok", "bon", "alors", "donc"))


@functools.cache
def _known_verbs() -> frozenset[str]:
    return vocabulary(*WORD_LISTS)


@dataclass(frozen=True)
class Mentions:
    """What the message points at, in its own words first."""

    groups: list[Mention]
    candidatures: list[Mention]
    ideas: list[Mention]
    questions: list[Mention]


def mentions(words: Words, state: State, now: datetime, tz: ZoneInfo) -> Mentions:
    """The groups, candidatures, ideas and questions named: in the message's own words, else in
    what it forwards or quotes; a group also by its first meeting's date (« la réunion du 19 »)."""
    groups = (find_groups(plain(words.subject, _known(state)), state.groups, subject=True)
              + find_groups(words.plain, state.groups))
    if not groups and words.below:
        groups = find_groups(words.below_plain, state.groups)
    if not groups:
        groups = groups_by_meeting_date(f"{words.plain}\n{words.below_plain}", state, now, tz)
    if not groups:
        groups = groups_by_meeting_place(words.top, state)
    cands = find_candidatures(words.plain, words.top, state)
    sender = words.forwarded.sender if words.forwarded else None
    if not cands and sender:  # a member's own mail forwarded: that member's candidature
        cands = [Mention("candidature", c.id, 3, 0) for c in state.of_email(sender) if c.status.active]
    ideas = find_ideas(words.top, state) or (find_ideas(words.below, state) if words.below else [])
    questions = find_questions(words.top, state) or (
        find_questions(words.below, state) if words.below else []) or _the_question(words, state)
    return Mentions(_merged(groups), cands, ideas, questions)


def _the_question(words: Words, state: State) -> list[Mention]:
    """« la question », « RE : Question réunion… » when one question only waits: that one."""
    waiting = [q for q in state.questions if q.status is QuestionStatus.OPEN]
    if len(waiting) == 1 and re.search(r"\bquestion\b", words.plain):
        return [Mention("question", waiting[0].id, 1.5, 0)]
    return []


def _merged(found: list[Mention]) -> list[Mention]:
    """One mention per id, its best score, surest first."""
    best: dict[str, Mention] = {}
    for mention in found:
        if mention.id not in best or mention.score > best[mention.id].score:
            best[mention.id] = mention
    return sorted(best.values(), key=lambda m: -m.score)


def clock_of(now: datetime, tz: ZoneInfo) -> datetime:
    return now.astimezone(tz)
